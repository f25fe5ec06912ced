// History log on NOR flash (docs/storage.md): append-only records with sequence numbers,
// written in CRC-checked blocks, in sectors with a header that carries the erase count.
//
// Two rings share the log partition's sectors: the SUMMARY ring (HRV windows, status
// records and any other kind: kept a week and more) and the BEATS ring (beats and per-beat
// heart rate: kept as long as space allows). Each ring's sectors are ordered by the first
// sequence in their header; new data goes to the ring's head sector. When a sector is
// needed, the store takes the free sector with the fewest erases; when none is left it
// reclaims the oldest BEATS sector (the oldest SUMMARY sector once SUMMARY holds its quota:
// 15/16 of the sectors, about 7.4 days of steady wear).
// Cold SUMMARY sectors would keep their erase count while BEATS sectors cycle, so a sector
// that falls LOG_WEAR_DELTA erases behind the most worn one is copied to the most worn free
// sector and its own sector goes back to the pool (static wear levelling).
//
// Power-fail safety: a block becomes visible only when its CRC checks; a sector header is
// written in two steps (format after erase: magic and erase count; open: ring and first
// sequence with a commit unit) so a cut at any point leaves either a usable sector or one
// the boot scan recognises and erases again; a copied sector counts only once its commit
// unit is written, and a sector is erased only after everything in it is copied or meant
// to be evicted. At boot the scan finds every ring's sectors, the end of each head sector
// (a torn block closes the sector: nothing after it is used), and the next sequence.
//
// Batching: records wait in a RAM block per ring (LOG_BLOCK_PAYLOAD_MAX bytes) and go to
// flash when the block is full, when the oldest one has waited its ring's bound (boot
// arguments: BEATS LOG_FLUSH_MS_DEFAULT = 5 s, SUMMARY LOG_SUMMARY_FLUSH_MS_DEFAULT = 5 min,
// as an HRV window comes once a minute and a block per window would double its flash cost),
// and before every history read. A power cut loses at most the last 5 s of beats and HR and
// the last 5 min of HRV windows and status records (at most one block per ring): records a
// host has read are always on flash.
//
// RAM: log_ram_bytes() = 2776 bytes of typed arrays, fixed, whatever the flash size.

import type { FlashHal } from "../hal.js";
import { assert } from "../lib/assert.js";
import * as out from "../output.js";
import { CRC32_RAM_BYTES, crc32_boot, crc32_end, crc32_start, crc32_update } from "./crc32.js";
import {
  KIND_MAX,
  CODEC_POS,
  CODEC_STATE_WORDS,
  REC_BYTES_MAX,
  REC_FIELDS_MAX,
  rec_decode,
  rec_decoded_count,
  rec_decoded_emitted_ms,
  rec_decoded_kind,
  rec_encode,
  rec_state_reset,
} from "./record-codec.js";

/** Fields stored per record: every record the firmware emits fits (>= OUT_RECORD_FIELDS_MAX). */
export const LOG_FIELDS_MAX = REC_FIELDS_MAX;
/** Sequences are u32 on the wire; the log is erased and restarts at 1 past this. */
export const LOG_SEQ_MAX = 0xfffffffe;
export const LOG_KIND_MAX = KIND_MAX;
/** Batched records go to flash at the latest this long after the first of them (config). */
export const LOG_FLUSH_MS_DEFAULT = 5000;
/** The same bound for the SUMMARY ring (HRV windows, status records). */
export const LOG_SUMMARY_FLUSH_MS_DEFAULT = 300000;
export const LOG_FLUSH_MS_MAX = 600000;
/** Payload bytes of one block: what a power cut can cost per ring at most. */
export const LOG_BLOCK_PAYLOAD_MAX = 240;
/** Erase-count lag that moves a cold sector's data (static wear levelling). */
export const LOG_WEAR_DELTA = 8;
/** SUMMARY's share of the partition's sectors, in sixteenths: a week of steady wear takes
 *  about 108 of 128 sectors (docs/storage.md), so 120 leave it a margin... */
export const LOG_SUMMARY_SIXTEENTHS = 15;
/** ...while BEATS keeps at least this many sectors besides the two spare ones. */
export const LOG_BEATS_SECTORS_MIN = 2;
/** Sectors a partition may have (loop bound); 512 KB of 4 KB sectors is 128. */
export const LOG_SECTORS_MAX = 1024;
export const LOG_SECTORS_MIN = 4;

export const LOG_RING_SUMMARY = 0;
export const LOG_RING_BEATS = 1;
export const LOG_RINGS = 2;

/** Status code of the record the store appends when it boots on an existing log. */
export const STATUS_LOG_RECOVERED = 4;

export const LOG_ERR_BAD_RECORD = -1;
export const LOG_ERR_NOT_BOOTED = -2;
export const LOG_ERR_FLASH = -3;
export const LOG_ERR_FULL = -4;

const FAULT_LOG = 70;

const MAGIC_FORMAT = 0x45474c52; // "RLGE"
// Its bytes as stored (little-endian): a header is checked byte by byte, without building
// the 32-bit word (beyond 2^27, an interpreter boxes it).
const MAGIC_B0 = MAGIC_FORMAT & 0xff;
const MAGIC_B1 = (MAGIC_FORMAT >>> 8) & 0xff;
const MAGIC_B2 = (MAGIC_FORMAT >>> 16) & 0xff;
const MAGIC_B3 = (MAGIC_FORMAT >>> 24) & 0xff;
const BLOCK_MARKER = 0xb1;
const BLOCK_HDR_BYTES = 16;
const HDR_A_RAW = 12; // magic, erase count, crc
const HDR_B_RAW = 12; // ring, first_seq, crc
const UNIT_MAX = 16;
const BLOCK_BYTES_MAX = BLOCK_HDR_BYTES + LOG_BLOCK_PAYLOAD_MAX + UNIT_MAX;
// A block being filled has room for one more record past the payload's end: the encoder
// writes it there and the store keeps it only when it ends within the payload, so a block
// is packed to its last byte instead of closed while a longest record could still not fit.
const PEND_BYTES = BLOCK_HDR_BYTES + LOG_BLOCK_PAYLOAD_MAX + REC_BYTES_MAX;
const HDR_BUF_BYTES = 64;
/** Payload bytes below which a sector's tail is not worth a block of its own. */
const BLOCK_TAIL_MIN = 32;

// Sector states from the header.
const SEC_UNKNOWN = 0; // no valid format: erase count unknown (never used, or erase cut short)
const SEC_FREE = 1; // formatted, not opened: ready for a ring
const SEC_USED = 2; // opened by a ring, committed
const SEC_STALE = 3; // formatted, open torn or copy uncommitted: erase before use

let fl!: FlashHal;
let booted = 0;
let part_addr = 0;
let part_sectors = 0;
let sector_bytes = 0;
let unit = 4;
let hdr_b_off = 0;
let commit_off = 0;
let data_off = 0;
let flush_ms = LOG_FLUSH_MS_DEFAULT;
let summary_flush_ms = LOG_SUMMARY_FLUSH_MS_DEFAULT;
// The earliest time a waiting batch reaches its ring's bound (poll_any 0: none waits), kept
// as batches start and are written: log_poll, called for every record and every tick, is
// then one comparison until a batch is due.
// Exported for the BLE layer's tick (ble/entry.ts), which calls log_poll only when one is due.
export let poll_any = 0;
export let poll_due_ms = 0;
let summary_quota = 0;

let hbuf!: Uint8Array; // header scratch
let hbuf_words!: Int32Array; // the same bytes as words: all-erased / all-zero checks a word at a time
let bbuf!: Uint8Array; // block scratch: boot scan, copies
let pend!: Uint8Array; // LOG_RINGS blocks being filled
let pend_state!: Float64Array; // LOG_RINGS * CODEC_STATE_WORDS
let cur!: Uint8Array; // LOG_RINGS blocks being read
let cur_state!: Float64Array;
let cur_rec!: Int32Array; // LOG_RINGS * LOG_FIELDS_MAX: the record each cursor is on
let ring_i!: Int32Array; // per ring, RI_* words
let ring_f!: Float64Array; // per ring, RF_* words (sequences: u32 exact)
let pend_views!: Uint8Array[];
let pend_state_views!: Float64Array[];
let cur_views!: Uint8Array[];
let cur_state_views!: Float64Array[];
let cur_rec_views!: Int32Array[];
let out_rec!: Int32Array; // the record log_read found

// ring_i words
const RI_HEAD = 0; // head sector index, -1 none
const RI_HEAD_OFF = 1; // next write offset in the head; sector_bytes when closed
const RI_SECTORS = 2;
const RI_PEND_COUNT = 3;
const RI_PEND_SINCE_MS = 4;
const RI_EPOCH = 5; // bumped when a sector of the ring is erased or moved
const RI_CUR_EPOCH = 6;
const RI_CUR_SECTOR = 7; // -1: cursor not placed
const RI_CUR_BLK = 8; // offset of the block the cursor is in
const RI_CUR_END = 9; // end of the payload in cur (bytes)
const RI_CUR_KIND = 10;
const RI_CUR_COUNT = 11;
const RI_CUR_VALID = 12;
const RI_WORDS = 13;
// ring_f words
const RF_FIRST = 0; // first sequence in flash, 0 none
const RF_LAST = 1; // last sequence in flash, 0 none
const RF_PEND_FIRST = 2;
const RF_PEND_LAST = 3;
const RF_CUR_SEQ = 4; // sequence of the record the cursor is on, 0: at the end
const RF_CUR_EMIT = 5;
const RF_CUR_SECTOR_FIRST = 6;
const RF_HEAD_FIRST = 7; // first sequence in the head's header
const RF_CUR_LO = 8; // the ring holds no record in [RF_CUR_LO, RF_CUR_SEQ) (RF_CUR_SEQ 0: none from it on)
const RF_WRITTEN = 9; // block bytes written since boot (rate for ring info)
const RF_WORDS = 10;

let next_seq = 1;
let max_ec = 0; // largest erase count seen (the guess for a sector whose count was lost)
let torn_blocks = 0; // discarded at the last boot
let write_errors = 0;
let erases = 0;
let migrations = 0;
let out_kind = 0;
let out_count = 0;
let out_emit = 0;

// Header fields read by sec_read().
let hs_state = 0;
let hs_ec = 0; // -1 when the sector has no valid format (then hs_blank says whether it may read erased)
// 0: the header could not be read; -1: it was read into hbuf and has no valid format, and
// whether it reads erased is checked there only when asked (take_sector asks for one
// sector per scan; a scan of a fresh partition reads 128 such headers).
let hs_blank = 0;
let hs_ring = 0;
let hs_first = 0;
let magic_crc = 0; // the running CRC over a header's magic bytes (log_alloc_boot)

/** Bytes of RAM the store's buffers take (typed arrays: 2776 bytes). */
export function log_ram_bytes(): number {
  return (
    HDR_BUF_BYTES + BLOCK_BYTES_MAX + LOG_RINGS * (BLOCK_BYTES_MAX + PEND_BYTES) + 2 * LOG_RINGS * CODEC_STATE_WORDS * 8 +
    LOG_RINGS * LOG_FIELDS_MAX * 4 + LOG_RINGS * (RI_WORDS * 4 + RF_WORDS * 8) + LOG_FIELDS_MAX * 4 + CRC32_RAM_BYTES
  );
}

// check-firmware: boot -- allocates the store's buffers once, at start-up
function log_alloc_boot(): void {
  hbuf = new Uint8Array(HDR_BUF_BYTES);
  put32(hbuf, 0, MAGIC_FORMAT);
  magic_crc = crc32_update(crc32_start(), hbuf, 0, 4);
  hbuf_words = new Int32Array(hbuf.buffer, 0, HDR_BUF_BYTES >> 2);
  bbuf = new Uint8Array(BLOCK_BYTES_MAX);
  pend = new Uint8Array(LOG_RINGS * PEND_BYTES);
  cur = new Uint8Array(LOG_RINGS * BLOCK_BYTES_MAX);
  pend_state = new Float64Array(LOG_RINGS * CODEC_STATE_WORDS);
  cur_state = new Float64Array(LOG_RINGS * CODEC_STATE_WORDS);
  cur_rec = new Int32Array(LOG_RINGS * LOG_FIELDS_MAX);
  ring_i = new Int32Array(LOG_RINGS * RI_WORDS);
  ring_f = new Float64Array(LOG_RINGS * RF_WORDS);
  out_rec = new Int32Array(LOG_FIELDS_MAX);
  pend_views = [];
  pend_state_views = [];
  cur_views = [];
  cur_state_views = [];
  cur_rec_views = [];
  for (let r = 0; r < LOG_RINGS; r++) {
    pend_views.push(pend.subarray(r * PEND_BYTES, (r + 1) * PEND_BYTES));
    cur_views.push(cur.subarray(r * BLOCK_BYTES_MAX, (r + 1) * BLOCK_BYTES_MAX));
    pend_state_views.push(pend_state.subarray(r * CODEC_STATE_WORDS, (r + 1) * CODEC_STATE_WORDS));
    cur_state_views.push(cur_state.subarray(r * CODEC_STATE_WORDS, (r + 1) * CODEC_STATE_WORDS));
    cur_rec_views.push(cur_rec.subarray(r * LOG_FIELDS_MAX, (r + 1) * LOG_FIELDS_MAX));
  }
  booted = 1;
}

function round_up(n: number): number {
  return Math.floor((n + unit - 1) / unit) * unit;
}

/**
 * Mount the log on flash[addr, addr + bytes) (whole sectors): scan it, recover from a cut,
 * and carry on after the newest record. now_ms is the ring's clock, for the recovery record.
 * Returns 0 or a negative error (bad geometry).
 */
export function log_store_boot(
  flash: FlashHal, addr: number, bytes: number, flush_after_ms: number, summary_flush_after_ms: number, now_ms: number,
): number {
  assert(LOG_FIELDS_MAX >= out.OUT_RECORD_FIELDS_MAX, FAULT_LOG);
  crc32_boot(flash); // each boot, before the buffers: the platform's CRC-32 or the firmware's tables
  if (booted === 0) log_alloc_boot();
  fl = flash;
  sector_bytes = flash.flash_sector_bytes();
  unit = flash.flash_write_unit_bytes();
  if (!(unit >= 1 && unit <= UNIT_MAX && (unit & (unit - 1)) === 0)) return LOG_ERR_FLASH;
  if (!(sector_bytes >= 1024 && sector_bytes % unit === 0 && addr % sector_bytes === 0 && bytes % sector_bytes === 0)) return LOG_ERR_FLASH;
  part_addr = addr;
  part_sectors = Math.floor(bytes / sector_bytes);
  if (!(part_sectors >= LOG_SECTORS_MIN && part_sectors <= LOG_SECTORS_MAX)) return LOG_ERR_FLASH;
  if (!(flush_after_ms >= 0 && flush_after_ms <= LOG_FLUSH_MS_MAX)) return LOG_ERR_BAD_RECORD;
  if (!(summary_flush_after_ms >= 0 && summary_flush_after_ms <= LOG_FLUSH_MS_MAX)) return LOG_ERR_BAD_RECORD;
  flush_ms = flush_after_ms;
  summary_flush_ms = summary_flush_after_ms;
  hdr_b_off = round_up(HDR_A_RAW);
  commit_off = hdr_b_off + round_up(HDR_B_RAW);
  data_off = commit_off + unit;
  summary_quota = Math.min(Math.floor((part_sectors * LOG_SUMMARY_SIXTEENTHS) / 16), part_sectors - 2 - LOG_BEATS_SECTORS_MIN);
  for (let i = 0; i < LOG_RINGS * RI_WORDS; i++) ring_i[i] = 0;
  for (let i = 0; i < LOG_RINGS * RF_WORDS; i++) ring_f[i] = 0;
  poll_due_update();
  torn_blocks = 0;
  write_errors = 0;
  const found = boot_scan();
  if (found > 0 && next_seq > 1) {
    // A boot on an existing log: say so in the log itself, with the blocks a cut tore.
    out_rec[out.STATUS_TIME_MS] = now_ms;
    out_rec[out.STATUS_CODE] = STATUS_LOG_RECOVERED;
    out_rec[out.STATUS_VALUE] = torn_blocks;
    log_append(out.OUT_KIND_STATUS, out_rec, out.STATUS_FIELDS, now_ms);
  }
  return 0;
}

/** 1 once log_store_boot ran. */
export function log_store_ready(): number {
  return booted;
}

// ------------------------------------------------------------------------------------
// Little-endian words in byte buffers.

function get32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

function all_equal(b: Uint8Array, from: number, to: number, v: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== v) return false;
  return true;
}

/**
 * all_equal over hbuf, a 32-bit word at a time when the range is whole words (every
 * sector scan reads each sector's header): a word of 0xFF bytes reads -1, of 0 bytes 0,
 * whatever the byte order.
 */
function hdr_all_equal(from: number, to: number, v: number): boolean {
  if (((from | to) & 3) !== 0 || (v !== 0xff && v !== 0)) return all_equal(hbuf, from, to, v);
  const w = v === 0 ? 0 : -1;
  const words = hbuf_words;
  for (let i = from >> 2; i < to >> 2; i++) if (words[i] !== w) return false;
  return true;
}

function sector_addr(s: number): number {
  return part_addr + s * sector_bytes;
}

// ------------------------------------------------------------------------------------
// Sector headers.

/** Read sector s's header into hs_*. */
function sec_read(s: number): void {
  hs_state = SEC_UNKNOWN;
  hs_ec = -1;
  hs_blank = 0;
  hs_ring = -1;
  hs_first = 0;
  if (fl.flash_read(part_addr + s * sector_bytes, hbuf, 0, data_off) < 0) return; // sector_addr(s), written out
  const magic = hbuf[0] === MAGIC_B0 && hbuf[1] === MAGIC_B1 && hbuf[2] === MAGIC_B2 && hbuf[3] === MAGIC_B3;
  // With the magic in place the format part's CRC starts from the magic's (computed at boot),
  // and the open part's CRC continues from it: each header byte runs through the CRC once.
  const format_crc = magic ? crc32_update(magic_crc, hbuf, 4, 8) : 0;
  if (!magic || crc32_end(format_crc) !== get32(hbuf, 8)) {
    hs_blank = -1;
    return;
  }
  hs_ec = get32(hbuf, 4);
  if (hs_ec > max_ec) max_ec = hs_ec;
  if (hdr_all_equal(hdr_b_off, data_off, 0xff)) {
    hs_state = SEC_FREE;
    return;
  }
  hs_state = SEC_STALE;
  const crc = crc32_end(crc32_update(format_crc, hbuf, hdr_b_off, hdr_b_off + 8));
  if (crc !== get32(hbuf, hdr_b_off + 8)) return;
  if (!hdr_all_equal(commit_off, data_off, 0)) return;
  const ring = get32(hbuf, hdr_b_off);
  if (ring >= LOG_RINGS) return;
  hs_state = SEC_USED;
  hs_ring = ring;
  hs_first = get32(hbuf, hdr_b_off + 4);
}

/** Erase sector s and format it with its new erase count. Returns 0 or LOG_ERR_FLASH. */
function sec_recycle(s: number, ec_before: number): number {
  erases = erases + 1;
  if (fl.flash_erase(sector_addr(s)) < 0) {
    write_errors = write_errors + 1;
    return LOG_ERR_FLASH;
  }
  const ec = ec_before + 1;
  if (ec > max_ec) max_ec = ec;
  for (let i = 0; i < hdr_b_off; i++) hbuf[i] = 0xff;
  put32(hbuf, 0, MAGIC_FORMAT);
  put32(hbuf, 4, ec);
  put32(hbuf, 8, crc32_end(crc32_update(crc32_start(), hbuf, 0, 8)));
  if (fl.flash_write(sector_addr(s), hbuf, 0, hdr_b_off) < 0) {
    write_errors = write_errors + 1;
    return LOG_ERR_FLASH;
  }
  return 0;
}

/** Write the open part of a FREE sector's header (its format is in hbuf from sec_read). */
function sec_open(s: number, ring: number, first_seq: number, commit: number): number {
  if (fl.flash_read(sector_addr(s), hbuf, 0, hdr_b_off) < 0) return LOG_ERR_FLASH;
  for (let i = hdr_b_off; i < data_off; i++) hbuf[i] = 0xff;
  put32(hbuf, hdr_b_off, ring);
  put32(hbuf, hdr_b_off + 4, first_seq);
  let crc = crc32_update(crc32_start(), hbuf, 0, 8);
  crc = crc32_end(crc32_update(crc, hbuf, hdr_b_off, hdr_b_off + 8));
  put32(hbuf, hdr_b_off + 8, crc);
  const len = commit !== 0 ? data_off - hdr_b_off : commit_off - hdr_b_off;
  if (commit !== 0) for (let i = commit_off; i < data_off; i++) hbuf[i] = 0;
  if (fl.flash_write(sector_addr(s) + hdr_b_off, hbuf, hdr_b_off, len) < 0) {
    write_errors = write_errors + 1;
    return LOG_ERR_FLASH;
  }
  return 0;
}

function sec_commit(s: number): number {
  for (let i = 0; i < unit; i++) hbuf[i] = 0;
  if (fl.flash_write(sector_addr(s) + commit_off, hbuf, 0, unit) < 0) {
    write_errors = write_errors + 1;
    return LOG_ERR_FLASH;
  }
  return 0;
}

// ------------------------------------------------------------------------------------
// Blocks.

let blk_first = 0;
let blk_last = 0;
let blk_len = 0;
let blk_total = 0;

/**
 * Read and check the block at offset off of sector s into buf. Returns 1 for a valid block
 * (blk_* set), 0 for erased space (the end of the data), -1 for anything else (torn).
 */
function blk_read(s: number, off: number, buf: Uint8Array): number {
  if (off + BLOCK_HDR_BYTES > sector_bytes) return 0;
  if (fl.flash_read(sector_addr(s) + off, buf, 0, BLOCK_HDR_BYTES) < 0) return -1;
  if (all_equal(buf, 0, BLOCK_HDR_BYTES, 0xff)) {
    // Erased header: the end, unless a cut left programmed bits further on in the unit run.
    return 0;
  }
  const len = buf[8] | (buf[9] << 8);
  if (buf[11] !== BLOCK_MARKER || len < 2 || len > LOG_BLOCK_PAYLOAD_MAX) return -1;
  const total = round_up(BLOCK_HDR_BYTES + len);
  if (off + total > sector_bytes) return -1;
  if (fl.flash_read(sector_addr(s) + off + BLOCK_HDR_BYTES, buf, BLOCK_HDR_BYTES, len) < 0) return -1;
  let crc = crc32_update(crc32_start(), buf, 0, 12);
  crc = crc32_end(crc32_update(crc, buf, BLOCK_HDR_BYTES, BLOCK_HDR_BYTES + len));
  if (crc !== get32(buf, 12)) return -1;
  blk_first = get32(buf, 0);
  blk_last = get32(buf, 4);
  if (blk_first < 1 || blk_last < blk_first) return -1;
  blk_len = len;
  blk_total = total;
  return 1;
}

// ------------------------------------------------------------------------------------
// Boot scan.

/** Find every ring's sectors, head, first and last sequence. Returns the USED sectors. */
function boot_scan(): number {
  max_ec = 0;
  let used = 0;
  for (let s = 0; s < part_sectors; s++) sec_read(s); // learn max_ec first
  for (let r = 0; r < LOG_RINGS; r++) {
    ring_i[r * RI_WORDS + RI_HEAD] = -1;
    ring_i[r * RI_WORDS + RI_CUR_SECTOR] = -1;
  }
  // A sector copy whose source was not erased yet: two USED sectors with the same ring and
  // first sequence hold the same blocks. The later one goes back to the pool.
  for (let s = 0; s < part_sectors; s++) {
    sec_read(s);
    if (hs_state !== SEC_USED) continue;
    const ring = hs_ring;
    const first = hs_first;
    const ec = hs_ec;
    for (let t = 0; t < s; t++) {
      sec_read(t);
      if (hs_state === SEC_USED && hs_ring === ring && hs_first === first) {
        sec_recycle(s, ec);
        break;
      }
    }
  }
  for (let r = 0; r < LOG_RINGS; r++) used = used + ring_rescan(r);
  next_seq = 1;
  for (let r = 0; r < LOG_RINGS; r++) {
    const head = ring_i[r * RI_WORDS + RI_HEAD];
    if (head < 0) continue;
    // The head's end: the first erased block header; a torn block closes the sector.
    let off = data_off;
    let last = ring_f[r * RF_WORDS + RF_HEAD_FIRST] - 1;
    const blocks_max = Math.floor(sector_bytes / BLOCK_HDR_BYTES);
    for (let b = 0; b < blocks_max; b++) {
      const rc = blk_read(head, off, bbuf);
      if (rc === 0) break;
      if (rc < 0) {
        torn_blocks = torn_blocks + 1;
        off = sector_bytes;
        break;
      }
      last = blk_last;
      off = off + blk_total;
    }
    ring_i[r * RI_WORDS + RI_HEAD_OFF] = off;
    ring_f[r * RF_WORDS + RF_LAST] = last > 0 ? last : 0;
    if (last + 1 > next_seq) next_seq = last + 1;
    // A head whose first block never completed still names its first sequence: never give
    // it again, so no two sectors of a ring share a first sequence (a lost record is a gap).
    const head_first = ring_f[r * RF_WORDS + RF_HEAD_FIRST];
    if (head_first + 1 > next_seq) next_seq = head_first + 1;
    if (ring_f[r * RF_WORDS + RF_FIRST] > last) ring_f[r * RF_WORDS + RF_FIRST] = 0; // only an empty head
  }
  return used;
}

/**
 * Count ring r's sectors and find its head (largest first sequence) and its oldest (smallest):
 * RF_FIRST gets the oldest's first sequence, RF_CUR_SECTOR_FIRST the head's. Returns the count.
 */
function ring_rescan(r: number): number {
  let count = 0;
  let head = -1;
  let head_first = 0;
  let oldest_first = 0;
  for (let s = 0; s < part_sectors; s++) {
    sec_read(s);
    if (hs_state !== SEC_USED || hs_ring !== r) continue;
    count = count + 1;
    if (head < 0 || hs_first > head_first) {
      head = s;
      head_first = hs_first;
    }
    if (oldest_first === 0 || hs_first < oldest_first) oldest_first = hs_first;
  }
  const ri = r * RI_WORDS;
  if (head !== ring_i[ri + RI_HEAD]) {
    ring_i[ri + RI_HEAD] = head;
    ring_i[ri + RI_HEAD_OFF] = sector_bytes; // a head found by a rescan is not written to
  }
  ring_i[ri + RI_SECTORS] = count;
  ring_f[r * RF_WORDS + RF_FIRST] = oldest_first;
  ring_f[r * RF_WORDS + RF_HEAD_FIRST] = head_first;
  return count;
}

// ------------------------------------------------------------------------------------
// Sector allocation, reclaim and wear levelling.

/** The oldest sector of ring r other than its head, -1 when it has none. */
function ring_oldest(r: number): number {
  const head = ring_i[r * RI_WORDS + RI_HEAD];
  let best = -1;
  let best_first = 0;
  for (let s = 0; s < part_sectors; s++) {
    if (s === head) continue;
    sec_read(s);
    if (hs_state !== SEC_USED || hs_ring !== r) continue;
    if (best < 0 || hs_first < best_first) {
      best = s;
      best_first = hs_first;
    }
  }
  return best;
}

/** Erase the oldest sector of ring r (its records are evicted). Returns 0 or an error. */
function ring_evict_oldest(r: number): number {
  const s = ring_oldest(r);
  if (s < 0) return LOG_ERR_FULL;
  sec_read(s);
  const rc = sec_recycle(s, hs_ec);
  ring_i[r * RI_WORDS + RI_EPOCH] = ring_i[r * RI_WORDS + RI_EPOCH] + 1;
  ring_rescan(r);
  return rc;
}

/**
 * A FREE sector for ring r, opened with first_seq: erases unusable sectors first, then
 * evicts (BEATS first; SUMMARY's own oldest once it holds its quota). One FREE sector is
 * kept in reserve for wear levelling. Returns the sector or a negative error.
 */
function take_sector(r: number, first_seq: number): number {
  let free_count = 0;
  let pick = -1;
  let pick_ec = 0;
  let dirty = -1;
  let dirty_ec = 0;
  let dirty_known = 0; // the first dirty sector's erase count was known
  let min_known = -1;
  // 1: the figures above stand for the partition as it is but for sector dirty, which the
  // last round recycled (its count was unknown, so min_known did not hold it): that sector
  // is read again and the next dirty one searched from it on, instead of a full scan (a
  // fresh partition formats two sectors before it opens one: three scans of every header).
  let carry = 0;
  for (let round = 0; round < part_sectors + 2; round++) {
    let full = 1;
    if (carry !== 0) {
      carry = 0;
      const d = dirty;
      sec_read(d);
      if (hs_state === SEC_FREE) {
        full = 0;
        if (min_known < 0 || hs_ec < min_known) min_known = hs_ec;
        free_count = free_count + 1;
        if (pick < 0 || hs_ec < pick_ec || (hs_ec === pick_ec && d < pick)) {
          pick = d;
          pick_ec = hs_ec;
        }
        // Every sector before d is FREE or USED (d was the first dirty one), as are those
        // between d and the next dirty one.
        dirty = -1;
        for (let s = d + 1; s < part_sectors; s++) {
          sec_read(s);
          if (hs_state !== SEC_FREE && hs_state !== SEC_USED) {
            dirty = s;
            dirty_known = hs_ec >= 0 ? 1 : 0;
            dirty_ec = hs_ec >= 0 ? hs_ec : hs_blank !== 0 && hdr_all_equal(0, hdr_b_off, 0xff) ? -2 : max_ec;
            break;
          }
        }
      } else if (hs_state !== SEC_USED) {
        full = 0; // still the first dirty sector (its erase or format failed)
        if (hs_ec >= 0 && (min_known < 0 || hs_ec < min_known)) min_known = hs_ec;
        dirty_known = hs_ec >= 0 ? 1 : 0;
        dirty_ec = hs_ec >= 0 ? hs_ec : hs_blank !== 0 && hdr_all_equal(0, hdr_b_off, 0xff) ? -2 : max_ec;
      }
    }
    if (full !== 0) {
      free_count = 0;
      pick = -1;
      pick_ec = 0;
      dirty = -1;
      dirty_ec = 0;
      dirty_known = 0;
      min_known = -1;
      for (let s = 0; s < part_sectors; s++) {
        sec_read(s);
        if (hs_ec >= 0 && (min_known < 0 || hs_ec < min_known)) min_known = hs_ec;
        if (hs_state === SEC_FREE) {
          free_count = free_count + 1;
          if (pick < 0 || hs_ec < pick_ec) {
            pick = s;
            pick_ec = hs_ec;
          }
        } else if (hs_state !== SEC_USED && dirty < 0) {
          dirty = s;
          dirty_known = hs_ec >= 0 ? 1 : 0;
          // A lost count: a blank sector (never formatted, or cut between erase and format) is
          // taken for the least worn; garbage (an erase cut short) for the most worn.
          dirty_ec = hs_ec >= 0 ? hs_ec : hs_blank !== 0 && hdr_all_equal(0, hdr_b_off, 0xff) ? -2 : max_ec;
        }
      }
    }
    if (dirty_ec === -2) dirty_ec = min_known > 0 ? min_known : 0;
    if (free_count >= 2 || (free_count === 1 && dirty < 0 && no_victim(r))) {
      const rc = sec_open(pick, r, first_seq, 1);
      if (rc < 0) {
        sec_recycle(pick, pick_ec); // a write error: format it again, try another
        continue;
      }
      return pick;
    }
    if (dirty >= 0) {
      sec_recycle(dirty, dirty_ec);
      if (dirty_known === 0) carry = 1;
      continue;
    }
    const victim = victim_ring(r);
    if (victim < 0) return LOG_ERR_FULL;
    ring_evict_oldest(victim);
  }
  return LOG_ERR_FULL;
}

/** The ring whose oldest sector goes when ring r needs space, -1 when none can. */
function victim_ring(r: number): number {
  const summary = ring_i[LOG_RING_SUMMARY * RI_WORDS + RI_SECTORS];
  const beats = ring_i[LOG_RING_BEATS * RI_WORDS + RI_SECTORS];
  if (r === LOG_RING_SUMMARY && summary >= summary_quota && summary >= 2) return LOG_RING_SUMMARY;
  if (beats >= 2) return LOG_RING_BEATS;
  if (summary >= 2) return LOG_RING_SUMMARY;
  return -1;
}

function no_victim(r: number): boolean {
  return victim_ring(r) < 0;
}

/**
 * Static wear levelling: when a USED sector with data has LOG_WEAR_DELTA fewer erases than
 * the most worn sector, copy its blocks to the most worn FREE sector (commit last) and erase
 * it; a ring's head moves with its data and takes its appends after the copied blocks. At
 * most one per call.
 */
function wear_level(): void {
  // Every sector's erase count is at most max_ec (the boot scan read them all, and every
  // erase since updated it), so no sector can lag more than max_ec: no scan needed.
  if (max_ec <= LOG_WEAR_DELTA) return;
  let cold = -1;
  let cold_ec = 0;
  let cold_ring = 0;
  let cold_first = 0;
  let target = -1;
  let target_ec = 0;
  let free_count = 0;
  for (let s = 0; s < part_sectors; s++) {
    sec_read(s);
    if (hs_state === SEC_FREE) {
      free_count = free_count + 1;
      if (target < 0 || hs_ec > target_ec) {
        target = s;
        target_ec = hs_ec;
      }
    } else if (hs_state === SEC_USED && !(s === ring_i[hs_ring * RI_WORDS + RI_HEAD] && ring_i[hs_ring * RI_WORDS + RI_HEAD_OFF] <= data_off)) {
      if (cold < 0 || hs_ec < cold_ec) {
        cold = s;
        cold_ec = hs_ec;
        cold_ring = hs_ring;
        cold_first = hs_first;
      }
    }
  }
  if (cold < 0 || target < 0 || free_count < 1 || max_ec - cold_ec <= LOG_WEAR_DELTA || target_ec <= cold_ec) return;
  if (sec_open(target, cold_ring, cold_first, 0) < 0) return;
  let off = data_off;
  const blocks_max = Math.floor(sector_bytes / BLOCK_HDR_BYTES);
  for (let b = 0; b < blocks_max; b++) {
    if (blk_read(cold, off, bbuf) !== 1) break;
    for (let i = BLOCK_HDR_BYTES + blk_len; i < blk_total; i++) bbuf[i] = 0xff;
    if (fl.flash_write(sector_addr(target) + off, bbuf, 0, blk_total) < 0) {
      write_errors = write_errors + 1;
      return; // uncommitted: the next boot or allocation erases it
    }
    off = off + blk_total;
  }
  if (sec_commit(target) < 0) return;
  migrations = migrations + 1;
  const ri = cold_ring * RI_WORDS;
  ring_i[ri + RI_EPOCH] = ring_i[ri + RI_EPOCH] + 1;
  if (ring_i[ri + RI_HEAD] === cold) {
    ring_i[ri + RI_HEAD] = target;
    if (ring_i[ri + RI_HEAD_OFF] < sector_bytes) ring_i[ri + RI_HEAD_OFF] = off; // torn tails stay behind
  }
  sec_recycle(cold, cold_ec);
}

// ------------------------------------------------------------------------------------
// Appending.

/**
 * Append a record: kind 1..255, fields record[0..field_count), field_count 0..LOG_FIELDS_MAX,
 * emitted_ms the ring's clock. Returns its sequence (>= 1) or a negative LOG_ERR_*.
 */
let len_array: Int32Array | null = null; // log_append's record-length cache
let len_value = 0;

export function log_append(kind: number, record: Int32Array, field_count: number, emitted_ms: number): number {
  if (booted === 0 || part_sectors === 0) return LOG_ERR_NOT_BOOTED;
  if (!(kind >= 1 && kind <= LOG_KIND_MAX)) return LOG_ERR_BAD_RECORD;
  // record.length through a one-entry cache (a typed array's length is a getter call on an
  // interpreter, and the firmware appends from one record buffer; a length never changes).
  if (record !== len_array) {
    len_array = record;
    len_value = record.length;
  }
  if (!(field_count >= 0 && field_count <= LOG_FIELDS_MAX) || field_count > len_value) return LOG_ERR_BAD_RECORD;
  // 2^32 - 2 records later: hosts see last_seq drop. (LOG_SEQ_MAX is arithmetic in the
  // engines' bundle, beyond the small literals: tested only past a small one.)
  if (next_seq > 0x7fffff && next_seq > LOG_SEQ_MAX) log_erase_all();
  const r = kind === out.OUT_KIND_BEAT || kind === out.OUT_KIND_HR ? LOG_RING_BEATS : LOG_RING_SUMMARY; // ring_of(kind)
  const ri = r * RI_WORDS;
  const buf = pend_views[r];
  const state = pend_state_views[r];
  const seq = next_seq;
  let p = -1;
  // The ring's batch count, read once: a full block's flush below empties the batch (it
  // zeroes the count before anything that may fail).
  let count = ring_i[ri + RI_PEND_COUNT];
  for (let attempt = 0; attempt < 2 && p < 0; attempt++) {
    if (count === 0) {
      rec_state_reset(state, seq, BLOCK_HDR_BYTES);
      ring_f[r * RF_WORDS + RF_PEND_FIRST] = seq;
      ring_i[ri + RI_PEND_SINCE_MS] = emitted_ms;
    }
    // Where the block being filled must end: a whole block, or less when the head sector has
    // room for a shorter one only, so blocks fill sectors to the end instead of leaving up to
    // a block's worth of each sector unused (a sector's tail too small for a useful block is
    // left, and the next block opens a fresh sector). Written out here: it runs per record.
    const head = ring_i[ri + RI_HEAD];
    let end = BLOCK_HDR_BYTES + LOG_BLOCK_PAYLOAD_MAX;
    if (head >= 0) {
      const room = ((sector_bytes - ring_i[ri + RI_HEAD_OFF]) / unit | 0) * unit;
      if (room < end && room >= BLOCK_HDR_BYTES + BLOCK_TAIL_MIN) end = room;
    }
    p = rec_encode(buf, end, state, seq, kind, record, field_count, emitted_ms);
    if (p < 0) {
      log_flush_ring(r); // the block is full: it goes to flash, the record starts the next
      count = 0;
    }
  }
  if (!(p > 0)) assert(false, FAULT_LOG); // an empty block holds any record (no call when it holds)
  next_seq = next_seq + 1;
  count = count + 1;
  ring_i[ri + RI_PEND_COUNT] = count;
  ring_f[r * RF_WORDS + RF_PEND_LAST] = seq;
  if (count === 1) poll_due_update(); // this record started its ring's batch
  if (poll_any !== 0 && emitted_ms >= poll_due_ms) log_poll(emitted_ms); // (no call when none is due)
  return seq;
}

/** Write every batch that has waited its ring's bound (call often: every record, every sample). */
export function log_poll(now_ms: number): void {
  if (booted === 0 || part_sectors === 0) return;
  if (poll_any === 0 || now_ms < poll_due_ms) return; // none due: the test below would flush none
  for (let r = 0; r < LOG_RINGS; r++) {
    const ri = r * RI_WORDS;
    const bound = r === LOG_RING_SUMMARY ? summary_flush_ms : flush_ms;
    if (ring_i[ri + RI_PEND_COUNT] > 0 && now_ms - ring_i[ri + RI_PEND_SINCE_MS] >= bound) log_flush_ring(r);
  }
}

/** poll_any and poll_due_ms from the rings' batches (after one starts or is written). */
function poll_due_update(): void {
  poll_any = 0;
  for (let r = 0; r < LOG_RINGS; r++) {
    const ri = r * RI_WORDS;
    if (ring_i[ri + RI_PEND_COUNT] === 0) continue;
    // As log_poll reads it: the Int32 word the batch's start time was stored in.
    const due = ring_i[ri + RI_PEND_SINCE_MS] + (r === LOG_RING_SUMMARY ? summary_flush_ms : flush_ms);
    if (poll_any === 0 || due < poll_due_ms) poll_due_ms = due;
    poll_any = 1;
  }
}

/** Write every waiting record to flash now (before a history read). Returns 0 or an error. */
export function log_sync(): number {
  if (booted === 0 || part_sectors === 0) return LOG_ERR_NOT_BOOTED;
  let rc = 0;
  for (let r = 0; r < LOG_RINGS; r++) {
    const one = log_flush_ring(r);
    if (one < 0) rc = one;
  }
  return rc;
}

/** Write ring r's batch as one block. Returns 0 or an error (the batch is then dropped). */
function log_flush_ring(r: number): number {
  const ri = r * RI_WORDS;
  const count = ring_i[ri + RI_PEND_COUNT];
  if (count === 0) return 0;
  const buf = pend_views[r];
  const len = pend_state_views[r][CODEC_POS] - BLOCK_HDR_BYTES;
  const first = ring_f[r * RF_WORDS + RF_PEND_FIRST];
  const last = ring_f[r * RF_WORDS + RF_PEND_LAST];
  put32(buf, 0, first);
  put32(buf, 4, last);
  buf[8] = len & 0xff;
  buf[9] = len >> 8;
  buf[10] = count > 255 ? 255 : count;
  buf[11] = BLOCK_MARKER;
  let crc = crc32_update(crc32_start(), buf, 0, 12);
  crc = crc32_end(crc32_update(crc, buf, BLOCK_HDR_BYTES, BLOCK_HDR_BYTES + len));
  put32(buf, 12, crc);
  const total = round_up(BLOCK_HDR_BYTES + len);
  for (let i = BLOCK_HDR_BYTES + len; i < total; i++) buf[i] = 0xff;
  ring_i[ri + RI_PEND_COUNT] = 0;
  poll_due_update();
  let rc = LOG_ERR_FLASH;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (ring_i[ri + RI_HEAD] < 0 || ring_i[ri + RI_HEAD_OFF] + total > sector_bytes) {
      const s = take_sector(r, first);
      if (s < 0) return s;
      ring_i[ri + RI_HEAD] = s;
      ring_i[ri + RI_HEAD_OFF] = data_off;
      ring_i[ri + RI_SECTORS] = ring_i[ri + RI_SECTORS] + 1;
      if (ring_f[r * RF_WORDS + RF_FIRST] === 0) ring_f[r * RF_WORDS + RF_FIRST] = first;
      wear_level();
    }
    const head = ring_i[ri + RI_HEAD];
    if (fl.flash_write(sector_addr(head) + ring_i[ri + RI_HEAD_OFF], buf, 0, total) >= 0) {
      rc = 0;
      break;
    }
    write_errors = write_errors + 1;
    ring_i[ri + RI_HEAD_OFF] = sector_bytes; // a worn sector: close it, try a fresh one
  }
  if (rc < 0) return rc;
  ring_i[ri + RI_HEAD_OFF] = ring_i[ri + RI_HEAD_OFF] + total;
  ring_i[ri + RI_EPOCH] = ring_i[ri + RI_EPOCH] + 1; // readers at the end look again
  ring_f[r * RF_WORDS + RF_WRITTEN] = ring_f[r * RF_WORDS + RF_WRITTEN] + total;
  ring_f[r * RF_WORDS + RF_LAST] = last;
  return 0;
}

/** Erase every sector of the log (privileged erase-history); the next record is sequence 1. */
export function log_erase_all(): number {
  if (booted === 0 || part_sectors === 0) return LOG_ERR_NOT_BOOTED;
  let rc = 0;
  for (let s = 0; s < part_sectors; s++) {
    sec_read(s);
    if (hs_state === SEC_FREE) continue;
    if (sec_recycle(s, hs_ec >= 0 ? hs_ec : max_ec) < 0) rc = LOG_ERR_FLASH;
  }
  for (let r = 0; r < LOG_RINGS; r++) {
    const ri = r * RI_WORDS;
    ring_i[ri + RI_HEAD] = -1;
    ring_i[ri + RI_HEAD_OFF] = 0;
    ring_i[ri + RI_SECTORS] = 0;
    ring_i[ri + RI_PEND_COUNT] = 0;
    ring_i[ri + RI_EPOCH] = ring_i[ri + RI_EPOCH] + 1;
    ring_f[r * RF_WORDS + RF_FIRST] = 0;
    ring_f[r * RF_WORDS + RF_LAST] = 0;
  }
  poll_due_update();
  next_seq = 1;
  return rc;
}

// ------------------------------------------------------------------------------------
// Reading by sequence.

/** Oldest sequence held in flash or waiting to be written, 0 when the log is empty. */
export function log_first_seq(): number {
  let first = 0;
  for (let r = 0; r < LOG_RINGS; r++) {
    const f = log_ring_first_seq(r);
    if (f > 0 && (first === 0 || f < first)) first = f;
  }
  return first;
}

/** Oldest sequence ring r holds, 0 when none. */
export function log_ring_first_seq(r: number): number {
  const f = ring_f[r * RF_WORDS + RF_FIRST];
  if (f > 0) return f;
  return ring_i[r * RI_WORDS + RI_PEND_COUNT] > 0 ? ring_f[r * RF_WORDS + RF_PEND_FIRST] : 0;
}

/**
 * Newest sequence given (0 when none since the log was made or erased). A power cut can
 * lose the newest records: last_seq then names records the log no longer holds.
 */
export function log_last_seq(): number {
  return next_seq - 1;
}

/**
 * Find the first record with sequence >= seq that flash holds (log_sync first for the
 * waiting ones). Returns its sequence, 0 when there is none; log_rec_* then read it.
 */
export function log_read(seq: number): number {
  if (booted === 0 || part_sectors === 0) return 0;
  let best = 0;
  let best_ring = -1;
  for (let r = 0; r < LOG_RINGS; r++) {
    const s = cursor_seek(r, seq);
    if (s > 0 && (best === 0 || s < best)) {
      best = s;
      best_ring = r;
    }
  }
  if (best_ring < 0) return 0;
  const ri = best_ring * RI_WORDS;
  out_kind = ring_i[ri + RI_CUR_KIND];
  out_count = ring_i[ri + RI_CUR_COUNT];
  out_emit = ring_f[best_ring * RF_WORDS + RF_CUR_EMIT];
  const src = cur_rec_views[best_ring];
  for (let i = 0; i < LOG_FIELDS_MAX; i++) out_rec[i] = i < out_count ? src[i] : 0;
  return best;
}

export function log_rec_kind(): number {
  return out_kind;
}

export function log_rec_field_count(): number {
  return out_count;
}

export function log_rec_field(index: number): number {
  assert(index >= 0 && index < LOG_FIELDS_MAX, FAULT_LOG);
  return out_rec[index];
}

/** The ring's clock (ms since its boot) when the record was emitted. */
export function log_rec_emitted_ms(): number {
  return out_emit;
}

/** Ring r's first record with sequence >= seq (cursor left on it); 0 when none. */
function cursor_seek(r: number, seq: number): number {
  const ri = r * RI_WORDS;
  const rf = r * RF_WORDS;
  const valid = ring_i[ri + RI_CUR_EPOCH] === ring_i[ri + RI_EPOCH] && ring_i[ri + RI_CUR_VALID] !== 0;
  if (valid && ring_f[rf + RF_CUR_LO] <= seq) {
    const at = ring_f[rf + RF_CUR_SEQ];
    if (at === 0 || at >= seq) return at; // nothing of this ring in [lo, at)
  } else {
    ring_i[ri + RI_CUR_VALID] = 1;
    ring_i[ri + RI_CUR_EPOCH] = ring_i[ri + RI_EPOCH];
    cursor_place(r, seq);
  }
  const steps_max = part_sectors * Math.floor(sector_bytes / 2);
  for (let i = 0; i < steps_max; i++) {
    const at = ring_f[rf + RF_CUR_SEQ];
    if (at === 0 || at >= seq) {
      ring_f[rf + RF_CUR_LO] = seq;
      return at;
    }
    cursor_next(r);
  }
  ring_i[ri + RI_CUR_VALID] = 0;
  return 0;
}

/** Put ring r's cursor on the first record of the sector that should hold seq. Returns its seq or 0. */
function cursor_place(r: number, seq: number): number {
  const ri = r * RI_WORDS;
  const rf = r * RF_WORDS;
  ring_f[rf + RF_CUR_SEQ] = 0;
  // The sector with the largest first sequence <= seq, else the oldest.
  let best = -1;
  let best_first = 0;
  let oldest = -1;
  let oldest_first = 0;
  for (let s = 0; s < part_sectors; s++) {
    sec_read(s);
    if (hs_state !== SEC_USED || hs_ring !== r) continue;
    if (hs_first <= seq && (best < 0 || hs_first > best_first)) {
      best = s;
      best_first = hs_first;
    }
    if (oldest < 0 || hs_first < oldest_first) {
      oldest = s;
      oldest_first = hs_first;
    }
  }
  if (best < 0) {
    best = oldest;
    best_first = oldest_first;
  }
  ring_i[ri + RI_CUR_SECTOR] = best;
  if (best < 0) return 0;
  ring_f[rf + RF_CUR_SECTOR_FIRST] = best_first;
  return cursor_block(r, best, data_off);
}

/** Load the block at off of sector s into ring r's cursor and decode its first record. */
function cursor_block(r: number, s: number, off: number): number {
  const ri = r * RI_WORDS;
  const buf = cur_views[r];
  const end = s === ring_i[ri + RI_HEAD] ? ring_i[ri + RI_HEAD_OFF] : sector_bytes;
  if (off >= end || blk_read(s, off, buf) !== 1) return cursor_next_sector(r, s);
  ring_i[ri + RI_CUR_SECTOR] = s;
  ring_i[ri + RI_CUR_BLK] = off;
  ring_i[ri + RI_CUR_END] = BLOCK_HDR_BYTES + blk_len;
  rec_state_reset(cur_state_views[r], blk_first, BLOCK_HDR_BYTES);
  return cursor_decode(r);
}

function cursor_decode(r: number): number {
  const ri = r * RI_WORDS;
  const rf = r * RF_WORDS;
  const seq = rec_decode(cur_views[r], ring_i[ri + RI_CUR_END], cur_state_views[r], cur_rec_views[r]);
  assert(seq > 0, FAULT_LOG); // the block's CRC passed: its records decode
  ring_f[rf + RF_CUR_SEQ] = seq;
  ring_f[rf + RF_CUR_EMIT] = rec_decoded_emitted_ms();
  ring_i[ri + RI_CUR_KIND] = rec_decoded_kind();
  ring_i[ri + RI_CUR_COUNT] = rec_decoded_count();
  return seq;
}

/** Step ring r's cursor to its next record (RF_CUR_SEQ 0 at the end). */
function cursor_next(r: number): number {
  const ri = r * RI_WORDS;
  if (cur_state_views[r][CODEC_POS] < ring_i[ri + RI_CUR_END]) return cursor_decode(r);
  const s = ring_i[ri + RI_CUR_SECTOR];
  const len = ring_i[ri + RI_CUR_END] - BLOCK_HDR_BYTES;
  return cursor_block(r, s, ring_i[ri + RI_CUR_BLK] + round_up(BLOCK_HDR_BYTES + len));
}

/**
 * Move ring r's cursor to the first record of the next sector (by first sequence) that has
 * one; sectors whose first block is torn or absent (a cut right after an open) are passed.
 */
function cursor_next_sector(r: number, s: number): number {
  const ri = r * RI_WORDS;
  const rf = r * RF_WORDS;
  let after = ring_f[rf + RF_CUR_SECTOR_FIRST];
  ring_f[rf + RF_CUR_SEQ] = 0;
  ring_i[ri + RI_CUR_SECTOR] = -1;
  for (let round = 0; round < part_sectors; round++) {
    let best = -1;
    let best_first = 0;
    for (let t = 0; t < part_sectors; t++) {
      if (t === s) continue;
      sec_read(t);
      if (hs_state !== SEC_USED || hs_ring !== r || hs_first <= after) continue;
      if (best < 0 || hs_first < best_first) {
        best = t;
        best_first = hs_first;
      }
    }
    if (best < 0) return 0;
    after = best_first;
    ring_f[rf + RF_CUR_SECTOR_FIRST] = best_first;
    const end = best === ring_i[ri + RI_HEAD] ? ring_i[ri + RI_HEAD_OFF] : sector_bytes;
    if (data_off < end && blk_read(best, data_off, cur_views[r]) === 1) {
      ring_i[ri + RI_CUR_SECTOR] = best;
      ring_i[ri + RI_CUR_BLK] = data_off;
      ring_i[ri + RI_CUR_END] = BLOCK_HDR_BYTES + blk_len;
      rec_state_reset(cur_state_views[r], blk_first, BLOCK_HDR_BYTES);
      return cursor_decode(r);
    }
  }
  return 0;
}

// ------------------------------------------------------------------------------------
// Figures for device info and tests.

/** Bytes of the partition. */
export function log_capacity_bytes(): number {
  return part_sectors * sector_bytes;
}

/** Bytes of the partition in use: written sectors (a head counts up to its write offset). */
export function log_used_bytes(): number {
  let used = 0;
  for (let r = 0; r < LOG_RINGS; r++) {
    const ri = r * RI_WORDS;
    const n = ring_i[ri + RI_SECTORS];
    if (n === 0) continue;
    const head_off = ring_i[ri + RI_HEAD_OFF];
    used = used + (n - 1) * sector_bytes + (head_off > sector_bytes ? sector_bytes : head_off);
  }
  return used;
}

/** Bytes ring r may hold: SUMMARY its quota, BEATS the rest but two spare sectors. */
export function log_ring_capacity_bytes(r: number): number {
  const sectors = r === LOG_RING_SUMMARY ? summary_quota : part_sectors - summary_quota - 2;
  return sectors * (sector_bytes - data_off);
}

/** Flash bytes ring r writes per day at the rate since boot (0 before a minute of uptime). */
export function log_ring_bytes_per_day(r: number, uptime_ms: number): number {
  if (!(uptime_ms >= 60000)) return 0;
  const uptime_s = Math.floor(uptime_ms / 1000);
  return Math.floor((ring_f[r * RF_WORDS + RF_WRITTEN] * 86400) / uptime_s); // < 2^53 for 10^10 bytes
}

/** Sectors ring r holds. */
export function log_ring_sectors(r: number): number {
  return ring_i[r * RI_WORDS + RI_SECTORS];
}

export function log_partition_sectors(): number {
  return part_sectors;
}

export function log_summary_quota_sectors(): number {
  return summary_quota;
}

/** Blocks the last boot found torn and discarded. */
export function log_torn_blocks(): number {
  return torn_blocks;
}

export function log_write_errors(): number {
  return write_errors;
}

export function log_migrations(): number {
  return migrations;
}

export function log_erases(): number {
  return erases;
}

/** Records waiting in RAM for their block to be written. */
export function log_pending_records(): number {
  let n = 0;
  for (let r = 0; r < LOG_RINGS; r++) n = n + ring_i[r * RI_WORDS + RI_PEND_COUNT];
  return n;
}
