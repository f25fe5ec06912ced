// Fault sweeps of a firmware update (make faults; a seeded subset without RING_FAULTS=full).
//
// Power loss: a clean update of a 128 KB image (upload, test, reset, trial boot, confirm)
// is run once with every flash operation recorded; then, for every operation that changes
// the flash (write, erase), the update is run again from the same starting flash with the
// power cut at that operation: during it (a torn write: half its units programmed and one
// unit with a random subset of its bits; an interrupted erase: a random mix) and just after
// it. A cut before an operation leaves the same flash as a cut after the previous one, and
// a read changes nothing, so these are every flash state a single power loss can leave.
// The boot stage's own operations (trial, revert, provisioning records) are in the same
// run. After each cut the host keeps driving the update (reconnect, resume, test, confirm)
// until the new image is confirmed; every boot in between must run a valid image, the old
// one or the new one, and no reset may be a fault (an exception, a hang, a failed boot).

import { FlashPowerLoss, NorFlash, type PowerCut } from '../../sim/flash/nor-flash.js';
import { readState, type BootedRing } from '../../sim/boot/booted-ring.js';
import { SLOT_NONE } from '../../firmware/cmd/image-state.js';
import type { RingClient } from '../../host/client/client.js';
import { imageConfirm, imageReset, imageState, imageTest, uploadImage, type ImageStateView, type UploadResult } from '../../host/image/upload.js';
import { parseImage } from '../../host/image/format.js';
import { TimeoutError } from '../../host/client/errors.js';
import { DisconnectedError, TransportError } from '../../host/transport/transport.js';
import { bootRing, clientFor } from './image.js';

/** A flash part that remembers the index of every write and erase. */
export class RecordingFlash extends NorFlash {
  readonly modifying_ops: { index: number; kind: 'write' | 'erase'; units: number; addr: number }[] = [];

  override flash_write(addr: number, src: Uint8Array, src_offset: number, length: number): number {
    this.modifying_ops.push({ index: this.op_count, kind: 'write', units: length / this.params.write_unit_bytes, addr });
    return super.flash_write(addr, src, src_offset, length);
  }

  override flash_erase(addr: number): number {
    this.modifying_ops.push({ index: this.op_count, kind: 'erase', units: 0, addr });
    return super.flash_erase(addr);
  }

  /** A part with the same contents and wear, operations counted from 0. */
  static copyOf(src: NorFlash): RecordingFlash {
    const f = new RecordingFlash();
    f.data.set(src.data);
    f.erase_counts.set(src.erase_counts);
    return f;
  }
}

function isLinkError(err: unknown): boolean {
  return err instanceof DisconnectedError || err instanceof TimeoutError || err instanceof TransportError;
}

function slotSha(state: ImageStateView, slot: number): string {
  const s = slot === 0 ? state.slot_a : state.slot_b;
  return s.sha ? Buffer.from(s.sha).toString('hex') : '';
}

export interface DriveResult {
  attempts: number;
  uploads: UploadResult[];
}

/** Drive the update until the ring runs the new image confirmed; rides out drops and resets. */
export async function driveUpdate(ring: BootedRing, client: RingClient, image: Uint8Array, attempts_max = 30): Promise<DriveResult> {
  const info = parseImage(image);
  const sha = new Uint8Array(Buffer.from(info.sha256, 'hex'));
  const uploads: UploadResult[] = [];
  const clock = client.transport.clock;
  for (let attempt = 1; attempt <= attempts_max; attempt++) {
    try {
      await client.connect();
      const st = await imageState(client);
      if (!st.trial && slotSha(st, st.active) === info.sha256) return { attempts: attempt, uploads };
      if (st.trial && slotSha(st, st.running) === info.sha256) {
        await imageConfirm(client);
        continue;
      }
      uploads.push(await uploadImage(client, image, sha));
      await imageTest(client, sha);
      await imageReset(client);
      await clock.waitUntil(() => !client.transport.connected, 2_000_000);
    } catch (err) {
      if (!isLinkError(err)) throw err;
      await clock.waitUntil(() => false, 50_000); // the ring is resetting
    }
  }
  throw new Error(`the update did not complete in ${attempts_max} attempts`);
}

export interface ScenarioOutcome {
  label: string;
  ok: boolean;
  detail: string;
}

/** One update from `start` with an optional power cut; checks every boot and the end state. */
export async function runScenario(start: NorFlash, old_image: Uint8Array, new_image: Uint8Array, cut: PowerCut | null, label: string): Promise<ScenarioOutcome & { flash: RecordingFlash }> {
  const flash = RecordingFlash.copyOf(start);
  if (cut) flash.armPowerCut(cut);
  const old_sha = parseImage(old_image).sha256;
  const new_sha = parseImage(new_image).sha256;
  let ring: BootedRing;
  try {
    ring = bootRing(flash);
  } catch (err) {
    if (!(err instanceof FlashPowerLoss)) return { label, ok: false, detail: `first boot: ${(err as Error).message}`, flash };
    // The cut hit the ring's first boot: power comes back, it boots again.
    ring = bootRing(flash);
  }
  const client = clientFor(ring);
  try {
    await driveUpdate(ring, client, new_image);
  } catch (err) {
    return { label, ok: false, detail: `${(err as Error).message}; resets: ${describeResets(ring)}`, flash };
  } finally {
    await client.close();
  }
  const problems: string[] = [];
  for (const r of ring.resets) {
    if (r.decision === null) {
      if (r.interrupted === undefined) problems.push(`a reset without a decision (${r.cause})`);
    } else if (r.decision.sha256 !== old_sha && r.decision.sha256 !== new_sha) problems.push(`booted an unknown image ${r.decision.sha256}`);
    if (r.cause === 'fault' || r.cause === 'watchdog' || r.cause === 'self-test') problems.push(`reset by ${r.cause}: ${r.detail}`);
  }
  const state = readState(flash);
  if (ring.booted.info.sha256 !== new_sha || state.trial !== SLOT_NONE || state.active !== ring.booted.slot) {
    problems.push(`the new image is not running confirmed (booted ${ring.booted.info.sha256.slice(0, 12)}, active slot ${state.active}, trial ${state.trial})`);
  }
  return { label, ok: problems.length === 0, detail: problems.length ? `${problems.join('; ')}; resets: ${describeResets(ring)}` : '', flash };
}

function describeResets(ring: BootedRing): string {
  return ring.resets.map((r) => `${r.cause}${r.interrupted ? ' (cut in the boot stage)' : ''}${r.decision ? ` -> slot ${r.decision.slot}${r.decision.trial ? ' trial' : ''} [${r.decision.events.join(', ')}]` : ''}`).join(' | ');
}

/** The cuts of a sweep over the modifying operations of a clean run. */
export function cutsFor(ops: RecordingFlash['modifying_ops'], seed: number): { cut: PowerCut; label: string }[] {
  const cuts: { cut: PowerCut; label: string }[] = [];
  if (ops.length > 0) cuts.push({ cut: { op_index: ops[0].index, phase: 'before' }, label: `before op ${ops[0].index} (${ops[0].kind})` });
  for (const op of ops) {
    cuts.push({
      cut: { op_index: op.index, phase: 'during', units_done: Math.floor(op.units / 2), partial_unit: true, seed: seed + op.index },
      label: `during op ${op.index} (${op.kind}${op.kind === 'write' ? ` of ${op.units} units, torn` : ', interrupted'})`,
    });
    cuts.push({ cut: { op_index: op.index, phase: 'after' }, label: `after op ${op.index} (${op.kind})` });
  }
  return cuts;
}

/** Pick n of the cuts, spread and seeded (the bounded subset in make test). */
export function pickCuts<T>(all: T[], n: number, seed: number): T[] {
  if (n >= all.length) return all;
  const picked: T[] = [];
  const stride = all.length / n;
  for (let i = 0; i < n; i++) picked.push(all[Math.min(all.length - 1, Math.floor(i * stride + ((seed * 7919 + i * 104729) % Math.max(1, Math.floor(stride)))))]);
  return picked;
}

export { imageState };
