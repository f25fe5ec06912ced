// Commands that talk to a ring over the protocol: `ring info`, `time`, `config`, `stream`,
// `history`, `battery`. For now the ring is simulated (--sim <fixture>); the link options
// are parsed once (transport-options.ts). Data goes to stdout (a table, --json: one JSON
// document, stream/history --ndjson: one object per line), logs to stderr.

import type { Command } from 'commander';
import {
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_BUSY,
  ERR_MISSING_FIELD,
  ERR_NOT_SUPPORTED,
  ERR_UNKNOWN_FIELD,
  HISTORY_PAGE_RECORDS_MAX,
  STREAM_BEATS,
  STREAM_HR,
  STREAM_HRV,
  STREAM_PPG,
  TIME_EPOCH_MS_MAX,
  TIME_EPOCH_MS_MIN,
} from '../../protocol/ids.js';
import { DeviceError } from '../client/errors.js';
import { readHistory, type HistoryResult } from '../client/history.js';
import type { ConfigChange, HistoryRecord, LogInfo, RingConfig, StreamItem, TimeInfo } from '../client/messages.js';
import { StreamSubscription } from '../client/stream.js';
import { probeClock, setTimeCompensated, simReceiveStamps, type ClockSample } from '../debug/time-sync.js';
import { UsageError, exitCodeFor, EXIT_INPUT } from './errors.js';
import { parseNonNegativeInt } from './options.js';
import { addTransportOptions, disconnectNotice, openSession, type DeviceSession, type TransportCliOptions } from './transport-options.js';
import { SimTransport } from '../transport/sim-transport.js';
import { AUTH_USER_ERROR_CODES } from './auth-errors.js';

interface OutputOptions {
  json?: boolean;
  ndjson?: boolean;
}

/** Device errors caused by what the user asked for: reported as bad input (exit 2). */
const USER_ERROR_CODES = new Set([ERR_BAD_VALUE, ERR_BAD_TYPE, ERR_UNKNOWN_FIELD, ERR_MISSING_FIELD, ERR_BUSY, ERR_NOT_SUPPORTED, ...AUTH_USER_ERROR_CODES]);

export function registerDeviceCommands(program: Command): void {
  registerInfo(program);
  registerBattery(program);
  registerTime(program);
  registerConfig(program);
  registerStream(program);
  registerHistory(program);
}

/** Run a command body with a session; close it; on a failure that is not the user's, say how to reproduce it. */
export async function withSession<T>(
  name: string,
  opts: TransportCliOptions,
  run: { recordFirst: boolean },
  body: (s: DeviceSession) => Promise<T>,
): Promise<T> {
  const session = await openSession(opts, run);
  try {
    const out = await body(session);
    // A fault that never fired must not pass for one the transfer survived.
    const notice = disconnectNotice(session);
    if (notice !== null) process.stderr.write(`${notice}\n`);
    return out;
  } catch (err) {
    if (err instanceof DeviceError && USER_ERROR_CODES.has(err.rc)) throw new UsageError(err.message);
    if (exitCodeFor(err) !== EXIT_INPUT) process.stderr.write(`reproduce: ring ${name} ${session.flags}\n`);
    throw err;
  } finally {
    await session.client.close();
    session.taps?.close();
    session.sim?.saveState();
  }
}

/** 31 days of simulated streaming: its µs stay exact integers. */
const STREAM_DURATION_S_MAX = 31 * 24 * 3600;

function parseStreamDurationS(text: string): number {
  const v = parseNonNegativeInt('--duration-s', text);
  if (v > STREAM_DURATION_S_MAX) throw new UsageError(`--duration-s must be at most ${STREAM_DURATION_S_MAX} (31 days), got '${text}'`);
  return v;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function json(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, (_k, v: unknown) => (v instanceof Int32Array ? Array.from(v) : v), 2) + '\n');
}

function ndjsonLine(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, (_k, v: unknown) => (v instanceof Int32Array ? Array.from(v) : v)) + '\n');
}

function rows(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

function clockText(ms: number): string {
  return ms >= TIME_EPOCH_MS_MIN ? new Date(ms).toISOString() : `${ms} ms since boot (time not set)`;
}

// ---------------------------------------------------------------------------------------

function registerInfo(program: Command): void {
  addTransportOptions(program.command('info').description('device information: firmware, build, capabilities, limits'))
    .option('--json', 'print one JSON document')
    .action(async (opts: TransportCliOptions & OutputOptions) => {
      await withSession('info', opts, { recordFirst: false }, async ({ client }) => {
        const info = await client.info();
        if (opts.json) return json(info);
        process.stdout.write(rows([
          ['firmware', info.fw], ['build', info.build], ['protocol', String(info.proto)],
          ['capabilities', `0x${info.caps.toString(16).padStart(2, '0')} (${info.cap_names.join(', ') || 'none'})`],
          ['MTU', String(info.mtu)],
          ['limits', Object.entries(info.limits).map(([k, v]) => `${k}=${v}`).join(' ')],
          ...(info.model ? [['model', info.model] as [string, string]] : []),
          ...(info.serial ? [['serial', info.serial] as [string, string]] : []),
          ...(info.log ? [['history log', logText(info.log)] as [string, string]] : []),
        ]));
      });
    });
}

function logText(l: LogInfo): string {
  const kb = (b: number): string => `${Math.round(b / 1024)} KB`;
  const held = l.summary_days_held === null || l.beats_hours_held === null
    ? 'retention: known after a minute of uptime'
    : `holds ${l.summary_days_held} days of HRV and status, ${l.beats_hours_held} h of beats at the current rate`;
  return `${kb(l.used_bytes)} of ${kb(l.capacity_bytes)} used, oldest seq ${l.first_seq} (beats from ${l.beats_first_seq}), newest ${l.last_seq}; ${held}`;
}

function registerBattery(program: Command): void {
  addTransportOptions(program.command('battery').description('battery level, voltage and charging state'))
    .option('--json', 'print one JSON document')
    .action(async (opts: TransportCliOptions & OutputOptions) => {
      await withSession('battery', opts, { recordFirst: false }, async ({ client }) => {
        const b = await client.battery();
        if (opts.json) return json(b);
        process.stdout.write(rows([['level', `${b.level_pct} %`], ['voltage', `${b.mv} mV`], ['charging', b.charging ? 'yes' : 'no']]));
      });
    });
}

// ---------------------------------------------------------------------------------------

interface TimeCliOptions extends TransportCliOptions, OutputOptions {
  set?: string;
}

function parseTimeSet(text: string): string {
  if (text === 'now') return text;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || !Number.isFinite(ms)) {
    throw new UsageError(`--set takes 'now' or an ISO 8601 time such as 2026-03-01T12:00:00Z, got '${text}'`);
  }
  // Date.parse rolls impossible days over (2026-02-30 becomes March 2): the calendar date
  // as written must exist.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw new UsageError(`--set: ${text.slice(0, 10)} is not a calendar date`);
  }
  if (ms < TIME_EPOCH_MS_MIN || ms >= TIME_EPOCH_MS_MAX) throw new UsageError(`--set: the ring accepts times from 2020-01-01 to 2100-01-01, got '${text}'`);
  return text;
}

function timeRows(t: TimeInfo): [string, string][] {
  const out: [string, string][] = [['now', clockText(t.now_ms)], ['uptime', `${t.uptime_ms} ms`], ['synced', t.synced ? 'yes' : 'no']];
  if (t.last_sync_ms !== undefined) out.push(['last sync', clockText(t.last_sync_ms)]);
  if (t.drift_ppm_x10 !== undefined) out.push(['drift', `${(t.drift_ppm_x10 / 10).toFixed(1)} ppm`]);
  return out;
}

function measuredJson(m: ClockSample): Record<string, unknown> {
  return { offset_ms: m.offset_ms, rtt_ms: m.rtt_us / 1000, method: m.method };
}

function measuredRows(m: ClockSample): [string, string][] {
  return [
    ['offset', `${m.offset_ms} ms (${m.method === 'receive-stamp' ? 'receive stamp' : `Cristian, within ${(m.rtt_us / 2000).toFixed(1)} ms`})`],
    ['round trip', `${(m.rtt_us / 1000).toFixed(3)} ms`],
  ];
}

function registerTime(program: Command): void {
  addTransportOptions(program.command('time').description("read the ring's clock and its measured offset from the host's, or set it (--set now | <iso>)"))
    .option('--set <when>', "set the clock: 'now' (the host's clock, latency compensated; with --sim the simulation's UTC) or an ISO 8601 time", parseTimeSet)
    .option('--json', 'print one JSON document')
    .action(async (opts: TimeCliOptions) => {
      await withSession('time', opts, { recordFirst: false }, async ({ client, device, transport }) => {
        // Receive stamps exist on the simulated link only; over BLE the round trip is measured (Cristian).
        const stamps = device === null || !(transport instanceof SimTransport) ? null : simReceiveStamps(device.link, () => transport.handles.frame_value);
        if (opts.set === undefined) {
          const m = await probeClock(client, stamps);
          if (opts.json) return json({ ...m.time, measured: measuredJson(m) });
          process.stdout.write(rows([...timeRows(m.time), ...measuredRows(m)]));
          return;
        }
        if (opts.set === 'now') {
          // Latency compensated: the measured offset goes to the ring as an adjustment.
          const c = await setTimeCompensated(client, stamps);
          const t = await client.timeGet();
          if (opts.json) return json({ adjust_ms: c.adjust_ms, set: c.set, before: measuredJson(c.before), after: measuredJson(c.after), time: t });
          process.stdout.write(rows([
            ['adjusted by', `${c.adjust_ms} ms`], ...measuredRows(c.after).map(([k, v]): [string, string] => [`${k} after`, v]), ...timeRows(t),
          ]));
          return;
        }
        const sent_ms = Date.parse(opts.set);
        const set = await client.timeSet(sent_ms);
        const t = await client.timeGet();
        if (opts.json) return json({ sent_ms, set, time: t });
        const out: [string, string][] = [['sent', new Date(sent_ms).toISOString()], ['offset', `${set.offset_ms} ms`]];
        if (set.drift_ppm_x10 !== undefined) out.push(['drift since last set', `${(set.drift_ppm_x10 / 10).toFixed(1)} ppm`]);
        process.stdout.write(rows([...out, ...timeRows(t)]));
      });
    });
}

// ---------------------------------------------------------------------------------------

const CONFIG_KEYS: Record<string, 'int' | 'bool'> = {
  sample_rate_hz: 'int', hrv_short_s: 'int', hrv_long_s: 'int', hrs: 'bool',
  'stream.ppg_decim': 'int', 'stream.ppg_batch': 'int', 'stream.hr_period_s': 'int',
};

/** key=value pairs into a config change; types checked here, ranges by the ring. */
export function parseConfigAssignments(pairs: string[]): ConfigChange {
  if (pairs.length === 0) throw new UsageError(`config set needs key=value pairs; keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
  const change: Record<string, unknown> = {};
  const stream: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`config set: expected key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const type = CONFIG_KEYS[key];
    if (type === undefined) throw new UsageError(`config set: unknown key '${key}'; keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
    let value: number | boolean;
    if (type === 'bool') {
      if (text !== 'true' && text !== 'false') throw new UsageError(`config set: ${key} takes true or false, got '${text}'`);
      value = text === 'true';
    } else {
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`config set: ${key} takes a non-negative integer, got '${text}'`);
      value = Number(text);
    }
    const target = key.startsWith('stream.') ? stream : change;
    const name = key.startsWith('stream.') ? key.slice('stream.'.length) : key;
    if (name in target) throw new UsageError(`config set: ${key} given twice`);
    target[name] = value;
  }
  if (Object.keys(stream).length > 0) change.stream = stream;
  return change as ConfigChange;
}

function configRows(c: RingConfig): [string, string][] {
  return [
    ['sample_rate_hz', String(c.sample_rate_hz)], ['hrv_short_s', String(c.hrv_short_s)], ['hrv_long_s', String(c.hrv_long_s)],
    ['hrs', String(c.hrs)], ['stream.ppg_decim', String(c.stream.ppg_decim)], ['stream.ppg_batch', String(c.stream.ppg_batch)],
    ['stream.hr_period_s', String(c.stream.hr_period_s)],
  ];
}

function registerConfig(program: Command): void {
  addTransportOptions(
    program.command('config').description('read the measurement configuration, or change it: config set key=value ...'),
  )
    .argument('[action]', 'get (default) or set')
    .argument('[assignments...]', 'for set: key=value pairs (sample_rate_hz, hrv_short_s, hrv_long_s, hrs, stream.ppg_decim, stream.ppg_batch, stream.hr_period_s)')
    .option('--json', 'print one JSON document')
    .action(async (action: string | undefined, assignments: string[], opts: TransportCliOptions & OutputOptions) => {
      const verb = action ?? 'get';
      if (verb !== 'get' && verb !== 'set') throw new UsageError(`config: the action is get or set, got '${verb}'`);
      if (verb === 'get' && assignments.length > 0) throw new UsageError('config get takes no arguments (did you mean config set?)');
      const change = verb === 'set' ? parseConfigAssignments(assignments) : null;
      await withSession('config', opts, { recordFirst: false }, async ({ client }) => {
        const c = change === null ? await client.configGet() : await client.configSet(change);
        if (opts.json) return json(c);
        process.stdout.write(rows(configRows(c)));
      });
    });
}

// ---------------------------------------------------------------------------------------

/** A stream over BLE without --duration-s runs until Ctrl-C; a bound the clocks can still add to. */
const STREAM_FOREVER_US = 365 * 24 * 3600 * 1_000_000;

interface StreamCliOptions extends TransportCliOptions, OutputOptions {
  beats?: boolean;
  hr?: boolean;
  hrv?: boolean;
  raw?: boolean;
  durationS?: number;
}

/** A stream item as replay and history name its fields (a beat's number is `beat_index`). */
function streamOut(item: StreamItem): StreamItem | object {
  if (item.type !== 'beat') return item;
  const { index, emitted_ms, received_us, ...rest } = item;
  return { ...rest, beat_index: index, emitted_ms, received_us };
}

function itemText(item: StreamItem): string {
  const at = `${(item.received_us / 1e6).toFixed(3)} s`;
  switch (item.type) {
    case 'beat':
      return `${at}  beat #${item.index} t=${item.time_ms} ms ibi=${item.ibi_ms} ms${item.ibi_valid ? '' : ' (invalid)'} sqi=${item.sqi}`;
    case 'hr':
      return `${at}  hr ${(item.hr_bpm_x10 / 10).toFixed(1)} bpm t=${item.time_ms} ms confidence=${item.confidence}`;
    case 'hrv':
      return `${at}  hrv ${item.window_s} s window to ${item.end_ms} ms: ` +
        (item.published ? `SDNN ${(item.sdnn_ms_x10 / 10).toFixed(1)} ms RMSSD ${(item.rmssd_ms_x10 / 10).toFixed(1)} ms` : 'not published');
    case 'ppg':
      return `${at}  ppg ${item.samples.length} samples from #${item.first} t=${item.t_ms} ms`;
    case 'gap':
      return `${at}  gap (${item.cause}${item.missed ? `, ${item.missed} missed` : ''})`;
  }
}

function registerStream(program: Command): void {
  addTransportOptions(program.command('stream').description('live data from the ring while it replays its recording (default: beats, hr, hrv)'))
    .option('--beats', 'beats')
    .option('--hr', 'heart rate')
    .option('--hrv', 'HRV windows')
    .option('--raw', 'raw PPG samples')
    .option('--duration-s <n>', 'stop after n seconds (default: when the recording ends)', parseStreamDurationS)
    .option('--json', 'print one JSON document at the end')
    .option('--ndjson', 'print one JSON object per item as it arrives (NDJSON)')
    .action(async (opts: StreamCliOptions) => {
      if (opts.json && opts.ndjson) throw new UsageError('--json and --ndjson are exclusive');
      let kinds = (opts.beats ? STREAM_BEATS : 0) | (opts.hr ? STREAM_HR : 0) | (opts.hrv ? STREAM_HRV : 0) | (opts.raw ? STREAM_PPG : 0);
      if (kinds === 0) kinds = STREAM_BEATS | STREAM_HR | STREAM_HRV;
      await withSession('stream', opts, { recordFirst: false }, async ({ client, device }) => {
        const items: (StreamItem | object)[] = [];
        const sub = await StreamSubscription.open(client, kinds, { resubscribe: true });
        sub.onItem((item) => {
          if (opts.json) items.push(streamOut(item));
          else if (opts.ndjson) ndjsonLine(streamOut(item));
          else process.stdout.write(itemText(item) + '\n');
        });
        // Without --duration-s: the simulated ring's recording, or until Ctrl-C on a real ring.
        let interrupted = false;
        const interrupt = (): void => {
          interrupted = true;
        };
        if (device === null && opts.durationS === undefined) process.once('SIGINT', interrupt);
        const limit_us = opts.durationS !== undefined ? opts.durationS * 1_000_000 : device !== null ? device.fixture_duration_us + 2_000_000 : STREAM_FOREVER_US;
        const clock = client.transport.clock;
        const stop_at_us = clock.now_us() + limit_us;
        await sub.runUntil(() => interrupted || clock.now_us() >= stop_at_us, limit_us);
        process.removeListener('SIGINT', interrupt);
        await sub.close();
        const summary = { type: 'summary', ...sub.stats };
        if (opts.json) json({ items, summary });
        else if (opts.ndjson) ndjsonLine(summary);
        else process.stderr.write(`${sub.stats.items} items, ${sub.stats.sequence_gaps} missing notifications, ${sub.stats.device_drops} items dropped by the ring, ${sub.stats.resubscribes} resubscriptions\n`);
      });
    });
}

// ---------------------------------------------------------------------------------------

interface HistoryCliOptions extends TransportCliOptions, OutputOptions {
  from?: number;
  max?: number;
}

function recordText(r: HistoryRecord): string {
  switch (r.type) {
    case 'beat':
      return `${r.seq}\tbeat\t${r.time_ms}\t#${r.beat_index} ibi=${r.ibi_ms}${r.ibi_valid ? '' : ' (invalid)'} sqi=${r.sqi} amplitude=${r.amplitude}`;
    case 'hr':
      return `${r.seq}\thr\t${r.time_ms}\t${(r.hr_bpm_x10 / 10).toFixed(1)} bpm confidence=${r.confidence}`;
    case 'hrv':
      return `${r.seq}\thrv\t${r.end_ms}\t${r.window_s} s beats=${r.beat_count} valid=${r.valid_permille}‰ ` +
        (r.published ? `SDNN=${(r.sdnn_ms_x10 / 10).toFixed(1)} RMSSD=${(r.rmssd_ms_x10 / 10).toFixed(1)}` : 'not published');
    case 'status':
      return `${r.seq}\tstatus\t${r.time_ms}\tcode=${r.code} value=${r.value}`;
    case 'other':
      return `${r.seq}\tkind ${r.kind}\t-\t${JSON.stringify(r.fields)}`;
  }
}

function historySummary(h: HistoryResult): Record<string, number> {
  return {
    records: h.records.length, first_seq: h.first_seq, last_seq: h.last_seq, next_seq: h.next_seq,
    pages: h.pages, resumes: h.resumes, overwritten: h.overwritten,
  };
}

function registerHistory(program: Command): void {
  addTransportOptions(
    program.command('history').description("read the ring's stored records (the simulated ring first records its whole fixture)"),
  )
    .option('--from <seq>', 'first sequence number (default 1: the oldest stored)', (v) => parseNonNegativeInt('--from', v))
    .option('--max <n>', 'at most n records', (v) => parseNonNegativeInt('--max', v))
    .option('--json', 'print one JSON document')
    .option('--ndjson', 'print one JSON object per record, then a summary line')
    .action(async (opts: HistoryCliOptions) => {
      if (opts.json && opts.ndjson) throw new UsageError('--json and --ndjson are exclusive');
      if (opts.max !== undefined && opts.max < 1) throw new UsageError('--max must be at least 1');
      if (opts.from !== undefined && opts.from > 0xffffffff) throw new UsageError('--from must fit 32 bits');
      await withSession('history', opts, { recordFirst: true }, async ({ client }) => {
        await client.info(); // learns page_max and buf_count
        const h = await readHistory(client, {
          from_seq: opts.from ?? 1, max_records: opts.max, page_records: Math.min(client.page_max, HISTORY_PAGE_RECORDS_MAX),
        });
        if (opts.json) return json({ ...historySummary(h), records: h.records });
        if (opts.ndjson) {
          for (const r of h.records) ndjsonLine(r);
          ndjsonLine({ type: 'summary', ...historySummary(h) });
          return;
        }
        process.stdout.write('seq\tkind\ttime_ms\tvalues\n');
        for (const r of h.records) process.stdout.write(recordText(r) + '\n');
        const s = historySummary(h);
        process.stderr.write(`${s.records} records (stored ${s.first_seq}..${s.last_seq}), ${plural(s.pages, 'page')}, ${plural(s.resumes, 'resume')} after a dropped link\n`);
      });
    });
}
