// Peak memory of a replay against the recording's length: `ring replay` of a generated
// 1-hour and 24-hour recording, each in its own process (the CLI as a user runs it, output
// to /dev/null), its peak resident set read from the process itself as it exits.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFixture } from '../sim/fixture/container.js';
import { loadFixture } from '../sim/fixture/load.js';

/**
 * Loaded before the CLI: prints the process's peak RSS (kB) on stderr as it exits. VmHWM is
 * the peak of this program's own memory: the kernel carries ru_maxrss (resourceUsage's
 * maxRSS) across exec, so a child spawned by a large parent would report the parent's size.
 */
const EXIT_HOOK = `data:text/javascript,${encodeURIComponent([
  "import fs from 'node:fs';",
  "process.on('exit', () => {",
  "  let kb = process.resourceUsage().maxRSS;",
  "  try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}",
  "  process.stderr.write('\\npeak_rss_kb=' + kb + '\\n');",
  "});",
].join('\n'))}`;

export interface PeakRss {
  peak_rss_mb: number;
  wall_s: number;
}

/** Runs `ring <args>` and returns its peak RSS. */
export function cliPeakRss(cli: string, args: string[]): PeakRss {
  const started = performance.now();
  const r = spawnSync(process.execPath, [`--import=${EXIT_HOOK}`, cli, ...args], {
    encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 << 20, env: { ...process.env, NODE_OPTIONS: '' },
  });
  const m = /peak_rss_kb=(\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || m === null) throw new Error(`ring ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').trim().slice(-300)}`);
  return { peak_rss_mb: Math.round(Number(m[1]) / 102.4) / 10, wall_s: Number(((performance.now() - started) / 1000).toFixed(1)) };
}

/**
 * A week-long recording: a generated day, seven times over (`fixture synth` makes at most a
 * day). Built whole in memory (about 1 GB) in this process, not in the one measured.
 */
export function writeWeekFixture(dayFile: string, out: string): void {
  const day = loadFixture(dayFile);
  const DAYS = 7;
  const day_us = (day.ppg.length * 1e6) / day.meta.sample_rate_hz;
  const ppg = new Int32Array(day.ppg.length * DAYS);
  for (let d = 0; d < DAYS; d++) ppg.set(day.ppg, d * day.ppg.length);
  const refs = day.ref_beats_us ?? new Float64Array(0);
  const ref_beats_us = new Float64Array(refs.length * DAYS);
  for (let d = 0; d < DAYS; d++) for (let i = 0; i < refs.length; i++) ref_beats_us[d * refs.length + i] = refs[i]! + d * day_us;
  const repeat = (a: Int16Array): Int16Array => {
    const r = new Int16Array(a.length * DAYS);
    for (let d = 0; d < DAYS; d++) r.set(a, d * a.length);
    return r;
  };
  const accel = day.accel === undefined ? undefined : { ...day.accel, x_mg: repeat(day.accel.x_mg), y_mg: repeat(day.accel.y_mg), z_mg: repeat(day.accel.z_mg) };
  const day_ms = day_us / 1000;
  const artifacts = Array.from({ length: DAYS }, (_, d) => day.artifacts.map((a) => ({ ...a, start_ms: a.start_ms + d * day_ms, end_ms: a.end_ms + d * day_ms }))).flat();
  const week = {
    ...day, meta: { ...day.meta, record: `${day.meta.record}-week` }, ppg, ref_beats_us, artifacts,
    ...(accel ? { accel } : {}), ...(day.ref_labels ? { ref_labels: day.ref_labels.repeat(DAYS) } : {}),
  };
  fs.writeFileSync(out, encodeFixture(week));
}

/**
 * replay_peak_rss_mb_1h / _24h: `ring replay <generated recording> --ndjson`; score_peak_rss_mb_1h
 * / _24h: `ring score <the same> --json`; and the 24 h / 1 h ratios. A replay reads the
 * recording from its file, spools its records and keeps V8's heap near what is alive
 * (host/replay/heap.ts), so the figures should not grow with the length. With
 * RING_BENCH_WEEK=1, replay_peak_rss_mb_7d too: the day seven times over, replayed (a 340 MB
 * file and about two minutes of CPU, so not by default).
 */
export function replayMemoryFigures(repoRoot: string): Record<string, number> {
  const cli = path.join(repoRoot, 'dist/bin/ring.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-bench-mem-'));
  const lengths: [string, number][] = [['1h', 3600], ['24h', 86400]];
  try {
    const out: Record<string, number> = {};
    for (const [label, seconds] of lengths) {
      const file = path.join(dir, `${label}.ringfx`);
      const synth = spawnSync(process.execPath, [cli, 'fixture', 'synth', '-o', file, '--duration-s', String(seconds)], { encoding: 'utf8' });
      if (synth.status !== 0) throw new Error(`fixture synth: ${synth.stderr}`);
      const r = cliPeakRss(cli, ['replay', file, '--ndjson']);
      out[`replay_peak_rss_mb_${label}`] = r.peak_rss_mb;
      out[`replay_wall_s_${label}`] = r.wall_s;
      out[`score_peak_rss_mb_${label}`] = cliPeakRss(cli, ['score', file, '--json']).peak_rss_mb;
      if (label === '24h' && process.env.RING_BENCH_WEEK === '1') {
        const week = path.join(dir, '7d.ringfx');
        writeWeekFixture(file, week);
        const w = cliPeakRss(cli, ['replay', week, '--ndjson']);
        out.replay_peak_rss_mb_7d = w.peak_rss_mb;
        out.replay_wall_s_7d = w.wall_s;
        fs.rmSync(week, { force: true });
      }
      fs.rmSync(file, { force: true });
    }
    const ratio = (a: number | undefined, b: number | undefined): number => Number(((a ?? NaN) / (b ?? NaN)).toFixed(2));
    out.replay_peak_rss_ratio_24h_1h = ratio(out.replay_peak_rss_mb_24h, out.replay_peak_rss_mb_1h);
    out.score_peak_rss_ratio_24h_1h = ratio(out.score_peak_rss_mb_24h, out.score_peak_rss_mb_1h);
    if (out.replay_peak_rss_mb_7d !== undefined) out.replay_peak_rss_ratio_7d_1h = ratio(out.replay_peak_rss_mb_7d, out.replay_peak_rss_mb_1h);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
