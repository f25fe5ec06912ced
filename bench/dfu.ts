// Firmware update figures (ring flash's upload) for a 128 KB image at MTU 247, 2M PHY,
// 7.5 ms connection interval, to a simulated ring booted from its flash (sim/boot):
//   dfu_kBps               image bytes per second of the upload (begin and erase included)
//   dfu_goodput_kBps       image bytes per second of the chunk phase (after the erase)
//   dfu_capacity_kBps      the most ATT value bytes the link carries host -> ring per second
//                          (sim/ble/timing.ts capacity(): full-MTU writes, every event full)
//   dfu_goodput_fraction   dfu_goodput_kBps / dfu_capacity_kBps
//   dfu_flash_busy_ms      time the flash part was busy (erase + program): the simulated
//                          ring does not stall its radio for it, a real one may
// Virtual time: the same figures on every machine.

import fs from 'node:fs';
import path from 'node:path';
import { buildImage, signImage, parseImage } from '../host/image/format.js';
import { readSigningKey } from '../host/image/keys.js';
import { uploadImage } from '../host/image/upload.js';
import { RingClient } from '../host/client/client.js';
import { SimTransport } from '../host/transport/sim-transport.js';
import { NorFlash } from '../sim/flash/nor-flash.js';
import { programSlot } from '../sim/boot/boot-stage.js';
import { BootedRing } from '../sim/boot/booted-ring.js';
import { loadFixture } from '../sim/fixture/load.js';
import { capacity } from '../sim/ble/timing.js';

export const DFU_IMAGE_BYTES = 128 * 1024;

export async function dfuFigures(repo_root: string): Promise<Record<string, number | string>> {
  const payload_file = path.join(repo_root, 'dist/firmware-ring.es5.min.js');
  if (!fs.existsSync(payload_file)) return { dfu: 'dist/firmware-ring.es5.min.js missing: make firmware-image' };
  const key = readSigningKey(path.join(repo_root, 'fixtures/keys/dev-image-key.json'));
  const payload = new Uint8Array(fs.readFileSync(payload_file));
  const factory = signImage(buildImage(payload, { version: { major: 1, minor: 0, patch: 0 }, security_counter: 1 }), key);
  // The same firmware padded with a trailing comment to a 128 KB image.
  const pad = DFU_IMAGE_BYTES - 176 - payload.length;
  const big = new Uint8Array(Buffer.concat([Buffer.from(payload), Buffer.from('\n/*' + 'p'.repeat(pad - 5) + '*/')]));
  const image = signImage(buildImage(big, { version: { major: 1, minor: 1, patch: 0 }, security_counter: 2 }), key);
  const flash = new NorFlash();
  programSlot(flash, 0, factory);
  const fixture = loadFixture(path.join(repo_root, 'fixtures/synth/synth-rest.ringfx'));
  const ring = new BootedRing(fixture, {
    seed: 1, rate_hz: 50, flash, policy: { trusted_keys: [key.public_key] },
    link: { interval_us: 7_500, phy: '2M', central_mtu_max_bytes: 247 },
  });
  const client = new RingClient(new SimTransport(ring.device));
  await client.connect();
  const busy_before = flash.stats.busy_us;
  const r = await uploadImage(client, image, new Uint8Array(Buffer.from(parseImage(image).sha256, 'hex')));
  const cap = capacity(ring.device.link.params, client.transport.mtu).central_to_peripheral_bytes_per_s;
  await client.close();
  const goodput = (r.image_bytes * 1e6) / r.upload_us;
  const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    dfu_image_bytes: r.image_bytes,
    dfu_chunk_bytes: r.chunk_bytes,
    dfu_window: r.window,
    dfu_kBps: round((r.image_bytes * 1e3) / r.elapsed_us, 1),
    dfu_goodput_kBps: round(goodput / 1000, 1),
    dfu_capacity_kBps: round(cap / 1000, 1),
    dfu_goodput_fraction: round(goodput / cap, 3),
    dfu_erase_ms: round(r.erase_us / 1000, 1),
    dfu_flash_busy_ms: round((flash.stats.busy_us - busy_before) / 1000, 1),
  };
}
