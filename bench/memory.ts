// Peak memory of a replay against the recording's length: `ring replay` of a generated
// 1-hour and 24-hour recording, each in its own process (the CLI as a user runs it, output
// to /dev/null), its peak resident set read from the process itself as it exits.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Loaded before the CLI: prints the process's peak RSS (kB) on stderr as it exits. */
const EXIT_HOOK = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write('\\npeak_rss_kb=' + process.resourceUsage().maxRSS + '\\n'));")}`;

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
 * replay_peak_rss_mb_1h / _24h: `ring replay <generated recording> --ndjson`; score_peak_rss_mb_1h
 * / _24h: `ring score <the same> --json`; and the 24 h / 1 h ratios. A replay reads the
 * recording from its file, spools its records and keeps V8's heap near what is alive
 * (host/replay/heap.ts), so the figures should not grow with the length. No week: `fixture
 * synth` makes at most a day, and builds its recording whole in memory to write it.
 */
export function replayMemoryFigures(repoRoot: string): Record<string, number> {
  const cli = path.join(repoRoot, 'dist/host/cli/main.js');
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
      fs.rmSync(file, { force: true });
    }
    const ratio = (a: number | undefined, b: number | undefined): number => Number(((a ?? NaN) / (b ?? NaN)).toFixed(2));
    out.replay_peak_rss_ratio_24h_1h = ratio(out.replay_peak_rss_mb_24h, out.replay_peak_rss_mb_1h);
    out.score_peak_rss_ratio_24h_1h = ratio(out.score_peak_rss_mb_24h, out.score_peak_rss_mb_1h);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
