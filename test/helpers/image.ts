// Firmware images for tests: the real payload (make firmware-image: the whole firmware as
// one minified ES5 script, built here when missing or older than the sources), the
// project's development signing key, and a simulated ring booted from a flash slot.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared.js';
import { buildImage, signImage, parseImage, type ImageVersion } from '../../host/image/format.js';
import { readSigningKey } from '../../host/image/keys.js';
import type { SigningKey } from '../../host/image/format.js';
import { NorFlash } from '../../sim/flash/nor-flash.js';
import { programSlot } from '../../sim/boot/boot-stage.js';
import { BootedRing, type BootedRingOptions } from '../../sim/boot/booted-ring.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingClient } from '../../host/client/client.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import type { Fixture } from '../../sim/fixture/types.js';

export const PAYLOAD_FILE = path.join(repoRoot, 'dist/firmware-ring.es5.min.js');
export const DEV_KEY_FILE = path.join(repoRoot, 'fixtures/keys/dev-image-key.json');
export const FIXTURE_FILE = path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx');

function newestSourceMs(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSourceMs(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Build an ES5 payload of the firmware tree at root (tsc to ES5, esbuild to one minified
 * script), as make firmware-image does: tsc only emits (--noCheck); the ES5 type check of
 * these sources is make build's (tsconfig.engines.json).
 */
export function buildPayload(root: string, out_file: string): void {
  const tsc = path.join(repoRoot, 'node_modules/.bin/tsc');
  fs.rmSync(path.join(root, 'build/firmware-ring-es5'), { recursive: true, force: true });
  execFileSync(tsc, ['-p', path.join(root, 'tsconfig.firmware-ring.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
  bundlePayload(root, out_file);
}

/** The bundling step of buildPayload alone, over the ES5 modules already under root/build/firmware-ring-es5. */
export function bundlePayload(root: string, out_file: string): void {
  const esbuild = path.join(repoRoot, 'node_modules/.bin/esbuild');
  execFileSync(esbuild, [
    path.join(root, 'sim/boot/ring-bundle-entry.js'), '--bundle', '--format=iife', '--target=es5',
    '--banner:js=var RingFirmware = {};', '--log-level=warning', '--minify', `--outfile=${out_file}`,
  ], { cwd: root, stdio: 'inherit' });
}

let payload_cache: Uint8Array | null = null;

function payloadStale(): boolean {
  return !fs.existsSync(PAYLOAD_FILE) ||
    fs.statSync(PAYLOAD_FILE).mtimeMs < Math.max(newestSourceMs(path.join(repoRoot, 'firmware')), newestSourceMs(path.join(repoRoot, 'protocol')));
}

export function firmwarePayload(): Uint8Array {
  if (payload_cache) return payload_cache;
  if (payloadStale()) {
    // Test files run in parallel: one builds (the lock is a directory), the others wait for it.
    const lock = path.join(repoRoot, 'build/.firmware-image.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    let mine = false;
    try {
      fs.mkdirSync(lock);
      mine = true;
    } catch {
      mine = false;
    }
    if (mine) {
      try {
        buildPayload(repoRoot, PAYLOAD_FILE);
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    } else {
      const sleeper = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < 1200 && fs.existsSync(lock); i++) Atomics.wait(sleeper, 0, 0, 100);
    }
  }
  payload_cache = new Uint8Array(fs.readFileSync(PAYLOAD_FILE));
  return payload_cache;
}

export function devKey(): SigningKey {
  return readSigningKey(DEV_KEY_FILE);
}

/** The payload padded with a trailing comment to make the whole image image_bytes long. */
export function paddedPayload(payload: Uint8Array, image_bytes: number): Uint8Array {
  const room = image_bytes - 64 - 112 - payload.length;
  if (room < 5) return payload;
  const pad = Buffer.from('\n/*' + 'p'.repeat(room - 5) + '*/');
  return new Uint8Array(Buffer.concat([Buffer.from(payload), pad]));
}

export interface TestImageOptions {
  version?: ImageVersion;
  security_counter?: number;
  target_id?: number;
  image_bytes?: number;
  payload?: Uint8Array;
  key?: SigningKey | null;
}

export function testImage(o: TestImageOptions = {}): Uint8Array {
  let payload = o.payload ?? firmwarePayload();
  if (o.image_bytes) payload = paddedPayload(payload, o.image_bytes);
  const img = buildImage(payload, { version: o.version ?? { major: 1, minor: 0, patch: 0 }, security_counter: o.security_counter ?? 1, target_id: o.target_id });
  return o.key === null ? img : signImage(img, o.key ?? devKey());
}

export function imageSha(image: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(parseImage(image).sha256, 'hex'));
}

let fixture_cache: Fixture | null = null;
export function testFixture(): Fixture {
  fixture_cache ??= loadFixture(FIXTURE_FILE);
  return fixture_cache;
}

/** A factory-fresh flash: image in slot A, update state blank. */
export function factoryFlash(image: Uint8Array = testImage()): NorFlash {
  const flash = new NorFlash();
  programSlot(flash, 0, image);
  return flash;
}

export function bootRing(flash: NorFlash, opts: Partial<BootedRingOptions> = {}): BootedRing {
  return new BootedRing(testFixture(), {
    seed: 1, rate_hz: 50, flash, policy: { trusted_keys: [devKey().public_key] },
    link: { interval_us: 7_500, phy: '2M', central_mtu_max_bytes: 247 }, ...opts,
  });
}

export function clientFor(ring: BootedRing): RingClient {
  return new RingClient(new SimTransport(ring.device));
}
