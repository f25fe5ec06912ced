// `ring score <fixture|folder>...`: replay each recording and score the beats, heart
// rate and HRV the ring reported against the recording's reference beats.

import type { Command } from 'commander';
import { listFixtures, loadFixture, openFixture } from '../../sim/fixture/load.js';
import { replayFixture, replayFixtureInto } from '../../sim/replay.js';
import { closeReplay, compactReplay } from '../../sim/replay-store.js';
import { holdYoungGeneration } from '../replay/heap.js';
import type { ReplayResult } from '../../sim/replay-types.js';
import { aggregate, scoreRecord, scoreRecordDetailed, type RecordScore } from '../score/score.js';
import { formatScoreTable, nothingScored, scoreColumnsLegend } from '../score/format.js';
import { writeReports, type ReportItem } from '../report/html.js';
import { EXIT_MISMATCH, UsageError } from './errors.js';
import { printable } from '../io/printable.js';
import { aggregateHrWindows, formatHrWindowTable, hasHrReference, scoreHrWindows, type HrWindowRecord } from '../score/hr-window.js';
import { writeHrReports, type HrReportItem } from '../report/hr-plot.js';
import { log } from './log.js';
import { Progress } from './progress.js';
import { SimProgress, recordingUs } from './sim-progress.js';
import { INPUT_RATE_HZ_HELP, INVERT_HELP, RATE_HZ_DEFAULT, SCALE_HELP, SEED_DEFAULT, importLoadOptions, parseInputRateHz, parseNonNegativeInt, parseRateHz, parseScale, parseSeed } from './options.js';

interface ScoreCliOptions {
  rateHz: number;
  seed: number;
  json?: boolean;
  report?: string;
  warmupMs?: number;
  inputRateHz?: number;
  scale?: number;
  invert?: boolean;
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('replay recordings and score beat detection, heart rate and HRV against their reference beats')
    .argument('<paths...>', 'fixtures or folders of fixtures')
    .option('--rate-hz <hz>', 'sample rate the firmware configures (25, 50, 100)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--seed <n>', 'simulator seed', parseSeed, SEED_DEFAULT)
    .option('--input-rate-hz <hz>', INPUT_RATE_HZ_HELP, parseInputRateHz)
    .option('--scale <k>', SCALE_HELP, parseScale)
    .option('--invert', INVERT_HELP)
    .option('--warmup-ms <ms>', 'do not score the first milliseconds of each record', (v) => parseNonNegativeInt('--warmup-ms', v))
    .option('--report <dir>', 'write an HTML page per record showing the PPG, beats, misses and false positives')
    .option('--json', 'print one JSON document {records, aggregate}')
    .addHelpText('after', `\nColumns of the table:\n${scoreColumnsLegend()}\n`)
    .action((paths: string[], opts: ScoreCliOptions) => {
      const files = listFixtures(paths);
      if (files.length === 0) throw new UsageError(`no fixtures found in ${paths.join(' ')}`);
      holdYoungGeneration();
      const progress = new Progress(files.length);
      const records: RecordScore[] = [];
      const hr_records: HrWindowRecord[] = [];
      const reportItems: ReportItem[] = [];
      // Record ids name the table rows, the JSON records and the report pages: one each.
      const fileOfId = new Map<string, string>();
      const hrReportItems: HrReportItem[] = [];
      for (const file of files) {
        progress.update(file);
        // The report pages plot the PPG: only then is a recording's signal held whole.
        const whole = opts.report ? loadFixture(file, importLoadOptions(opts)) : null;
        const fixture = whole !== null ? { ...whole, close: () => undefined } : openFixture(file, importLoadOptions(opts));
        const clash = fileOfId.get(fixture.meta.record);
        if (clash !== undefined) {
          fixture.close();
          throw new UsageError(`record id '${printable(fixture.meta.record)}' is in both ${clash} and ${file}: score each record once`);
        }
        fileOfId.set(fixture.meta.record, file);
        const label = files.length > 1 ? `[${records.length + hr_records.length + 1}/${files.length}] ${printable(fixture.meta.record)}` : printable(fixture.meta.record);
        const sim = new SimProgress(label, recordingUs(fixture));
        const onProgress = sim.callback;
        const spool = whole === null ? compactReplay() : null;
        try {
          let result;
          let full: ReplayResult | null = null;
          try {
            const replay_opts = { rate_hz: opts.rateHz, seed: opts.seed, ...(onProgress ? { onProgress } : {}) };
            // Records spooled in rows (sim/replay-store.ts), unless a report page wants them as they are.
            full = whole !== null ? replayFixture(whole, replay_opts) : null;
            result = full ?? replayFixtureInto(fixture, replay_opts, spool!);
          } finally {
            sim.done();
            fixture.close();
          }
          // Records with a windowed heart-rate reference and no beat labels (spc2015) are
          // scored on heart rate per window.
          if (hasHrReference(fixture) && (fixture.ref_beats_us === undefined || fixture.ref_beats_us.length === 0)) {
            const hr = scoreHrWindows(fixture, result);
            hr_records.push(hr);
            if (whole !== null) hrReportItems.push({ fixture: whole, score: hr });
            log().info({ record: hr.record, hr_window_aae_bpm: hr.hr_window_aae_bpm }, 'scored');
            continue;
          }
          const scoreOpts = opts.warmupMs !== undefined ? { warmup_ms: opts.warmupMs } : {};
          // The match's detail (pairs, misses, false beats as lists) only for a report page.
          const detail = whole !== null ? scoreRecordDetailed(fixture, result, scoreOpts) : null;
          const score = detail?.score ?? scoreRecord(fixture, result, scoreOpts);
          records.push(score);
          if (whole !== null && full !== null && detail !== null) reportItems.push({ fixture: whole, result: full, score, match: detail.match, opts: scoreOpts });
          log().info({ record: score.record, f1: score.f1 }, 'scored');
        } finally {
          if (spool !== null) closeReplay(spool);
        }
      }
      progress.done();
      if (hr_records.length > 0 && records.length > 0) {
        throw new UsageError('score recordings with reference beats and recordings with a windowed heart-rate reference in separate runs');
      }
      if (opts.report) {
        if (hr_records.length > 0) writeHrReports(opts.report, hrReportItems);
        else writeReports(opts.report, reportItems);
        const pages = reportItems.length + hrReportItems.length;
        process.stderr.write(`report: ${pages} pages in ${opts.report}, start at ${opts.report}/index.html\n`);
      }
      if (hr_records.length > 0) {
        const hr_agg = aggregateHrWindows(hr_records);
        if (opts.json) {
          const shown = hr_records.map(({ windows: _w, ...rest }) => rest);
          process.stdout.write(JSON.stringify({ rate_hz: opts.rateHz, seed: opts.seed, records: shown, aggregate: hr_agg }, null, 2) + '\n');
        } else process.stdout.write(formatHrWindowTable(hr_records, hr_agg));
        return;
      }
      const agg = aggregate(records);
      if (opts.json) {
        // Per-item pooled values feed the aggregate; the document keeps the figures only.
        const shown = records.map(({ pooled: _pooled, ...rest }) => (nothingScored(rest) ? { ...rest, nothing_scored: true } : rest));
        const aggShown = nothingScored(agg) ? { ...agg, nothing_scored: true } : agg;
        process.stdout.write(JSON.stringify({ rate_hz: opts.rateHz, seed: opts.seed, records: shown, aggregate: aggShown }, null, 2) + '\n');
      }
      else process.stdout.write(formatScoreTable(records, agg));
      // Ratios over nothing read as 100 %: say so, and answer "no" (exit 1) when no record scored.
      for (const r of records) {
        if (nothingScored(r)) {
          process.stderr.write(`nothing scored in ${printable(r.record)}: no reference beat and no detection left after the warm-up and the excluded spans\n`);
        }
      }
      if (nothingScored(agg)) {
        process.stderr.write('nothing scored: the F1 figures are undefined (shorten --warmup-ms, or score recordings with clean stretches)\n');
        process.exitCode = EXIT_MISMATCH;
      }
    });
}
