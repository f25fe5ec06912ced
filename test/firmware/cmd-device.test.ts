// Commands over the real request path (Write Commands -> reassembly -> dispatch ->
// notifications): device info, time, config and battery, each success path and each named
// error with its "key".

import t, { type Test } from 'tap';
import * as fw from '../../firmware/ring.js';
import {
  CAP_KNOWN,
  CBOR_DEPTH_MAX,
  CBOR_TEXT_MAX,
  CMD_BATTERY,
  CMD_CONFIG,
  CMD_DEVICE_INFO,
  CMD_STREAM_SUBSCRIBE,
  CMD_TIME,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_BUSY,
  ERR_MISSING_FIELD,
  ERR_UNKNOWN_COMMAND,
  ERR_UNKNOWN_FIELD,
  FRAME_SIZE_MAX,
  GROUP_BATTERY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_STREAM,
  GROUP_TIME,
  HISTORY_PAGE_RECORDS_MAX,
  OP_READ,
  OP_READ_RSP,
  OP_WRITE,
  OP_WRITE_RSP,
  PPG_BATCH_SAMPLES_MAX,
  PROTOCOL_VERSION,
  RX_BUFFER_COUNT,
  STREAM_PPG,
} from '../../protocol/ids.js';
import { PART_LOG_BYTES } from '../../firmware/flash-map.js';
import { time_drift_ppm_x10 } from '../../firmware/cmd/time.js';
import { FW_VERSION_MAJOR, FW_VERSION_MINOR, FW_VERSION_PATCH } from '../../firmware/config.js';
import { body, read, ready, write } from './ble-harness.js';

const EPOCH_2025 = 1735689600000; // 2025-01-01T00:00:00Z

function rc(t: Test, f: { body: unknown; header: { op: number } }, code: number, key?: string, what = ''): void {
  const b = f.body as { rc?: number; key?: string };
  t.equal(b.rc, code, `${what} rc ${code}`);
  if (key === undefined) t.notOk('key' in (b as object), `${what} no key`);
  else t.equal(b.key, key, `${what} key ${key}`);
}

t.test('device info', async (t) => {
  const ring = ready(25, 185);
  const f = read(ring, GROUP_DEVICE, CMD_DEVICE_INFO);
  t.equal(f.header.op, OP_READ_RSP);
  t.equal(f.header.flags, 0);
  const b = body(f);
  t.equal(b.fw, `${FW_VERSION_MAJOR}.${FW_VERSION_MINOR}.${FW_VERSION_PATCH}`);
  t.ok(b.build instanceof Uint8Array && (b.build as Uint8Array).length === 8, 'build hash: 8 bytes');
  t.same([...(b.build as Uint8Array)], [0, 0, 0, 0, 0, 0, 0, 0], 'default build hash: zeros');
  t.equal(b.proto, PROTOCOL_VERSION);
  t.equal(b.caps, CAP_KNOWN, 'every capability');
  t.same(b.limits, {
    frame_max: FRAME_SIZE_MAX,
    buf_count: RX_BUFFER_COUNT,
    depth_max: CBOR_DEPTH_MAX,
    text_max: CBOR_TEXT_MAX,
    page_max: HISTORY_PAGE_RECORDS_MAX,
    ppg_batch_max: PPG_BATCH_SAMPLES_MAX,
  });
  const log = b.log as Record<string, number>;
  t.same([log.capacity_bytes, log.used_bytes, log.first_seq, log.last_seq], [PART_LOG_BYTES, 0, 0, 0], 'an empty log on a blank flash');
  t.ok(log.summary_capacity_bytes > 0 && log.beats_capacity_bytes > 0, 'each ring has room');
  t.ok(log.summary_capacity_bytes + log.beats_capacity_bytes < PART_LOG_BYTES, 'headers and spare sectors take the rest');
  t.equal(b.mtu, 185, 'the negotiated MTU');
  t.equal(b.model, 'ring-sim-1');
  t.equal(b.serial, '00000001');
  rc(t, write(ring, GROUP_DEVICE, CMD_DEVICE_INFO), ERR_BAD_OP, undefined, 'write');
  t.equal(write(ring, GROUP_DEVICE, CMD_DEVICE_INFO).header.op, OP_WRITE_RSP, 'an error answers with the response op');
  rc(t, read(ring, GROUP_DEVICE, CMD_DEVICE_INFO, { verbose: true }), ERR_UNKNOWN_FIELD, 'verbose', 'non-empty request');
  rc(t, read(ring, GROUP_DEVICE, 9), ERR_UNKNOWN_COMMAND, undefined, 'command 9');
});

t.test('time get and set, drift estimate', async (t) => {
  const ring = ready();
  ring.hal.now_ms = 5000;
  let b = body(read(ring, GROUP_TIME, CMD_TIME));
  t.same(b, { now_ms: 5000, uptime_ms: 5000, synced: false }, 'before a set: device clock = uptime');
  b = body(write(ring, GROUP_TIME, CMD_TIME, { now_ms: EPOCH_2025 }));
  t.same(b, { offset_ms: EPOCH_2025 - 5000 }, 'offset = new clock - old clock; no drift yet');
  ring.hal.now_ms = 6000;
  b = body(read(ring, GROUP_TIME, CMD_TIME));
  t.same(b, { now_ms: EPOCH_2025 + 1000, uptime_ms: 6000, synced: true, last_sync_ms: EPOCH_2025 });
  // 100 s of host time later the device counted 100010 ms: 10 ms fast over 100010 device ms
  // = 99.99 ppm, 999 in ppm x10 (truncated).
  ring.hal.now_ms = 5000 + 100000 + 10;
  b = body(write(ring, GROUP_TIME, CMD_TIME, { now_ms: EPOCH_2025 + 100000 }));
  t.same(b, { offset_ms: -10, drift_ppm_x10: 999 }, 'device ahead: negative offset, positive drift');
  b = body(read(ring, GROUP_TIME, CMD_TIME));
  t.equal(b.drift_ppm_x10, 999, 'time get reports the last drift');
  // Less than 60 s later: no new estimate.
  ring.hal.now_ms += 30000;
  b = body(write(ring, GROUP_TIME, CMD_TIME, { now_ms: EPOCH_2025 + 130000 }));
  t.same(b, { offset_ms: 0 });
  // Errors.
  rc(t, write(ring, GROUP_TIME, CMD_TIME, {}), ERR_MISSING_FIELD, 'now_ms', 'empty set');
  rc(t, write(ring, GROUP_TIME, CMD_TIME, { now_ms: 1000 }), ERR_BAD_VALUE, 'now_ms', 'before 2020');
  rc(t, write(ring, GROUP_TIME, CMD_TIME, { now_ms: 4102444800001 }), ERR_BAD_VALUE, 'now_ms', 'after 2100');
  rc(t, write(ring, GROUP_TIME, CMD_TIME, { now_ms: 'soon' }), ERR_BAD_TYPE, 'now_ms', 'text');
  rc(t, write(ring, GROUP_TIME, CMD_TIME, { now_ms: EPOCH_2025, tz: 1 }), ERR_UNKNOWN_FIELD, 'tz', 'extra key');
  rc(t, read(ring, GROUP_TIME, CMD_TIME, { x: 1 }), ERR_UNKNOWN_FIELD, 'x', 'get with a key');
  rc(t, read(ring, GROUP_TIME, 1), ERR_UNKNOWN_COMMAND);
  t.equal(body(read(ring, GROUP_TIME, CMD_TIME)).now_ms, EPOCH_2025 + 130000, 'failed sets changed nothing');
});

t.test('drift arithmetic: truncation toward zero, clamping, exactness', async (t) => {
  t.equal(time_drift_ppm_x10(-10, 100000), 1000);
  t.equal(time_drift_ppm_x10(10, 100000), -1000);
  t.equal(time_drift_ppm_x10(0, 100000), 0);
  t.equal(time_drift_ppm_x10(-1, 3), 3333333, 'truncated');
  t.equal(time_drift_ppm_x10(1, 3), -3333333, 'toward zero');
  t.equal(time_drift_ppm_x10(-5000, 60000), 833333);
  t.equal(time_drift_ppm_x10(-70000, 60000), 10000000, 'clamped');
  t.equal(time_drift_ppm_x10(70000, 60000), -10000000);
  const span = 2 ** 48;
  t.equal(time_drift_ppm_x10(-(span - 1), span), 9999999, 'exact near 2^48');
  for (const [off, sp] of [[-123456, 9876543], [987, 60001], [-59999, 60000]] as const) {
    t.equal(time_drift_ppm_x10(off, sp), Number((BigInt(-off) * 10000000n) / BigInt(sp)), `${off}/${sp}`);
  }
});

t.test('config get and set', async (t) => {
  const ring = ready();
  const defaults = {
    sample_rate_hz: 25,
    hrv_short_s: 60,
    hrv_long_s: 300,
    stream: { ppg_decim: 1, ppg_batch: 25, hr_period_s: 0 },
    hrs: true,
    reboot_required: false,
  };
  t.same(body(read(ring, GROUP_CONFIG, CMD_CONFIG)), defaults, 'defaults, at the running rate');
  t.same(body(write(ring, GROUP_CONFIG, CMD_CONFIG, {})), defaults, 'an empty set returns the configuration');
  let b = body(write(ring, GROUP_CONFIG, CMD_CONFIG, { sample_rate_hz: 50, stream: { ppg_batch: 10 }, hrs: false }));
  t.same(b, { ...defaults, sample_rate_hz: 50, stream: { ...defaults.stream, ppg_batch: 10 }, hrs: false, reboot_required: false });
  t.equal(fw.config_sample_rate_hz(), 50, 'the configured rate');
  t.equal(fw.ring_sample_rate_hz(), 50, 'is applied at once: the pipeline restarted at 50 Hz');
  t.equal(fw.config_reboot_required(), 0, 'so nothing waits for a reboot');
  b = body(write(ring, GROUP_CONFIG, CMD_CONFIG, { sample_rate_hz: 25, hrv_short_s: 90, hrv_long_s: 120 }));
  t.equal(b.hrv_short_s, 90);
  t.equal(b.hrv_long_s, 120);
  t.equal(b.reboot_required, false, 'window lengths applied too');
  t.equal(fw.ring_hrv_short_s(), 90);
  t.equal(fw.ring_hrv_long_s(), 120);
  t.equal(fw.ring_sample_rate_hz(), 25);
  const before = body(read(ring, GROUP_CONFIG, CMD_CONFIG));
  const bad: [unknown, number, string][] = [
    [{ sample_rate_hz: 30 }, ERR_BAD_VALUE, 'sample_rate_hz'],
    [{ sample_rate_hz: -25 }, ERR_BAD_VALUE, 'sample_rate_hz'],
    [{ sample_rate_hz: '25' }, ERR_BAD_TYPE, 'sample_rate_hz'],
    [{ hrv_short_s: 45 }, ERR_BAD_VALUE, 'hrv_short_s'],
    [{ hrv_short_s: 150 }, ERR_BAD_VALUE, 'hrv_short_s'],
    [{ hrv_long_s: 330 }, ERR_BAD_VALUE, 'hrv_long_s'],
    [{ hrv_short_s: 120, hrv_long_s: 120 }, ERR_BAD_VALUE, 'hrv_long_s'],
    [{ hrs: 1 }, ERR_BAD_TYPE, 'hrs'],
    [{ stream: [] }, ERR_BAD_TYPE, 'stream'],
    [{ stream: { ppg_batch: 0 } }, ERR_BAD_VALUE, 'stream.ppg_batch'],
    [{ stream: { ppg_batch: 129 } }, ERR_BAD_VALUE, 'stream.ppg_batch'],
    [{ stream: { ppg_decim: 5 } }, ERR_BAD_VALUE, 'stream.ppg_decim'],
    [{ stream: { hr_period_s: 61 } }, ERR_BAD_VALUE, 'stream.hr_period_s'],
    [{ stream: { ppg_rate: 1 } }, ERR_UNKNOWN_FIELD, 'stream.ppg_rate'],
    [{ color: 'red' }, ERR_UNKNOWN_FIELD, 'color'],
    [{ hrs: true, sample_rate_hz: 100, volume: 3 }, ERR_UNKNOWN_FIELD, 'volume'],
  ];
  for (const [req, code, key] of bad) {
    rc(t, write(ring, GROUP_CONFIG, CMD_CONFIG, req), code, key, JSON.stringify(req));
  }
  t.same(body(read(ring, GROUP_CONFIG, CMD_CONFIG)), before, 'failed sets are atomic: nothing changed');
  rc(t, read(ring, GROUP_CONFIG, CMD_CONFIG, { hrs: true }), ERR_UNKNOWN_FIELD, 'hrs', 'get with a key');
  rc(t, read(ring, GROUP_CONFIG, 3), ERR_UNKNOWN_COMMAND);
  // BUSY: rate or decimation change while a PPG stream runs.
  t.equal(body(write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG })).kinds, STREAM_PPG);
  rc(t, write(ring, GROUP_CONFIG, CMD_CONFIG, { sample_rate_hz: 100 }), ERR_BUSY, 'sample_rate_hz', 'rate while streaming PPG');
  rc(t, write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_decim: 2 } }), ERR_BUSY, 'stream.ppg_decim', 'decim while streaming PPG');
  t.equal(body(write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_batch: 50 } })).stream && true, true, 'batch size may change');
});

t.test('battery', async (t) => {
  const ring = ready();
  ring.ble.battery = 64;
  t.same(body(read(ring, GROUP_BATTERY, CMD_BATTERY)), { level_pct: 64, mv: 3300 + 9 * 64, charging: false });
  rc(t, write(ring, GROUP_BATTERY, CMD_BATTERY), ERR_BAD_OP);
  rc(t, read(ring, GROUP_BATTERY, CMD_BATTERY, { now: 1 }), ERR_UNKNOWN_FIELD, 'now');
  rc(t, read(ring, GROUP_BATTERY, 1), ERR_UNKNOWN_COMMAND);
});

void OP_READ;
void OP_WRITE;
