// `ring ci` throughput: sessions replayed, compared with their goldens and scored per
// second, on one job and on every core, over the development recordings (default mode:
// over the protocol). The goldens are written by a first, untimed run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCi, type CiOptions } from '../host/ci/ci.js';
import { defaultJobs } from '../host/ci/pool.js';

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
      const out = await runCi({ ...base, jobs, update_golden: false });
      const wall_s = (performance.now() - t0) / 1000;
      return { per_s: Number((out.doc.sessions.length / wall_s).toFixed(2)), sessions: out.doc.sessions.length, ok: out.summary.ok };
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
