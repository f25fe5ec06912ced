// `ring ci <folder|manifest>`: replay a library of recorded sessions against their goldens,
// on all cores (--jobs) or one shard of many CI runners (--shard k/n), with JUnit and JSON
// results; `ring ci merge` joins shard results into one summary. Exit 0 only when no
// golden changed, none is new or missing, every session replayed and accuracy holds.

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { FirmwareLoadError } from '../../sim/firmware-module.js';
import { runCi } from '../ci/ci.js';
import { CiError } from '../ci/errors.js';
import { junitXml } from '../ci/junit.js';
import { JOBS_MAX, defaultJobs, parallelTierUp } from '../ci/pool.js';
import { writeChangedReport } from '../ci/report.js';
import { formatSummary, mergeResults, readResult, resultJson, summarize, type CiResultDoc, type CiSummary, type CiThresholds } from '../ci/result.js';
import { parseShard, type Shard } from '../ci/shard.js';
import { EXIT_MISMATCH, UsageError } from './errors.js';
import { log } from './log.js';
import { Progress } from './progress.js';
import { RATE_HZ_DEFAULT, SEED_DEFAULT, parseRateHz, parseSeed } from './options.js';
import { writeFileAtomic } from '../io/output-file.js';

interface CiCliOptions {
  golden?: string;
  rateHz: number;
  seed: number;
  jobs?: number;
  shard?: Shard;
  direct?: boolean;
  firmware?: string;
  updateGolden?: boolean;
  json?: boolean;
  resultFile?: string;
  junit?: string;
  report?: string;
  minF1?: number;
  maxHrAaeBpm?: number;
  maxTimingErrorMs?: number;
  maxRmssdErrorMs?: number;
}

interface OutputOptions {
  json?: boolean;
  resultFile?: string;
  junit?: string;
}

const asUsage = (err: unknown): unknown => (err instanceof CiError || err instanceof FirmwareLoadError ? new UsageError(err.message) : err);

function parseNumber(flag: string, lo: number, hi: number): (text: string) => number {
  return (text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) throw new UsageError(`${flag} must be a number in ${lo}..${hi}, got '${text}'`);
    return v;
  };
}

function parseJobs(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v < 1 || v > JOBS_MAX) throw new UsageError(`--jobs must be an integer in 1..${JOBS_MAX}, got '${text}'`);
  return v;
}

function shardOption(text: string): Shard {
  try {
    return parseShard(text);
  } catch (err) {
    throw asUsage(err);
  }
}

function writeOutputs(doc: CiResultDoc, sum: CiSummary, opts: OutputOptions): void {
  if (opts.junit) writeFileAtomic(opts.junit, junitXml(doc, sum));
  if (opts.resultFile) writeFileAtomic(opts.resultFile, resultJson(doc, sum));
  process.stdout.write(opts.json ? resultJson(doc, sum) : formatSummary(doc, sum));
  if (!sum.ok) process.exitCode = EXIT_MISMATCH;
}

export function registerCiCommand(program: Command): void {
  // `ring ci <library>` runs (the default subcommand); `ring ci merge` joins shard results.
  // Two subcommands rather than options on `ci` itself, so each has its own --json and --junit.
  const ci = program
    .command('ci')
    .description('replay a library of recordings against their golden outputs: in parallel, sharded across CI runners, with JUnit/JSON results');
  ci.command('run', { isDefault: true })
    .description('replay every session of a library and compare it with its golden (the default: ring ci <library> ...)')
    .argument('<library>', 'folder of recordings, or a manifest (.json: {golden_dir?, rate_hz?, seed?, config?, sessions: [{recording, id?, rate_hz?, seed?, config?}]}; config: the ring\'s settings, as ring replay --config)')
    .option('--golden <dir>', 'golden folder mirroring the recordings: <dir>/<id>.ndjson (required with a folder)')
    .option('--rate-hz <hz>', 'sample rate for sessions that do not set one (25, 50, 100)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--seed <n>', 'simulator seed for sessions that do not set one', parseSeed, SEED_DEFAULT)
    .option('--jobs <n>', 'sessions replayed at once: this thread and n-1 worker threads (default: the machine\'s cores)', parseJobs)
    .option('--shard <k/n>', 'replay only shard k of n (stable: a session never changes shard when others are added)', shardOption)
    .option('--direct', "read the firmware's output sink instead of the protocol (same output, faster)")
    .option('--firmware <bundle>', 'run this firmware build (an ES module bundle of firmware/ring.ts) instead of the built-in one')
    .option('--update-golden', 'write the goldens of the selected sessions that changed or are new, remove those without a recording')
    .option('--json', 'print the result as one JSON document (what ring ci merge reads)')
    .option('--result-file <file>', 'also write the JSON result to a file (and print the summary)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--report <dir>', 'write an HTML page per changed session: old vs new beats and heart rate')
    .option('--min-f1 <f1>', 'fail when F1 (overall or of a session) is below this', parseNumber('--min-f1', 0, 1))
    .option('--max-hr-aae-bpm <bpm>', 'fail when the mean absolute HR error is above this', parseNumber('--max-hr-aae-bpm', 0, 1000))
    .option('--max-timing-error-ms <ms>', 'fail when the median beat timing error is above this', parseNumber('--max-timing-error-ms', 0, 1000))
    .option('--max-rmssd-error-ms <ms>', 'fail when the median RMSSD error is above this', parseNumber('--max-rmssd-error-ms', 0, 10000))
    .action(async (library: string, opts: CiCliOptions) => {
      if (opts.json && opts.resultFile) throw new UsageError('--json and --result-file are exclusive (--json prints the result)');
      const thresholds: CiThresholds = {};
      if (opts.minF1 !== undefined) thresholds.min_f1 = opts.minF1;
      if (opts.maxHrAaeBpm !== undefined) thresholds.max_hr_aae_bpm = opts.maxHrAaeBpm;
      if (opts.maxTimingErrorMs !== undefined) thresholds.max_timing_error_ms = opts.maxTimingErrorMs;
      if (opts.maxRmssdErrorMs !== undefined) thresholds.max_rmssd_error_ms = opts.maxRmssdErrorMs;
      if (opts.firmware !== undefined && !fs.existsSync(opts.firmware)) throw new UsageError(`no such firmware bundle: ${opts.firmware}`);
      const jobs = opts.jobs ?? defaultJobs();
      if (jobs > 1) parallelTierUp();
      let progress: Progress | null = null;
      const t0 = process.hrtime.bigint();
      // For the bench's reading of a run: when the command started after the process did
      // (Node's start and module loading), and what every thread of the process spent,
      // V8's compiler and collector threads included, beside each job's own thread.
      const action_at_ms = Math.round(performance.now());
      let out;
      try {
        out = await runCi({
          library, rate_hz: opts.rateHz, seed: opts.seed, jobs, shard: opts.shard ?? null, direct: Boolean(opts.direct),
          firmware_bundle: opts.firmware ?? null, update_golden: Boolean(opts.updateGolden), want_report: opts.report !== undefined,
          thresholds, ...(opts.golden !== undefined ? { golden_dir: opts.golden } : {}),
          onDone: (_done, total, id) => {
            progress ??= new Progress(total);
            progress.update(id);
          },
        });
      } catch (err) {
        throw asUsage(err);
      }
      (progress as Progress | null)?.done();
      const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage();
      const process_cpu_ms = Math.round((cpu.user + cpu.system) / 1000);
      log().info({ sessions: out.doc.sessions.length, jobs, wall_s, action_at_ms, pool_at_ms: out.pool_at_ms, process_cpu_ms, per_job: out.jobs }, 'ring ci done');
      if (opts.updateGolden) process.stderr.write(`goldens: ${out.goldens_written} written, ${out.goldens_removed} removed\n`);
      if (opts.report !== undefined) {
        writeChangedReport(opts.report, out.changed, out.doc.sessions.length);
        process.stderr.write(`report: ${out.changed.length} changed sessions in ${opts.report}/index.html\n`);
      }
      writeOutputs(out.doc, out.summary, opts);
    });
  ci.command('merge')
    .description('join the JSON results of shards (ring ci --shard k/n --json) into one summary and one JUnit file')
    .argument('<results...>', 'result files, one per shard')
    .option('--json', 'print the merged result as one JSON document')
    .option('--result-file <file>', 'also write the merged JSON result to a file')
    .option('--junit <file>', 'write the merged JUnit XML report')
    .action((files: string[], opts: OutputOptions) => {
      if (opts.json && opts.resultFile) throw new UsageError('--json and --result-file are exclusive (--json prints the result)');
      let doc: CiResultDoc;
      try {
        doc = mergeResults(files.map((file) => ({ file, doc: readResult(file) })));
      } catch (err) {
        throw asUsage(err);
      }
      writeOutputs(doc, summarize(doc), opts);
    });
}
