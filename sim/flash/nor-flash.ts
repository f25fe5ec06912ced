// A NOR flash part as the ring's firmware sees it through FlashHal (firmware/hal.ts):
// sectors erase to 0xFF, a write can only clear bits (new = old AND data), writes come in
// whole write units (4 bytes on nRF52-class internal flash: a parameter), every unit may be
// programmed at most write_limit times between erases, and each sector counts its erases
// against an endurance limit. Every operation takes the part's time, added to busy_us
// and reported to onBusy (the owner advances its virtual clock by it).
//
// Defaults: Nordic nRF52840 internal flash (NVMC), nRF52840 Product Specification v1.1,
// section "NVMC electrical specification": 1 MB in 256 pages of 4 KB, 32-bit word writes,
// t_WRITE 41 µs per word (max), t_ERASEPAGE 85 ms (max), n_WRITE 2 writes per word between
// erases, endurance 10 000 write/erase cycles.
//
// Power loss (`armPowerCut`): the cut hits one operation, counted from 0 over reads,
// writes and erases since the part was made, at one of three points:
//   before  the operation does nothing;
//   during  a write programs a prefix of its units (`units_done`), and the unit after the
//           prefix, when `partial_unit` is set, only a random subset of the bits it was to
//           clear; an erase leaves the sector an undefined mix (each bit the old value or 1,
//           drawn from the seeded PRNG), and counts as an erase cycle;
//   after   the operation completes.
// Then FlashPowerLoss is thrown: the firmware is gone (it cannot catch it: the subset has no
// try/catch) and the owner reboots it. The contents stay; nothing else does.

import type { FlashHal } from '../../firmware/hal.js';
import { Prng } from '../prng.js';

export interface NorFlashParams {
  size_bytes: number;
  sector_bytes: number;
  /** Smallest programmable unit; addresses and lengths of writes are multiples of it. */
  write_unit_bytes: number;
  /** Times a unit may be programmed between erases (nRF52840 n_WRITE = 2). */
  write_limit: number;
  write_unit_us: number;
  erase_sector_us: number;
  /** Read time per byte, in ns (memory-mapped: 1 wait state at 64 MHz per 32-bit word). */
  read_byte_ns: number;
  endurance_cycles: number;
}

export const NRF52840_FLASH: NorFlashParams = {
  size_bytes: 1024 * 1024,
  sector_bytes: 4096,
  write_unit_bytes: 4,
  write_limit: 2,
  write_unit_us: 41,
  erase_sector_us: 85_000,
  read_byte_ns: 8,
  endurance_cycles: 10_000,
};

export type CutPhase = 'before' | 'during' | 'after';

export interface PowerCut {
  /** Index of the operation hit (0 = the first operation after the part was made). */
  op_index: number;
  phase: CutPhase;
  /** During a write: units programmed completely before the cut (clamped to the write). */
  units_done?: number;
  /** During a write: the next unit gets a random subset of its bits programmed. */
  partial_unit?: boolean;
  /** Seeds the undefined bits (interrupted erase, partial unit). */
  seed?: number;
}

export class FlashPowerLoss extends Error {
  constructor(readonly cut: PowerCut, readonly op: string) {
    super(`power lost ${cut.phase} flash operation ${cut.op_index} (${op})`);
    this.name = 'FlashPowerLoss';
  }
}

/** A firmware bug caught by the part: misaligned or out-of-range access, over-programming. */
export class FlashMisuse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashMisuse';
  }
}

export const FLASH_OK = 0;
export const FLASH_ERR_WORN = -2;

export interface NorFlashStats {
  reads: number;
  writes: number;
  erases: number;
  bytes_read: number;
  bytes_written: number;
  busy_us: number;
}

export class NorFlash implements FlashHal {
  readonly params: NorFlashParams;
  readonly data: Uint8Array;
  readonly erase_counts: Uint32Array;
  readonly stats: NorFlashStats = { reads: 0, writes: 0, erases: 0, bytes_read: 0, bytes_written: 0, busy_us: 0 };
  /** Operations so far (the index the next one gets). */
  op_count = 0;
  onBusy: ((us: number) => void) | null = null;
  private readonly unit_writes: Uint8Array;
  private cut: PowerCut | null = null;
  private read_ns_carry = 0;

  constructor(params: Partial<NorFlashParams> = {}) {
    const p = { ...NRF52840_FLASH, ...params };
    for (const [k, v] of Object.entries(p)) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`flash ${k} must be a non-negative integer, got ${v}`);
    }
    const u = p.write_unit_bytes;
    if (u < 1 || u > 16 || (u & (u - 1)) !== 0) throw new RangeError(`flash write_unit_bytes must be 1, 2, 4, 8 or 16, got ${u}`);
    if (p.sector_bytes < 256 || p.sector_bytes % u !== 0) throw new RangeError(`flash sector_bytes must be >= 256 and a multiple of the write unit`);
    if (p.size_bytes < p.sector_bytes || p.size_bytes % p.sector_bytes !== 0) throw new RangeError('flash size_bytes must be a whole number of sectors');
    if (p.write_limit < 1) throw new RangeError('flash write_limit must be at least 1');
    // Kept as a literal, not the spread above: a spread's copy has a shape of its own that
    // dies with the part, so each simulated ring's flash (a CI run makes one per session)
    // sent the optimized code reading its parameters back to be compiled again.
    this.params = {
      size_bytes: p.size_bytes, sector_bytes: p.sector_bytes, write_unit_bytes: p.write_unit_bytes, write_limit: p.write_limit,
      write_unit_us: p.write_unit_us, erase_sector_us: p.erase_sector_us, read_byte_ns: p.read_byte_ns, endurance_cycles: p.endurance_cycles,
    };
    this.data = new Uint8Array(p.size_bytes).fill(0xff);
    this.erase_counts = new Uint32Array(p.size_bytes / p.sector_bytes);
    this.unit_writes = new Uint8Array(p.size_bytes / u);
  }

  get sector_count(): number {
    return this.erase_counts.length;
  }

  /** Cut the power at one operation (replaces any earlier plan). */
  armPowerCut(cut: PowerCut): void {
    if (!Number.isSafeInteger(cut.op_index) || cut.op_index < this.op_count) throw new RangeError(`power cut at operation ${cut.op_index}: already past it (${this.op_count})`);
    this.cut = { ...cut };
  }

  disarmPowerCut(): void {
    this.cut = null;
  }

  flash_sector_bytes(): number {
    return this.params.sector_bytes;
  }

  flash_write_unit_bytes(): number {
    return this.params.write_unit_bytes;
  }

  flash_size_bytes(): number {
    return this.params.size_bytes;
  }

  flash_read(addr: number, dst: Uint8Array, dst_offset: number, length: number): number {
    this.checkRange('read', addr, length);
    if (!Number.isSafeInteger(dst_offset) || dst_offset < 0 || dst_offset + length > dst.length) throw new FlashMisuse(`flash read: ${length} bytes do not fit the buffer at ${dst_offset}`);
    const cut = this.takeCut();
    if (cut !== null && cut.phase !== 'after') this.lose(cut, 'read');
    // A loop, not dst.set(data.subarray(...)): reads are a few bytes, and the view made per
    // read was a replay's largest garbage in the flash.
    const data = this.data;
    for (let i = 0; i < length; i++) dst[dst_offset + i] = data[addr + i]!;
    this.stats.reads++;
    this.stats.bytes_read += length;
    this.read_ns_carry += length * this.params.read_byte_ns;
    const us = Math.floor(this.read_ns_carry / 1000);
    this.read_ns_carry -= us * 1000;
    this.busy(us);
    if (cut !== null) this.lose(cut, 'read');
    return FLASH_OK;
  }

  flash_write(addr: number, src: Uint8Array, src_offset: number, length: number): number {
    const u = this.params.write_unit_bytes;
    this.checkRange('write', addr, length);
    if (addr % u !== 0 || length % u !== 0) throw new FlashMisuse(`flash write at ${addr} of ${length} bytes: not whole ${u}-byte units`);
    if (!Number.isSafeInteger(src_offset) || src_offset < 0 || src_offset + length > src.length) throw new FlashMisuse(`flash write: source too short`);
    const units = length / u;
    for (let i = 0; i < units; i++) {
      if (this.unit_writes[addr / u + i] >= this.params.write_limit) {
        throw new FlashMisuse(`flash write at ${addr + i * u}: unit programmed ${this.params.write_limit} times since its erase`);
      }
    }
    const cut = this.takeCut();
    if (cut !== null && cut.phase === 'before') this.lose(cut, 'write');
    if (this.isWorn(addr)) return FLASH_ERR_WORN;
    let done = units;
    if (cut !== null && cut.phase === 'during') done = Math.max(0, Math.min(units, cut.units_done ?? 0));
    for (let i = 0; i < done; i++) this.programUnit(addr + i * u, src, src_offset + i * u, null);
    if (cut !== null && cut.phase === 'during') {
      if (cut.partial_unit && done < units) this.programUnit(addr + done * u, src, src_offset + done * u, new Prng(cut.seed ?? 1));
      this.busy(done * this.params.write_unit_us);
      this.lose(cut, 'write');
    }
    this.stats.writes++;
    this.stats.bytes_written += length;
    this.busy(units * this.params.write_unit_us);
    if (cut !== null) this.lose(cut, 'write');
    return FLASH_OK;
  }

  flash_erase(addr: number): number {
    const s = this.params.sector_bytes;
    this.checkRange('erase', addr, s);
    if (addr % s !== 0) throw new FlashMisuse(`flash erase at ${addr}: not a sector start`);
    const cut = this.takeCut();
    if (cut !== null && cut.phase === 'before') this.lose(cut, 'erase');
    if (this.isWorn(addr)) return FLASH_ERR_WORN;
    const sector = addr / s;
    this.erase_counts[sector]++;
    this.stats.erases++;
    if (cut !== null && cut.phase === 'during') {
      // Interrupted: some cells reached the erased state, others did not.
      const prng = new Prng(cut.seed ?? 1);
      for (let i = addr; i < addr + s; i++) this.data[i] |= prng.nextU32() & 0xff;
      this.busy(prng.nextInt(0, this.params.erase_sector_us));
      this.lose(cut, 'erase');
    }
    this.data.fill(0xff, addr, addr + s);
    const u = this.params.write_unit_bytes;
    this.unit_writes.fill(0, addr / u, (addr + s) / u);
    this.busy(this.params.erase_sector_us);
    if (cut !== null) this.lose(cut, 'erase');
    return FLASH_OK;
  }

  /** The most and least erased sectors in [first, first + count). */
  wear(first = 0, count = this.sector_count): { min: number; max: number } {
    let min = Infinity;
    let max = 0;
    for (let i = first; i < first + count; i++) {
      min = Math.min(min, this.erase_counts[i]);
      max = Math.max(max, this.erase_counts[i]);
    }
    return { min, max };
  }

  private programUnit(addr: number, src: Uint8Array, off: number, partial: Prng | null): void {
    const u = this.params.write_unit_bytes;
    for (let j = 0; j < u; j++) {
      const want = src[off + j];
      // A partial unit clears only some of the bits it was to clear.
      const cleared = partial === null ? ~want & 0xff : ~want & 0xff & partial.nextU32();
      this.data[addr + j] &= ~cleared & 0xff;
    }
    this.unit_writes[addr / u]++;
  }

  private isWorn(addr: number): boolean {
    return this.erase_counts[Math.floor(addr / this.params.sector_bytes)] >= this.params.endurance_cycles;
  }

  private checkRange(op: string, addr: number, length: number): void {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length) || addr < 0 || length < 0 || addr + length > this.params.size_bytes) {
      throw new FlashMisuse(`flash ${op} of ${length} bytes at ${addr}: outside the ${this.params.size_bytes}-byte part`);
    }
  }

  private takeCut(): PowerCut | null {
    const index = this.op_count++;
    if (this.cut === null || this.cut.op_index !== index) return null;
    const cut = this.cut;
    this.cut = null;
    return cut;
  }

  private lose(cut: PowerCut, op: string): never {
    throw new FlashPowerLoss(cut, op);
  }

  private busy(us: number): void {
    if (us <= 0) return;
    this.stats.busy_us += us;
    if (this.onBusy !== null) this.onBusy(us);
  }
}
