// Power-loss sweep of the history log (firmware/store/log-store.ts) on the NOR flash model.
//
// A seeded workload (beats, per-beat HR, HRV windows, status records, batch flushes driven
// by the ring's clock, host reads that sync the log, reads by sequence) runs on a small
// log partition (12 sectors of 1 KB, so sector reclaim and wear levelling happen often).
// A dry run counts the flash operations; then each scenario replays the workload from a
// blank flash with the power cut at one operation: before it, after it, or during it
// (every torn-write prefix of a block or header write, with and without a half-programmed
// unit after the prefix; an interrupted erase). The ring reboots (log_store_boot on the same
// flash, nothing else kept), the invariants are checked, the workload continues to its end
// (in recovery scenarios a second cut hits one of the first operations after the reboot),
// and the invariants are checked again after a last clean reboot:
//   - no corrupt record: every record read back is one that was appended, bit-exact, once,
//     in increasing sequence;
//   - nothing completed is lost: every record whose block write completed before the cut is
//     read back, unless the log evicted it (BEATS records older than the ring's oldest
//     retained sector); SUMMARY records are never evicted by this workload, so all of them;
//   - the log keeps accepting appends: records appended after the reboot are read back;
//   - wear: after the workload, the most erased sector of the partition has at most
//     LOG_WEAR_DELTA + 2 erases more than the least erased one.
// A failing scenario is reported with everything needed to rerun it (seed, cut).

import * as log from '../../firmware/store/log-store.js';
import * as out from '../../firmware/output.js';
import { CODEC_POS, CODEC_STATE_WORDS, REC_FIELDS_MAX, rec_decode, rec_state_reset } from '../../firmware/store/record-codec.js';
import { Prng } from '../prng.js';
import { FlashPowerLoss, NorFlash, type CutPhase, type PowerCut } from './nor-flash.js';

export const SWEEP_SECTOR_BYTES = 1024;
export const SWEEP_SECTORS = 12;
export const SWEEP_FLUSH_MS = 5000;
export const SWEEP_SUMMARY_FLUSH_MS = 60000;
/** Allowed spread of erase counts across the partition after a workload. */
export const SWEEP_WEAR_SPREAD_MAX = log.LOG_WEAR_DELTA + 2;

export interface SweepOptions {
  seed: number;
  /** Workload steps (one beat each). */
  steps: number;
  write_unit_bytes?: number;
}

export interface Scenario {
  cut: PowerCut;
  /** A second cut, counted in operations after the reboot that follows the first. */
  recovery_cut?: PowerCut;
}

export interface ScenarioResult {
  scenario: Scenario;
  failures: string[];
  records_checked: number;
  /** The flash after the scenario (SWEEP_DEBUG only). */
  flash?: NorFlash;
}

interface Expected {
  kind: number;
  fields: number[];
  emitted_ms: number;
}

interface OpInfo {
  index: number;
  kind: 'read' | 'write' | 'erase';
  units: number;
}

/** Records the workload appends per step, with their clock; deterministic from the seed. */
class Workload {
  private readonly prng: Prng;
  step = 0;
  now_ms = 0;
  beat_index = 0;
  private next_hrv_ms = 60000;
  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  /** Run one step against the store; appended records go to exp. */
  run(exp: Map<number, Expected>): void {
    const p = this.prng;
    this.now_ms += p.nextInt(300, 1400);
    this.beat_index++;
    const ibi = p.nextInt(300, 1400);
    this.append(exp, out.OUT_KIND_BEAT, [this.now_ms - 150, ibi, p.nextInt(0, 1), p.nextInt(0, 100), p.nextInt(-5000, 90000), this.beat_index], this.now_ms);
    if (p.nextInt(0, 9) < 8) this.append(exp, out.OUT_KIND_HR, [this.now_ms - 150, p.nextInt(300, 2200), p.nextInt(0, 100)], this.now_ms);
    if (this.now_ms >= this.next_hrv_ms) {
      const f = [60, this.next_hrv_ms, p.nextInt(40, 120), p.nextInt(0, 1000), p.nextInt(3000, 15000), p.nextInt(0, 2000), p.nextInt(0, 2000), p.nextInt(0, 1000), p.nextInt(0, 1)];
      this.append(exp, out.OUT_KIND_HRV, f, this.now_ms);
      this.next_hrv_ms += 60000;
    }
    if (p.nextInt(0, 199) === 0) this.append(exp, out.OUT_KIND_STATUS, [this.now_ms, 3, p.nextInt(0, 2)], this.now_ms);
    log.log_poll(this.now_ms);
    if (p.nextInt(0, 39) === 0) log.log_sync(); // a host reads the log
    if (p.nextInt(0, 149) === 0) {
      // A host pages through a few records (cursors, sector scans).
      let s = p.nextInt(1, Math.max(1, log.log_last_seq()));
      for (let i = 0; i < 20; i++) {
        const got = log.log_read(s);
        if (got === 0) break;
        s = got + 1;
      }
    }
    this.step++;
  }

  private append(exp: Map<number, Expected>, kind: number, fields: number[], emitted_ms: number): void {
    const rec = Int32Array.from(fields);
    // Noted before the call: a power cut inside it may come after its block was written.
    const predicted = log.log_last_seq() + 1;
    exp.set(predicted, { kind, fields: [...rec], emitted_ms });
    const seq = log.log_append(kind, rec, fields.length, emitted_ms);
    if (seq !== predicted) throw new Error(`log_append returned ${seq}, expected ${predicted}, at step ${this.step}`);
  }
}

/** FlashHal that notes the sequences of every block write that completed. */
class ObservedFlash {
  readonly durable = new Set<number>();
  constructor(readonly nor: NorFlash) {}
  flash_read(addr: number, dst: Uint8Array, off: number, length: number): number {
    return this.nor.flash_read(addr, dst, off, length);
  }
  flash_write(addr: number, src: Uint8Array, off: number, length: number): number {
    let rc: number;
    try {
      rc = this.nor.flash_write(addr, src, off, length);
    } catch (err) {
      if (err instanceof FlashPowerLoss && err.cut.phase === 'after') this.complete(addr, src, off, length);
      // A write cut short whose block bytes all landed (only the 0xFF padding after the
      // payload, already erased, was left) is a whole block on flash: the store rightly
      // reads it back, so its records are durable too.
      else if (err instanceof FlashPowerLoss && this.blockLanded(addr, src, off, length)) this.complete(addr, src, off, length);
      throw err;
    }
    if (rc === 0) this.complete(addr, src, off, length);
    return rc;
  }
  flash_erase(addr: number): number {
    return this.nor.flash_erase(addr);
  }
  flash_sector_bytes(): number {
    return this.nor.flash_sector_bytes();
  }
  flash_write_unit_bytes(): number {
    return this.nor.flash_write_unit_bytes();
  }
  flash_size_bytes(): number {
    return this.nor.flash_size_bytes();
  }

  /** Header and payload bytes of a block write (marker byte 11, length at 8), 0 for any other write. */
  private static blockBytes(src: Uint8Array, off: number, length: number): number {
    if (length < 16 || src[off + 11] !== 0xb1) return 0;
    const used = 16 + (src[off + 8]! | (src[off + 9]! << 8));
    return used <= length ? used : 0;
  }

  /** Whether flash holds the block header and payload of the write at addr as they were meant. */
  private blockLanded(addr: number, src: Uint8Array, off: number, length: number): boolean {
    const used = ObservedFlash.blockBytes(src, off, length);
    if (used === 0) return false;
    for (let i = 0; i < used; i++) if (this.nor.data[addr + i] !== src[off + i]) return false;
    return true;
  }

  /** A block write (marker byte 11, CRC checked by the store later): its records are durable. */
  private complete(addr: number, src: Uint8Array, off: number, length: number): void {
    const u = this.nor.params.write_unit_bytes;
    const data_off = 2 * (Math.ceil(12 / u) * u) + u; // after the sector header (log-store.ts)
    const used = ObservedFlash.blockBytes(src, off, length);
    if (addr % this.nor.params.sector_bytes < data_off || used === 0) return;
    // The records of the block (the rings interleave sequences: decode, do not assume a range).
    const dv = new DataView(src.buffer, src.byteOffset + off, length);
    const len = used - 16;
    const block = src.subarray(off, used + off);
    const state = new Float64Array(CODEC_STATE_WORDS);
    rec_state_reset(state, dv.getUint32(0, true), 16);
    const fields = new Int32Array(REC_FIELDS_MAX);
    for (let i = 0; i < len && state[CODEC_POS] < 16 + len; i++) {
      const seq = rec_decode(block, 16 + len, state, fields);
      if (seq < 1) throw new Error('sweep: a block the store wrote does not decode');
      this.durable.add(seq);
    }
  }
}

function partition(nor: NorFlash): { addr: number; bytes: number } {
  return { addr: 0, bytes: nor.params.sector_bytes * SWEEP_SECTORS };
}

function makeFlash(opts: SweepOptions): NorFlash {
  return new NorFlash({
    size_bytes: SWEEP_SECTOR_BYTES * SWEEP_SECTORS,
    sector_bytes: SWEEP_SECTOR_BYTES,
    write_unit_bytes: opts.write_unit_bytes ?? 4,
    erase_sector_us: 85_000,
  });
}

function boot(flash: ObservedFlash, now_ms: number): number {
  const p = partition(flash.nor);
  return log.log_store_boot(flash, p.addr, p.bytes, SWEEP_FLUSH_MS, SWEEP_SUMMARY_FLUSH_MS, now_ms);
}

/** The flash operations of the fault-free workload: what the sweep cuts. */
export function dryRun(opts: SweepOptions): { ops: OpInfo[]; erases: number; wear: { min: number; max: number }; records: number; erase_counts: number[] } {
  const nor = makeFlash(opts);
  const ops: OpInfo[] = [];
  const unit = nor.params.write_unit_bytes;
  const exp = new Map<number, Expected>();
  const spy = new ObservedFlash(nor);
  const wrap = {
    flash_read: (a: number, d: Uint8Array, o: number, l: number) => {
      ops.push({ index: nor.op_count, kind: 'read', units: 0 });
      return spy.flash_read(a, d, o, l);
    },
    flash_write: (a: number, s: Uint8Array, o: number, l: number) => {
      ops.push({ index: nor.op_count, kind: 'write', units: l / unit });
      return spy.flash_write(a, s, o, l);
    },
    flash_erase: (a: number) => {
      ops.push({ index: nor.op_count, kind: 'erase', units: 0 });
      return spy.flash_erase(a);
    },
    flash_sector_bytes: () => spy.flash_sector_bytes(),
    flash_write_unit_bytes: () => spy.flash_write_unit_bytes(),
    flash_size_bytes: () => spy.flash_size_bytes(),
  };
  const p = partition(nor);
  if (log.log_store_boot(wrap, p.addr, p.bytes, SWEEP_FLUSH_MS, SWEEP_SUMMARY_FLUSH_MS, 0) !== 0) throw new Error('log_store_boot refused the sweep partition');
  const w = new Workload(opts.seed);
  for (let i = 0; i < opts.steps; i++) w.run(exp);
  return { ops, erases: nor.stats.erases, wear: nor.wear(), records: exp.size, erase_counts: [...nor.erase_counts] };
}

/** Every scenario of the full sweep: each operation, each phase, each torn prefix. */
export function allScenarios(ops: readonly OpInfo[], opts: { recovery_every: number; recovery_ops: number }): Scenario[] {
  const list: Scenario[] = [];
  for (const op of ops) {
    // After a read is before the next operation: reads get one scenario, the rest two.
    list.push({ cut: { op_index: op.index, phase: 'before' } });
    if (op.kind !== 'read') list.push({ cut: { op_index: op.index, phase: 'after' } });
    if (op.kind === 'write') {
      for (let u = 0; u < op.units; u++) {
        list.push({ cut: { op_index: op.index, phase: 'during', units_done: u } });
        list.push({ cut: { op_index: op.index, phase: 'during', units_done: u, partial_unit: true, seed: op.index * 131 + u } });
      }
    } else if (op.kind === 'erase') {
      for (let s = 1; s <= 2; s++) list.push({ cut: { op_index: op.index, phase: 'during', seed: op.index * 7 + s } });
    }
  }
  // Power lost again while the log recovers: a second cut in the first operations after
  // the reboot that follows a write or erase cut.
  const base = list.filter((s) => s.cut.phase === 'during');
  for (let i = 0; i < base.length; i += opts.recovery_every) {
    for (let j = 0; j < opts.recovery_ops; j++) {
      for (const phase of ['before', 'during'] as CutPhase[]) {
        list.push({ cut: base[i]!.cut, recovery_cut: { op_index: j, phase, units_done: 1, partial_unit: true, seed: i + j } });
      }
    }
  }
  return list;
}

/** Run one scenario; failures name each broken invariant. */
export function runScenario(opts: SweepOptions, scenario: Scenario): ScenarioResult {
  const failures: string[] = [];
  const nor = makeFlash(opts);
  let exp = new Map<number, Expected>();
  const flash = new ObservedFlash(nor);
  const keepDurable = (): Map<number, Expected> => new Map([...exp].filter(([seq]) => flash.durable.has(seq)));
  const w = new Workload(opts.seed);
  let records_checked = 0;
  const fail = (what: string): void => {
    if (failures.length < 5) failures.push(`${what} (at step ${w.step})`);
  };
  nor.armPowerCut(scenario.cut);
  let cut = false;
  let recovery_pending = scenario.recovery_cut !== undefined;
  const runSteps = (): void => {
    for (; w.step < opts.steps; ) {
      try {
        w.run(exp);
      } catch (err) {
        if (!(err instanceof FlashPowerLoss)) throw err;
        cut = true;
        w.step++; // the step the cut interrupted is over
        recover();
      }
    }
  };
  const recover = (): void => {
    // Reboot: only the flash survives. Records never completed are gone (their sequences
    // may be given again); a second cut may hit the recovery itself.
    exp = keepDurable();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (recovery_pending) {
          nor.armPowerCut({ ...scenario.recovery_cut!, op_index: nor.op_count + scenario.recovery_cut!.op_index });
          recovery_pending = false;
        }
        if (boot(flash, w.now_ms) !== 0) fail('boot refused the log');
        nor.disarmPowerCut();
        noteRecoveryRecord();
        records_checked += check(exp, flash.durable, fail, false);
        return;
      } catch (err) {
        if (!(err instanceof FlashPowerLoss)) throw err;
        exp = keepDurable();
      }
    }
    fail('the log did not recover in 3 boots');
  };
  const noteRecoveryRecord = (): void => {
    if (log.log_pending_records() === 0) return;
    const seq = log.log_last_seq();
    exp.set(seq, { kind: out.OUT_KIND_STATUS, fields: [w.now_ms, log.STATUS_LOG_RECOVERED, log.log_torn_blocks()], emitted_ms: w.now_ms });
  };
  try {
    if (boot(flash, 0) !== 0) throw new Error('log_store_boot refused the sweep partition');
  } catch (err) {
    if (!(err instanceof FlashPowerLoss)) throw err;
    cut = true;
    recover();
  }
  runSteps();
  if (!cut && scenario.cut.op_index < nor.op_count) fail('the power cut never happened');
  // The log keeps accepting appends: sync, a clean reboot, everything written is there.
  nor.disarmPowerCut();
  if (log.log_sync() !== 0) fail('log_sync failed after the workload');
  exp = keepDurable();
  if (boot(flash, w.now_ms) !== 0) fail('clean reboot refused the log');
  noteRecoveryRecord();
  records_checked += check(exp, flash.durable, fail, true);
  if (failures.length > 0 && process.env.SWEEP_DEBUG) failures.push(dumpSectors(nor));
  const wear = nor.wear();
  if (wear.max - wear.min > SWEEP_WEAR_SPREAD_MAX) fail(`wear spread ${wear.min}..${wear.max} beyond ${SWEEP_WEAR_SPREAD_MAX}`);
  return { scenario, failures, records_checked, ...(process.env.SWEEP_DEBUG ? { flash: nor } : {}) };
}

/** Read the whole log back and compare it with what was appended. Returns records read. */
function check(exp: Map<number, Expected>, durable: Set<number>, fail: (what: string) => void, final: boolean): number {
  const seen = new Set<number>();
  let prev = 0;
  let s = 1;
  let n = 0;
  const beats_first = log.log_ring_first_seq(log.LOG_RING_BEATS);
  for (let i = 0; i < 1_000_000; i++) {
    const seq = log.log_read(s);
    if (seq === 0) break;
    n++;
    if (seq <= prev || seen.has(seq)) fail(`sequence ${seq} out of order or twice`);
    seen.add(seq);
    prev = seq;
    s = seq + 1;
    const e = exp.get(seq);
    if (!e) {
      fail(`record ${seq} read back but never appended (or not completed)`);
      continue;
    }
    const count = log.log_rec_field_count();
    let same = log.log_rec_kind() === e.kind && log.log_rec_emitted_ms() === e.emitted_ms && count === e.fields.length;
    for (let k = 0; same && k < count; k++) same = log.log_rec_field(k) === e.fields[k];
    if (!same) {
      const fields = Array.from({ length: count }, (_, k) => log.log_rec_field(k));
      fail(`record ${seq} corrupt: kind ${log.log_rec_kind()} [${fields}] @${log.log_rec_emitted_ms()} instead of kind ${e.kind} [${e.fields}] @${e.emitted_ms}`);
    }
  }
  for (const [seq, e] of exp) {
    if (!durable.has(seq) || seen.has(seq)) continue;
    const beats = e.kind === out.OUT_KIND_BEAT || e.kind === out.OUT_KIND_HR;
    if (beats && (beats_first === 0 || seq < beats_first)) continue; // evicted: the oldest sectors
    fail(`completed record ${seq} (kind ${e.kind}) lost${final ? ' (final check)' : ''}`);
  }
  return n;
}

export function describeScenario(opts: SweepOptions, s: Scenario): string {
  const c = (x: PowerCut): string =>
    `${x.phase} op ${x.op_index}` + (x.units_done !== undefined ? ` units_done=${x.units_done}` : '') + (x.partial_unit ? ' +partial' : '') + (x.seed !== undefined ? ` seed=${x.seed}` : '');
  return `seed=${opts.seed} steps=${opts.steps} cut: ${c(s.cut)}` + (s.recovery_cut ? `; recovery cut: ${c(s.recovery_cut)} after reboot` : '');
}

/** The partition's sector headers and blocks, for a failure report. */
export function dumpSectors(nor: NorFlash): string {
  const lines: string[] = [];
  const dv = new DataView(nor.data.buffer);
  const sb = nor.params.sector_bytes;
  for (let i = 0; i < SWEEP_SECTORS; i++) {
    const a = i * sb;
    const magic = dv.getUint32(a, true).toString(16);
    const ec = dv.getUint32(a + 4, true);
    const ring = dv.getUint32(a + 12, true);
    const first = dv.getUint32(a + 16, true);
    const commit = dv.getUint32(a + 24, true).toString(16);
    const blocks: string[] = [];
    for (let off = 28; off + 16 <= sb; ) {
      if (dv.getUint32(a + off, true) === 0xffffffff) break;
      const len = dv.getUint16(a + off + 8, true);
      blocks.push(`${dv.getUint32(a + off, true)}..${dv.getUint32(a + off + 4, true)}`);
      if (nor.data[a + off + 11] !== 0xb1) { blocks.push('?'); break; }
      off += (16 + len + 3) & ~3;
    }
    lines.push(`sector ${i}: magic ${magic} ec ${ec} ring ${ring} first ${first} commit ${commit} blocks ${blocks.join(' ')}`);
  }
  return lines.join('\n');
}
