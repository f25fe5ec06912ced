// `ring ci` throughput: sessions replayed, compared with their goldens and scored per
// second, on one job and on every core, over the development recordings (default mode:
// over the protocol). The goldens are written by a first, untimed run. Each timed run is a
// fresh `ring ci` process, as a CI job starts one: in this process the code would already be
// compiled by the first run while the workers of a parallel run start cold, which favours
// one job unfairly.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runCi, type CiOptions } from '../host/ci/ci.js';
import { defaultJobs } from '../host/ci/pool.js';

/** The built CLI next to this module (dist/bench -> dist/host/cli/main.js). */
const CLI = fileURLToPath(new URL('../host/cli/main.js', import.meta.url));

export async function ciFigures(library: string): Promise<Record<string, unknown>> {
  const golden_dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-bench-ci-'));
  try {
    const all = defaultJobs();
    const base: CiOptions = {
      library, golden_dir, rate_hz: 50, seed: 1, jobs: all, shard: null, direct: false, firmware_bundle: null,
      update_golden: true, want_report: false, thresholds: {},
    };
    await runCi(base);
    const timed = async (jobs: number): Promise<{ per_s: number; sessions: number; ok: boolean }> => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [CLI, 'ci', library, '--golden', golden_dir, '--rate-hz', '50', '--seed', '1', '--jobs', String(jobs), '--json'], {
        encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, NODE_OPTIONS: '' },
      });
      const wall_s = (performance.now() - t0) / 1000;
      if (r.status !== 0 && r.status !== 1) throw new Error(`ring ci --jobs ${jobs} failed (${r.status}): ${r.stderr}`);
      const doc = JSON.parse(r.stdout) as { sessions: unknown[] };
      return { per_s: Number((doc.sessions.length / wall_s).toFixed(2)), sessions: doc.sessions.length, ok: r.status === 0 };
    };
    const one = await timed(1);
    const many = await timed(all);
    return {
      ci_sessions: one.sessions,
      ci_sessions_per_s_1job: one.per_s,
      ci_sessions_per_s_all_jobs: many.per_s,
      ci_jobs_all: all,
      ci_goldens_ok: one.ok && many.ok,
    };
  } finally {
    fs.rmSync(golden_dir, { recursive: true, force: true });
  }
}
