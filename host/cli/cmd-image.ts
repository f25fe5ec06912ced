// Firmware images and updates: `ring keys generate`, `ring image build|sign|verify|info`
// (files only), `ring image list|test|confirm|revert` and `ring flash` (over the protocol,
// to a simulated ring that boots from its flash: sim/boot). docs/image-format.md.
//
// The simulated ring's flash can live in a file (--flash <file>): loaded before, saved
// after, so what one command did (an upload, a test, a confirm) is there for the next.
// Without it, or when the file does not exist yet, the ring is factory-fresh: the current
// firmware build (make firmware-image) signed with the development key in slot A.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DeviceError } from '../client/errors.js';
import { RingClient } from '../client/client.js';
import { ImageError, REVERT_REASON_NAMES, rejectCode } from '../image/errors.js';
import { buildImage, formatVersion, parseImage, parseVersion, peekImage, signImage, verifyImage, type ImageInfo } from '../image/format.js';
import { generateKey, keyFiles, readPublicKey, readSigningKey } from '../image/keys.js';
import { flashImage } from '../image/flash.js';
import { imageConfirm, imageReset, imageRevert, imageState, imageTest, type ImageStateView, type UploadProgress } from '../image/upload.js';
import { IMG_TARGET_RING_NRF52840 } from '../../firmware/cmd/image-header.js';
import { ST_REJECT, ST_REVERT } from '../../firmware/cmd/image-state.js';
import { NorFlash } from '../../sim/flash/nor-flash.js';
import { repoRoot } from '../../sim/fixture/paths.js';
import { programSlot } from '../../sim/boot/boot-stage.js';
import { BootedRing } from '../../sim/boot/booted-ring.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { EXIT_MISMATCH, UsageError } from './errors.js';
import { log } from './log.js';
import { parseNonNegativeInt } from './options.js';
import { addTransportOptions, attachKeys, connectSimulated, resolveTransport, type TransportCliOptions } from './transport-options.js';
import type { SessionTaps } from './debug-options.js';
import { writeFileAtomic } from '../io/output-file.js';

const repo_root = repoRoot();
export const PAYLOAD_DEFAULT = path.join(repo_root, 'dist/firmware-ring.es5.min.js');
export const DEV_KEY_FILE = path.join(repo_root, 'fixtures/keys/dev-image-key.json');

function json(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 2) + '\n');
}

function readFile(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function writeFile(file: string, data: Uint8Array | string, force: boolean): void {
  if (!force && fs.existsSync(file)) throw new UsageError(`${file} exists: pass --force to overwrite it`);
  writeFileAtomic(file, data);
}

function parseTarget(text: string): number {
  const v = /^0x[0-9a-f]{1,8}$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v > 0xffffffff) throw new UsageError(`--target must be a 32-bit number (e.g. 0x${IMG_TARGET_RING_NRF52840.toString(16)}), got '${text}'`);
  return v;
}

function gitCommit(): Uint8Array | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo_root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return /^[0-9a-f]{40}$/.test(out) ? new Uint8Array(Buffer.from(out, 'hex')) : undefined;
  } catch {
    return undefined;
  }
}

function infoRows(info: ImageInfo): string {
  const rows: [string, string][] = [
    ['version', formatVersion(info.version)],
    ['security_counter', String(info.security_counter)],
    ['target', `0x${info.target_id.toString(16)}`],
    ['payload', `${info.payload_bytes} bytes (ES5 bundle, minified)`],
    ['image', `${info.image_bytes} bytes`],
    ['sha256', info.sha256],
    ['build_hash', info.build_hash],
    ['signed', info.signed ? `Ed25519, key ${info.key_id}` : 'no'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

/** An image error is a verdict on the user's file: exit 2 with its name (verify reports exit 1 instead). */
function asUsage(err: unknown): never {
  if (err instanceof ImageError) throw new UsageError(err.message);
  throw err;
}

export function registerImageCommands(program: Command): void {
  const keys = program.command('keys').description('image signing keys');
  keys
    .command('generate')
    .description('make an Ed25519 signing key: <out> (secret) and <out minus .json>.pub.json (what rings trust)')
    .requiredOption('-o, --out <file>', 'the secret key file (JSON)')
    .option('--force', 'overwrite existing files')
    .option('--json', 'one JSON document')
    .action((opts: { out: string; force?: boolean; json?: boolean }) => {
      const files = keyFiles(generateKey());
      const pub_file = opts.out.replace(/\.json$/, '') + '.pub.json';
      writeFile(opts.out, JSON.stringify(files.secret, null, 2) + '\n', Boolean(opts.force));
      fs.chmodSync(opts.out, 0o600);
      writeFile(pub_file, JSON.stringify(files.pub, null, 2) + '\n', Boolean(opts.force));
      if (opts.json) json({ key_id: files.pub.key_id, secret_key_file: opts.out, public_key_file: pub_file });
      else process.stdout.write(`key ${files.pub.key_id}: ${opts.out} (secret), ${pub_file} (public)\n`);
    });

  const image = program.command('image').description('firmware images: build, sign, verify, inspect; a ring\'s slots');
  image
    .command('build')
    .description('wrap the firmware build (make firmware-image) into an unsigned image')
    .option('--payload <file>', 'the ES5 bundle to carry', PAYLOAD_DEFAULT)
    .requiredOption('--fw-version <semver>', 'firmware version, MAJOR.MINOR.PATCH')
    .requiredOption('--security-counter <n>', 'anti-rollback counter: rings refuse images below the highest they confirmed', (v) => parseNonNegativeInt('--security-counter', v))
    .option('--target <id>', 'target id', parseTarget, IMG_TARGET_RING_NRF52840)
    .requiredOption('-o, --out <file>', 'the image file')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'one JSON document')
    .action((opts: { payload: string; fwVersion: string; securityCounter: number; target: number; out: string; force?: boolean; json?: boolean }) => {
      if (opts.payload === PAYLOAD_DEFAULT && !fs.existsSync(PAYLOAD_DEFAULT)) throw new UsageError(`${PAYLOAD_DEFAULT} is missing: run 'make firmware-image' first`);
      const payload = readFile(opts.payload, 'payload');
      let version;
      try {
        version = parseVersion(opts.fwVersion);
      } catch (err) {
        throw new UsageError(`--fw-version: ${(err as Error).message}`);
      }
      if (opts.securityCounter > 0xffffffff) throw new UsageError('--security-counter must be at most 4294967295');
      const img = buildImage(payload, { version, security_counter: opts.securityCounter, target_id: opts.target, build_hash: gitCommit() });
      writeFile(opts.out, img, Boolean(opts.force));
      const info = parseImage(img);
      if (opts.json) json({ file: opts.out, ...info });
      else process.stdout.write(`${opts.out}: ${infoRows(info)}`);
    });
  image
    .command('sign <image>')
    .description('sign an image with an Ed25519 key')
    .requiredOption('--key <file>', 'secret key file (ring keys generate)')
    .option('-o, --out <file>', 'the signed image (default: sign in place)')
    .option('--json', 'one JSON document')
    .action((file: string, opts: { key: string; out?: string; json?: boolean }) => {
      const key = readSigningKey(opts.key);
      let signed: Uint8Array;
      try {
        signed = signImage(readFile(file, 'image'), key);
      } catch (err) {
        asUsage(err);
      }
      writeFileAtomic(opts.out ?? file, signed);
      const info = parseImage(signed);
      if (opts.json) json({ file: opts.out ?? file, ...info });
      else process.stdout.write(`${opts.out ?? file}: signed by key ${info.key_id}, sha256 ${info.sha256}\n`);
    });
  image
    .command('verify <image>')
    .description('check an image as a ring would: hash, signature by a trusted key, target, security counter (exit 1 when refused)')
    .option('--key <file...>', 'trusted public key file(s)', [DEV_KEY_FILE.replace(/\.json$/, '.pub.json')])
    .option('--target <id>', 'the ring\'s target id', parseTarget, IMG_TARGET_RING_NRF52840)
    .option('--min-security-counter <n>', 'the ring\'s lowest accepted security counter', (v) => parseNonNegativeInt('--min-security-counter', v), 0)
    .option('--json', 'one JSON document')
    .action((file: string, opts: { key: string[]; target: number; minSecurityCounter: number; json?: boolean }) => {
      const trusted_keys = opts.key.map((k) => readPublicKey(k));
      const img = readFile(file, 'image');
      try {
        const info = verifyImage(img, { trusted_keys, target_id: opts.target, min_security_counter: opts.minSecurityCounter });
        if (opts.json) json({ ok: true, error: null, ...info });
        else process.stdout.write(`ok: ${formatVersion(info.version)} (security counter ${info.security_counter}), signed by ${info.key_id}, sha256 ${info.sha256}\n`);
      } catch (err) {
        if (!(err instanceof ImageError)) throw err;
        if (opts.json) json({ ok: false, error: err.code, message: err.message });
        else process.stdout.write(`refused: ${err.message}\n`);
        process.exitCode = EXIT_MISMATCH;
      }
    });
  image
    .command('info <image>')
    .description('what an image holds (header and trailer)')
    .option('--json', 'one JSON document')
    .action((file: string, opts: { json?: boolean }) => {
      const img = readFile(file, 'image');
      let info: ImageInfo;
      let hash_error: string | null = null;
      try {
        info = parseImage(img);
      } catch (err) {
        if (!(err instanceof ImageError) || err.code !== 'IMAGE_BAD_HASH') asUsage(err);
        hash_error = err.message;
        info = peekImage(img);
      }
      if (opts.json) json({ ...info, hash_ok: hash_error === null });
      else process.stdout.write(infoRows(info) + (hash_error ? `damaged    ${hash_error}\n` : ''));
    });

  registerRingImageCommands(image);
  registerFlash(program);
}

// ---------------------------------------------------------------------------------------
// Over the protocol, to a simulated ring booting from its flash.

interface SimImageOptions extends TransportCliOptions {
  flash?: string;
  trust?: string[];
  json?: boolean;
}

function addSimImageOptions(cmd: Command): Command {
  return addTransportOptions(cmd)
    .option('--flash <file>', 'the simulated ring\'s flash: loaded when it exists, saved afterwards')
    .option('--trust <file...>', 'public keys the ring\'s boot stage trusts (default the development key)')
    .option('--json', 'one JSON document');
}

interface RingSession {
  ring: BootedRing;
  client: RingClient;
  /** --capture / --trace: close() writes the capture. */
  taps: SessionTaps | null;
  save(): void;
}

function factoryFlash(): NorFlash {
  if (!fs.existsSync(PAYLOAD_DEFAULT)) throw new UsageError(`${PAYLOAD_DEFAULT} is missing: run 'make firmware-image' first (the simulated ring's factory image)`);
  const payload = new Uint8Array(fs.readFileSync(PAYLOAD_DEFAULT));
  const img = signImage(buildImage(payload, { version: { major: 1, minor: 0, patch: 0 }, security_counter: 0, build_hash: gitCommit() }), readSigningKey(DEV_KEY_FILE));
  const flash = new NorFlash();
  programSlot(flash, 0, img);
  return flash;
}

async function openRing(opts: SimImageOptions): Promise<RingSession> {
  if (opts.ringState !== undefined) throw new UsageError('image commands keep the simulated ring\'s flash in --flash, not --ring-state');
  const choice = resolveTransport(opts);
  const fixture = loadFixture(choice.fixture_path);
  let flash: NorFlash;
  if (opts.flash !== undefined && fs.existsSync(opts.flash)) {
    flash = new NorFlash();
    const data = readFile(opts.flash, 'flash file');
    if (data.length !== flash.data.length) throw new UsageError(`${opts.flash} is ${data.length} bytes: a flash file is ${flash.data.length}`);
    flash.data.set(data);
  } else {
    flash = factoryFlash();
  }
  const trusted_keys = (opts.trust ?? [DEV_KEY_FILE.replace(/\.json$/, '.pub.json')]).map((k) => readPublicKey(k));
  const ring = new BootedRing(fixture, { seed: choice.seed, rate_hz: choice.rate_hz, link: choice.link, flash, policy: { trusted_keys } });
  log().info({ device: ring.device.describe(), boot: ring.booted.events }, 'simulated ring booted from flash');
  // The ring's resets reboot the same device, so one tap sees the whole update.
  const { client, taps } = await connectSimulated(ring.device, opts, choice);
  attachKeys(client, opts); // an owned ring takes image commands under the owner's session
  return {
    ring, client, taps,
    save: () => {
      if (opts.flash !== undefined) writeFileAtomic(opts.flash, flash.data);
    },
  };
}

async function withRing<T>(opts: SimImageOptions, body: (s: RingSession) => Promise<T>): Promise<T> {
  const s = await openRing(opts);
  try {
    const r = await body(s);
    // Let the ring finish what it was asked (a reset after revert) before its flash is saved.
    await s.client.transport.clock.waitUntil(() => false, 100_000);
    s.save();
    return r;
  } catch (err) {
    if (err instanceof DeviceError) throw new UsageError(`${err.message}`);
    throw err;
  } finally {
    await s.client.close();
    s.taps?.close();
  }
}

function slotDoc(state: ImageStateView, slot: number): Record<string, unknown> {
  const s = slot === 0 ? state.slot_a : state.slot_b;
  const flags: string[] = [];
  if (state.active === slot) flags.push('confirmed');
  if (state.running === slot) flags.push('running');
  if (state.trial && state.running === slot) flags.push('trial');
  if (state.pending === slot) flags.push('pending');
  if (state.upload.slot === slot) flags.push(state.upload.off >= state.upload.len ? 'uploaded' : 'uploading');
  const ver = s.ver === undefined ? null : `${Math.floor(s.ver / 16777216)}.${Math.floor(s.ver / 65536) % 256}.${s.ver % 65536}`;
  return { slot: slot === 0 ? 'A' : 'B', version: ver, security_counter: s.sc ?? null, size_bytes: s.size ?? null, sha256: s.sha ? Buffer.from(s.sha).toString('hex') : null, flags };
}

function lastEvent(state: ImageStateView): string | null {
  if (state.last.type === ST_REJECT) return `slot ${state.last.slot === 0 ? 'A' : 'B'} rejected: ${rejectCode(state.last.reason) ?? state.last.reason}`;
  if (state.last.type === ST_REVERT) return `slot ${state.last.slot === 0 ? 'A' : 'B'} reverted: ${REVERT_REASON_NAMES[state.last.reason] ?? state.last.reason}`;
  return null;
}

function printState(state: ImageStateView, as_json: boolean | undefined): void {
  const slots = [slotDoc(state, 0), slotDoc(state, 1)];
  if (as_json) {
    json({ slots, min_security_counter: state.min_sc, upload: state.upload.slot === 255 ? null : state.upload, last_event: lastEvent(state) });
    return;
  }
  for (const s of slots) {
    process.stdout.write(`slot ${s.slot}  ${s.version ?? '(empty)'}  sc ${s.security_counter ?? '-'}  ${s.sha256 ? String(s.sha256).slice(0, 16) : ''}  ${(s.flags as string[]).join(' ')}\n`);
  }
  process.stdout.write(`min security counter ${state.min_sc}\n`);
  const last = lastEvent(state);
  if (last) process.stdout.write(`last: ${last}\n`);
}

function registerRingImageCommands(image: Command): void {
  addSimImageOptions(image.command('list').description('the ring\'s slots: versions, hashes, which runs, which is confirmed'))
    .action(async (opts: SimImageOptions) => {
      await withRing(opts, async ({ client }) => printState(await imageState(client), opts.json));
    });
  addSimImageOptions(image.command('test <sha256>').description('boot the uploaded image with this hash on trial at the next reset, and reset'))
    .action(async (sha: string, opts: SimImageOptions) => {
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new UsageError(`<sha256> must be 64 hex digits (ring image info shows it), got '${sha}'`);
      await withRing(opts, async ({ client }) => {
        const r = await imageTest(client, new Uint8Array(Buffer.from(sha, 'hex')));
        await imageReset(client);
        if (opts.json) json({ pending_slot: r.slot });
        else process.stdout.write(`slot ${r.slot === 0 ? 'A' : 'B'} boots on trial at this reset; confirm it with 'ring image confirm'\n`);
      });
    });
  addSimImageOptions(image.command('confirm').description('keep the image running on trial'))
    .action(async (opts: SimImageOptions) => {
      await withRing(opts, async ({ client }) => {
        const r = await imageConfirm(client);
        if (opts.json) json({ confirmed_slot: r.slot });
        else process.stdout.write(`slot ${r.slot === 0 ? 'A' : 'B'} confirmed\n`);
      });
    });
  addSimImageOptions(image.command('revert').description('end the trial: reset into the confirmed image'))
    .action(async (opts: SimImageOptions) => {
      await withRing(opts, async ({ client }) => {
        const r = await imageRevert(client);
        if (opts.json) json({ running_slot: r.slot });
        else process.stdout.write(`reverted: slot ${r.slot === 0 ? 'A' : 'B'} runs after the reset\n`);
      });
    });
}

/** One rewritten line on a TTY: phase, bytes, rate and ETA on the session's clock. */
class FlashProgress {
  private readonly enabled = Boolean(process.stderr.isTTY);
  private start_us = -1;
  private start_bytes = 0;

  update(p: UploadProgress): void {
    if (!this.enabled) return;
    const kb = (b: number) => (b / 1024).toFixed(1);
    if (p.phase === 'erase') {
      process.stderr.write(`\r\x1b[Kerasing  ${kb(p.done_bytes)}/${kb(p.total_bytes)} KB`);
      return;
    }
    if (this.start_us < 0) {
      this.start_us = p.at_us;
      this.start_bytes = p.done_bytes;
    }
    const dt_s = (p.at_us - this.start_us) / 1e6;
    const rate = dt_s > 0 ? (p.done_bytes - this.start_bytes) / dt_s : 0;
    const eta = rate > 0 ? (p.total_bytes - p.done_bytes) / rate : 0;
    const width = 30;
    const filled = Math.round((p.done_bytes / p.total_bytes) * width);
    process.stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${kb(p.done_bytes)}/${kb(p.total_bytes)} KB  ${(rate / 1000).toFixed(1)} kB/s  ETA ${eta.toFixed(1)} s`);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}

function registerFlash(program: Command): void {
  addSimImageOptions(
    program.command('flash <image>').description('update a ring: upload, test boot, health check, confirm (exit 1 when the ring refuses or reverts the image)'),
  ).action(async (file: string, opts: SimImageOptions) => {
    const img = readFile(file, 'image');
    try {
      parseImage(img);
    } catch (err) {
      asUsage(err);
    }
    const progress = new FlashProgress();
    const r = await withRing(opts, async ({ client }) => {
      try {
        return await flashImage(client, img, { onProgress: (p) => progress.update(p) });
      } finally {
        progress.done();
      }
    });
    const up = r.upload;
    const kBps = up.upload_us > 0 ? (up.image_bytes * 1000) / up.upload_us : 0;
    if (opts.json) {
      json({
        outcome: r.outcome, error: r.error, version: formatVersion(r.image.version), sha256: r.image.sha256,
        running_slot: r.running_slot === 0 ? 'A' : 'B', running_new_image: r.running_new_image,
        upload: { ...up, kBps: Math.round(kBps * 10) / 10 },
      });
    } else {
      const head = r.outcome === 'confirmed'
        ? `flashed ${formatVersion(r.image.version)}: running and confirmed in slot ${r.running_slot === 0 ? 'A' : 'B'}`
        : `not flashed: the ring ${r.outcome} the image (${r.error}); it keeps running slot ${r.running_slot === 0 ? 'A' : 'B'}`;
      process.stdout.write(`${head}\nuploaded ${up.image_bytes} bytes in ${(up.elapsed_us / 1e6).toFixed(2)} s (${kBps.toFixed(1)} kB/s, ${up.drops} drops, ${up.bytes_resent} bytes re-sent)\n`);
    }
    if (r.outcome !== 'confirmed') process.exitCode = EXIT_MISMATCH;
  });
}

