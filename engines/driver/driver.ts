// The platform around the whole firmware (firmware/ring.ts) on an embedded engine: the PPG
// front end's FIFO and interrupt, the clock, the radio's ATT bearer, and a scripted BLE
// central, all replayed from one script (engines/driver/script.ts writes it). The same code
// runs on Node (engines/driver/node-host.ts), Duktape, JerryScript and Espruino, so their
// outputs compare byte for byte: what differs between engines is the engine.
//
// It stands in for native code on a ring, so it is written like firmware: every buffer is
// made before boot, nothing is allocated per sample or per PDU (its few hundred bytes of
// heap are counted with the firmware's, an upper bound). Plain ES5 after tsc: no Map, no
// closures over loop state, no string building (the host formats the output).
//
// Host natives (the global RingHost on an engine, an object on Node):
//   read(dst: Int32Array, max): number    next ints of the script (0 at its end)
//   record(kind, rec: Int32Array, n)      a record the firmware emitted through Hal.emit
//   pdu(pdu: Uint8Array, len)             an ATT PDU the firmware sent (taken by the link)
//   note(code, value)                     an event the outputs must agree on (return codes)
//   mark(phase)                           a heap checkpoint: MARK_BOOTED, MARK_END
//   flash_read(addr, dst, off, len)       optional: the ring's 1 MB NOR flash, held by the host
//   flash_write(addr, src, off, len)        in native memory (flash is not RAM: it must not take
//   flash_erase(addr)                       the engine's heap). Without them (Node) the driver
//                                           keeps a sparse flash of its own, same semantics.
//   flash_crc32(crc, buf, from, to)       optional: the platform's CRC-32 (FlashHal.flash_crc32),
//                                           handed to the firmware as is; without it (Node,
//                                           Espruino) the firmware computes its own.
//
// The flash (engines/host-common.h and the fallback below agree exactly): FLASH_SIZE_BYTES of
// FLASH_SECTOR_BYTES sectors, erased bytes read 0xFF, a write covers whole FLASH_UNIT_BYTES
// units and only clears bits (old & new), an erase sets a sector to 0xFF. A call outside the
// part, unaligned, not integral or overrunning its buffer returns FLASH_ERR_MISUSE and
// changes nothing; otherwise 0.
//
// Feeding schedule (as duk/host.c and sim/sensor/ppg-sensor.ts with no interrupt latency):
// sample k is taken at k * period; make max(1, watermark - fifo_count) more samples
// available (a full FIFO drops one and counts an overflow); the clock stands at the last
// sample made available; at the watermark, or when a SAMPLES op ends, the interrupt runs.

import type { FlashHal } from '../../firmware/hal.js';

export const SCRIPT_MAGIC = 0x52494e47; // "RING"
export const SCRIPT_VERSION = 1;
export const SCRIPT_HEADER_WORDS = 5; // magic, version, rate_hz, reserved (0), flags
/** flags: the firmware is not called; the driver drains the FIFO itself (the feed's own cost). */
export const FLAG_FEED_ONLY = 1;
/** flags: no radio attached (the radio-less ring). */
export const FLAG_NO_RADIO = 2;

export const OP_END = 0;
export const OP_SAMPLES = 1; // count, then count samples
export const OP_CONNECT = 2; // mtu
export const OP_DISCONNECT = 3;
export const OP_RX = 4; // length, then length bytes (one per int)
export const OP_TX_SPACE = 5;
export const OP_REFUSE = 6; // 1: the link's TX queue refuses PDUs, 0: takes them
export const OP_BATTERY = 7; // percent

export const MARK_BOOTED = 1;
export const MARK_END = 2;

export const NOTE_BOOT = 1;
export const NOTE_ATTACH = 2;
export const NOTE_RX_RC = 3;
export const NOTE_IRQ_SAMPLES = 4;
export const NOTE_OVERFLOW = 5;
export const NOTE_CONNECT = 6;
export const NOTE_REFUSED = 7;
export const NOTE_SCRIPT_ERROR = 9;

const FIFO_CAPACITY = 32; // the simulated front end's FIFO (sim/sensor/ppg-sensor.ts)
const IN_WORDS = 64;
const RX_BYTES_MAX = 517; // ATT_MTU_MAX
// firmware/config.ts SENSOR_BATCH_MS and MOTION_SPAN_MS, for the feed-only watermark (whole spans).
const BATCH_MS = 300;
const SPAN_MS = 100;

// The ring's flash part (firmware/flash-map.ts, sim/flash/nor-flash.ts NRF52840_FLASH).
export const FLASH_SIZE_BYTES = 0x100000;
export const FLASH_SECTOR_BYTES = 4096;
export const FLASH_UNIT_BYTES = 4;
export const FLASH_ERR_MISUSE = -3;
const FLASH_SECTORS = FLASH_SIZE_BYTES / FLASH_SECTOR_BYTES;

export interface HostNatives {
  read(dst: Int32Array, max: number): number;
  record(kind: number, rec: Int32Array, n: number): void;
  pdu(pdu: Uint8Array, len: number): void;
  note(code: number, value: number): void;
  mark(phase: number): void;
  flash_read?(addr: number, dst: Uint8Array, dst_offset: number, length: number): number;
  flash_write?(addr: number, src: Uint8Array, src_offset: number, length: number): number;
  flash_erase?(addr: number): number;
  flash_crc32?(crc: number, buf: Uint8Array, from: number, to: number): number;
}

export interface RingFirmwareApi {
  ring_boot(hal: unknown, rate_hz: number): number;
  ring_on_sensor_irq(): number;
  ring_ble_attach(ble: unknown, flash: unknown): number;
  ring_ble_connected(connected: number, mtu_bytes: number): void;
  ring_ble_rx(pdu: Uint8Array, length: number): number;
  ring_ble_tx_space(): void;
  /** firmware/auth: absent from builds before it. */
  ring_auth_attach?(hal: unknown, flash: unknown): number;
}

let host: HostNatives;
let fw: RingFirmwareApi;
const in_buf = new Int32Array(IN_WORDS);
let in_pos = 0;
let in_len = 0;
let in_end = 0;
const fifo = new Int32Array(FIFO_CAPACITY);
const drain = new Int32Array(FIFO_CAPACITY);
let fifo_head = 0;
let fifo_count = 0;
let watermark = 0;
let overflow_pending = 0;
let rate_hz = 0;
let period_us = 0;
let samples_taken = 0;
let now_ms = 0;
let refuse = 0;
let battery = 100;
let feed_only = 0;
const rx_pdu = new Uint8Array(RX_BYTES_MAX);
let flash_native = 0;
// The fallback flash: a sector gets storage at its first erase or write; null reads 0xFF.
let flash_sectors: (Uint8Array | null)[] | null = null;

function flash_int(v: number): boolean {
  return typeof v === "number" && v >= 0 && v % 1 === 0;
}

/** A range of the part and of a buffer, both in bounds: the checks the C hosts make too. */
function flash_span(addr: number, buf: Uint8Array, off: number, len: number): boolean {
  return flash_int(addr) && flash_int(off) && flash_int(len) && addr + len <= FLASH_SIZE_BYTES && off + len <= buf.length;
}

function flash_sector(s: number): Uint8Array {
  let sec = (flash_sectors as (Uint8Array | null)[])[s];
  if (sec === null) {
    sec = new Uint8Array(FLASH_SECTOR_BYTES);
    for (let i = 0; i < FLASH_SECTOR_BYTES; i++) sec[i] = 0xff;
    (flash_sectors as (Uint8Array | null)[])[s] = sec;
  }
  return sec;
}

/** A blank fallback flash (driver_run makes one for hosts without flash natives). */
export function flash_fallback_blank(): void {
  flash_sectors = [];
  for (let s = 0; s < FLASH_SECTORS; s++) flash_sectors.push(null);
}

export function js_flash_read(addr: number, dst: Uint8Array, off: number, len: number): number {
  if (!flash_span(addr, dst, off, len)) return FLASH_ERR_MISUSE;
  for (let i = 0; i < len; i++) {
    const a = addr + i;
    const sec = (flash_sectors as (Uint8Array | null)[])[Math.floor(a / FLASH_SECTOR_BYTES)];
    dst[off + i] = sec === null ? 0xff : sec[a % FLASH_SECTOR_BYTES];
  }
  return 0;
}

export function js_flash_write(addr: number, src: Uint8Array, off: number, len: number): number {
  if (!flash_span(addr, src, off, len) || addr % FLASH_UNIT_BYTES !== 0 || len % FLASH_UNIT_BYTES !== 0) return FLASH_ERR_MISUSE;
  for (let i = 0; i < len; i++) {
    const a = addr + i;
    const sec = flash_sector(Math.floor(a / FLASH_SECTOR_BYTES));
    const at = a % FLASH_SECTOR_BYTES;
    sec[at] = sec[at] & src[off + i];
  }
  return 0;
}

export function js_flash_erase(addr: number): number {
  if (!flash_int(addr) || addr % FLASH_SECTOR_BYTES !== 0 || addr + FLASH_SECTOR_BYTES > FLASH_SIZE_BYTES) return FLASH_ERR_MISUSE;
  const sec = flash_sector(addr / FLASH_SECTOR_BYTES);
  for (let i = 0; i < FLASH_SECTOR_BYTES; i++) sec[i] = 0xff;
  return 0;
}

function next_int(): number {
  if (in_pos === in_len) {
    if (in_end !== 0) return OP_END;
    in_len = host.read(in_buf, IN_WORDS);
    in_pos = 0;
    if (in_len <= 0) {
      in_len = 0;
      in_end = 1;
      return OP_END;
    }
  }
  const v = in_buf[in_pos];
  in_pos = in_pos + 1;
  return v;
}

// The HAL objects: methods close over nothing but module state.
const hal = {
  sensor_configure: function (sample_rate_hz: number, watermark_samples: number): number {
    if (sample_rate_hz !== rate_hz) return -1; // the script holds samples at one rate only
    if (watermark_samples < 1 || watermark_samples > FIFO_CAPACITY || watermark_samples % 1 !== 0) return -2;
    watermark = watermark_samples;
    fifo_head = 0;
    fifo_count = 0;
    overflow_pending = 0;
    return 0;
  },
  sensor_read: function (dst: Int32Array, max_count: number): number {
    let n = fifo_count;
    if (max_count < n) n = max_count < 0 ? 0 : max_count;
    if (dst.length < n) n = dst.length;
    for (let i = 0; i < n; i++) {
      dst[i] = fifo[fifo_head];
      fifo_head = fifo_head + 1 === FIFO_CAPACITY ? 0 : fifo_head + 1;
    }
    fifo_count = fifo_count - n;
    return n;
  },
  sensor_overflow_count: function (): number {
    const n = overflow_pending;
    overflow_pending = 0;
    return n;
  },
  motion_activity_read: function (_dst: Int16Array, _max_count: number): number {
    return 0; // PPG only: the script carries no IMU (no figures: the firmware takes 0)
  },
  imu_read: function (_dst: Int16Array, _max_count: number): number {
    return 0;
  },
  imu_present: function (): boolean {
    return false; // no IMU: the motion tracker stays idle
  },
  clock_ms: function (): number {
    return now_ms;
  },
  emit: function (kind: number, record: Int32Array, field_count: number): void {
    host.record(kind, record, field_count);
  },
};

const ble = {
  att_send: function (pdu: Uint8Array, length: number): number {
    if (refuse !== 0) {
      host.note(NOTE_REFUSED, length);
      return -1;
    }
    host.pdu(pdu, length);
    return 0;
  },
  battery_percent: function (): number {
    return battery;
  },
};

// firmware/hal.ts AuthHal: a fixed xorshift stream (the scripts never pair) and off the charger.
let auth_rng = 0x9e3779b9;
const auth_hal = {
  random_u32: function (): number {
    auth_rng = auth_rng ^ (auth_rng << 13);
    auth_rng = auth_rng ^ (auth_rng >>> 17);
    auth_rng = auth_rng ^ (auth_rng << 5);
    return auth_rng >>> 0;
  },
  charging: function (): number {
    return 0;
  },
};

// firmware/hal.ts FlashHal over the host's natives or the fallback.
const flash: FlashHal = {
  flash_read: function (addr: number, dst: Uint8Array, dst_offset: number, length: number): number {
    if (flash_native !== 0) return (host.flash_read as NonNullable<HostNatives["flash_read"]>)(addr, dst, dst_offset, length);
    return js_flash_read(addr, dst, dst_offset, length);
  },
  flash_write: function (addr: number, src: Uint8Array, src_offset: number, length: number): number {
    if (flash_native !== 0) return (host.flash_write as NonNullable<HostNatives["flash_write"]>)(addr, src, src_offset, length);
    return js_flash_write(addr, src, src_offset, length);
  },
  flash_erase: function (addr: number): number {
    if (flash_native !== 0) return (host.flash_erase as NonNullable<HostNatives["flash_erase"]>)(addr);
    return js_flash_erase(addr);
  },
  flash_sector_bytes: function (): number {
    return FLASH_SECTOR_BYTES;
  },
  flash_write_unit_bytes: function (): number {
    return FLASH_UNIT_BYTES;
  },
  flash_size_bytes: function (): number {
    return FLASH_SIZE_BYTES;
  },
};

function irq(): void {
  if (feed_only !== 0) {
    // The feed's share alone: what the firmware's own drain would cost the HAL.
    hal.sensor_overflow_count();
    while (hal.sensor_read(drain, FIFO_CAPACITY) === FIFO_CAPACITY) {
      // bounded: the FIFO holds at most FIFO_CAPACITY samples
    }
    return;
  }
  const n = fw.ring_on_sensor_irq();
  if (n < 0) host.note(NOTE_IRQ_SAMPLES, n);
}

function feed(count: number): void {
  let left = count;
  while (left > 0) {
    let need = watermark - fifo_count;
    if (need < 1) need = 1;
    if (need > left) need = left;
    for (let k = 0; k < need; k++) {
      const x = next_int();
      if (fifo_count === FIFO_CAPACITY) {
        overflow_pending = overflow_pending + 1;
        host.note(NOTE_OVERFLOW, samples_taken);
      } else {
        let tail = fifo_head + fifo_count;
        if (tail >= FIFO_CAPACITY) tail = tail - FIFO_CAPACITY;
        fifo[tail] = x;
        fifo_count = fifo_count + 1;
      }
      samples_taken = samples_taken + 1;
    }
    left = left - need;
    // The clock at the last sample made available; period_us * samples stays below 2^53.
    now_ms = Math.floor(((samples_taken - 1) * period_us) / 1000);
    if (fifo_count >= watermark || left === 0) irq();
  }
}

function rx(): void {
  const len = next_int();
  if (len < 0 || len > RX_BYTES_MAX) {
    host.note(NOTE_SCRIPT_ERROR, len);
    in_end = 1;
    in_pos = in_len;
    return;
  }
  for (let i = 0; i < len; i++) rx_pdu[i] = next_int();
  // A view of exactly len bytes would allocate: the firmware takes the length argument.
  const rc = feed_only !== 0 ? 0 : fw.ring_ble_rx(rx_pdu, len);
  host.note(NOTE_RX_RC, rc);
}

/** Boot the firmware as the script's header says, then replay the script. Returns 0 or a negative error. */
export function driver_run(firmware: RingFirmwareApi, natives: HostNatives): number {
  fw = firmware;
  host = natives;
  in_pos = 0;
  in_len = 0;
  in_end = 0;
  if (next_int() !== SCRIPT_MAGIC || next_int() !== SCRIPT_VERSION) {
    host.note(NOTE_SCRIPT_ERROR, 0);
    return -1;
  }
  rate_hz = next_int();
  next_int(); // reserved (it held a RAM log's capacity; the log is on flash now)
  const flags = next_int();
  feed_only = flags & FLAG_FEED_ONLY;
  period_us = Math.floor(1000000 / rate_hz);
  samples_taken = 0;
  now_ms = 0;
  refuse = 0;
  auth_rng = 0x9e3779b9;
  battery = 100;
  watermark = 0;
  // A blank part per run. The fallback's sector table is made here, before boot.
  flash_native = typeof host.flash_read === "function" && typeof host.flash_write === "function" && typeof host.flash_erase === "function" ? 1 : 0;
  flash_sectors = null;
  if (flash_native === 0) flash_fallback_blank();
  // The platform's CRC-32 is the host's native itself, no JavaScript in between (as a ring's
  // SDK routine would be bound); the firmware takes it when it boots its flash users.
  if (typeof host.flash_crc32 === "function") flash.flash_crc32 = host.flash_crc32;
  if (feed_only !== 0) {
    hal.sensor_configure(rate_hz, Math.floor((rate_hz * SPAN_MS) / 1000) * Math.floor(BATCH_MS / SPAN_MS));
  } else {
    if ((flags & FLAG_NO_RADIO) === 0) {
      host.note(NOTE_ATTACH, fw.ring_ble_attach(ble, flash)); // before boot: the boot record is logged
      // The authentication state too, so the heap figures hold its buffers (a blank flash: no owner).
      if (typeof fw.ring_auth_attach === "function") fw.ring_auth_attach(auth_hal, flash);
    }
    const rc = fw.ring_boot(hal, rate_hz);
    host.note(NOTE_BOOT, rc);
    if (rc !== 0 || watermark === 0) return -2;
  }
  host.mark(MARK_BOOTED);
  for (let guard = 0; guard < 0x7fffffff; guard++) {
    const op = next_int();
    if (op === OP_END) break;
    if (op === OP_SAMPLES) feed(next_int());
    else if (op === OP_CONNECT) {
      const mtu = next_int();
      if (feed_only === 0) fw.ring_ble_connected(1, mtu);
      host.note(NOTE_CONNECT, mtu);
    } else if (op === OP_DISCONNECT) {
      if (feed_only === 0) fw.ring_ble_connected(0, 23);
      host.note(NOTE_CONNECT, 0);
    } else if (op === OP_RX) rx();
    else if (op === OP_TX_SPACE) {
      if (feed_only === 0) fw.ring_ble_tx_space();
    } else if (op === OP_REFUSE) refuse = next_int();
    else if (op === OP_BATTERY) battery = next_int();
    else {
      host.note(NOTE_SCRIPT_ERROR, op);
      break;
    }
  }
  host.mark(MARK_END);
  return 0;
}
