// `ring score <fixture|folder>...`: replay each recording and score the beats, heart
// rate and HRV the ring reported against the recording's reference beats.

import type { Command } from 'commander';
import { listFixtures, loadFixture } from '../../sim/fixture/load.js';
import { replayFixture } from '../../sim/replay.js';
import { aggregate, scoreRecordDetailed, type RecordScore } from '../score/score.js';
import { formatScoreTable } from '../score/format.js';
import { aggregateHrWindows, formatHrWindowTable, hasHrReference, scoreHrWindows, type HrWindowRecord } from '../score/hr-window.js';
import { writeReports, type ReportItem } from '../report/html.js';
import { writeHrReports, type HrReportItem } from '../report/hr-plot.js';
import { UsageError } from './errors.js';
import { log } from './log.js';
import { Progress } from './progress.js';
import { RATE_HZ_DEFAULT, SEED_DEFAULT, parseNonNegativeInt, parseRateHz, parseSeed } from './options.js';

interface ScoreCliOptions {
  rateHz: number;
  seed: number;
  json?: boolean;
  report?: string;
  warmupMs?: number;
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('replay recordings and score beat detection, heart rate and HRV against their reference beats')
    .argument('<paths...>', 'fixtures or folders of fixtures')
    .option('--rate-hz <hz>', 'sample rate the firmware configures (25, 50, 100)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--seed <n>', 'simulator seed', parseSeed, SEED_DEFAULT)
    .option('--warmup-ms <ms>', 'do not score the first milliseconds of each record', (v) => parseNonNegativeInt('--warmup-ms', v))
    .option('--report <dir>', 'write an HTML page per record showing the PPG, beats, misses and false positives')
    .option('--json', 'print one JSON document {records, aggregate}')
    .action((paths: string[], opts: ScoreCliOptions) => {
      const files = listFixtures(paths);
      if (files.length === 0) throw new UsageError(`no fixtures found in ${paths.join(' ')}`);
      const progress = new Progress(files.length);
      const records: RecordScore[] = [];
      const hr_records: HrWindowRecord[] = [];
      const reportItems: ReportItem[] = [];
      const hrReportItems: HrReportItem[] = [];
      for (const file of files) {
        progress.update(file);
        const fixture = loadFixture(file);
        const result = replayFixture(fixture, { rate_hz: opts.rateHz, seed: opts.seed });
        // Records with a windowed heart-rate reference and no beat labels (spc2015) are
        // scored on heart rate per window.
        if (hasHrReference(fixture) && (fixture.ref_beats_us === undefined || fixture.ref_beats_us.length === 0)) {
          const hr = scoreHrWindows(fixture, result);
          hr_records.push(hr);
          if (opts.report) hrReportItems.push({ fixture, score: hr });
          log().info({ record: hr.record, hr_window_aae_bpm: hr.hr_window_aae_bpm }, 'scored');
          continue;
        }
        const scoreOpts = opts.warmupMs !== undefined ? { warmup_ms: opts.warmupMs } : {};
        const detail = scoreRecordDetailed(fixture, result, scoreOpts);
        records.push(detail.score);
        if (opts.report) reportItems.push({ fixture, result, score: detail.score, match: detail.match, opts: scoreOpts });
        log().info({ record: detail.score.record, f1: detail.score.f1 }, 'scored');
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
        const shown = records.map(({ pooled: _pooled, ...rest }) => rest);
        process.stdout.write(JSON.stringify({ rate_hz: opts.rateHz, seed: opts.seed, records: shown, aggregate: agg }, null, 2) + '\n');
      }
      else process.stdout.write(formatScoreTable(records, agg));
    });
}
