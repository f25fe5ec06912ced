// `ring replay <fixture>`: run a recording through the simulated ring and print what it
// reported over the protocol: a table, one JSON document (--json) or an NDJSON stream
// (--ndjson), each record timed by the ring's clock when it emitted it.

import type { Command } from 'commander';
import { openFixture } from '../../sim/fixture/load.js';
import { replayFixtureInto } from '../../sim/replay.js';
import { closeReplay, compactReplay } from '../../sim/replay-store.js';
import { holdYoungGeneration } from '../replay/heap.js';
import { ndjsonStream } from '../replay/ndjson-stream.js';
import { writeStdoutNow } from './stdio.js';
import { replayOverProtocolInto } from '../client/replay-protocol.js';
import { EXIT_MISMATCH, UsageError } from './errors.js';
import { addDebugOptions, openTaps } from './debug-options.js';
import { log } from './log.js';
import { printable } from '../io/printable.js';
import { SimProgress, recordingUs } from './sim-progress.js';
import { INPUT_RATE_HZ_HELP, INVERT_HELP, RATE_HZ_DEFAULT, SCALE_HELP, SEED_DEFAULT, importLoadOptions, parseInputRateHz, parseRateHz, parseScale, parseSeed } from './options.js';
import { replayNdjsonIter, writeReplayJson, writeReplayNdjson, writeReplayTable } from '../replay/format.js';
import { compareGoldenStream, goldenLines, writeGolden } from '../replay/golden.js';
import { ConfigError, configArgument, readConfigOption } from '../replay/config.js';
import type { ReplayConfig, ReplayView } from '../../sim/replay-types.js';
import { TOGETHER_RATE_HZ_DEFAULT, addTogetherOptions, runTogetherCommand } from './cmd-wellness.js';

const NO_TAPS = { afterConnect: async (): Promise<void> => undefined, close: (): void => undefined };

interface ReplayCliOptions {
  rateHz: number;
  seed: number;
  json?: boolean;
  ndjson?: boolean;
  beats?: boolean;
  golden?: string;
  updateGolden?: boolean;
  direct?: boolean;
  capture?: string;
  trace?: boolean;
  inputRateHz?: number;
  scale?: number;
  invert?: boolean;
  config?: ReplayConfig;
  together?: boolean;
  driftPpm?: string;
  partnerGrant?: string;
  session?: string;
}

function configOption(text: string): ReplayConfig {
  try {
    return readConfigOption(text);
  } catch (err) {
    throw err instanceof ConfigError ? new UsageError(err.message) : err;
  }
}

/** What --together does not take: options of a single ring's replay. */
const NOT_TOGETHER: readonly [keyof ReplayCliOptions, string][] = [
  ['ndjson', '--ndjson'], ['beats', '--beats'], ['golden', '--golden'], ['updateGolden', '--update-golden'], ['direct', '--direct'],
  ['capture', '--capture'], ['trace', '--trace'], ['inputRateHz', '--input-rate-hz'], ['scale', '--scale'], ['invert', '--invert'],
  ['config', '--config'],
];

export function registerReplayCommand(program: Command): void {
  addTogetherOptions(addDebugOptions(program
    .command('replay'))
    .description('replay a recorded session through the simulated ring and print beats, heart rate and HRV windows; ' +
      'with --together, one ring per recording against one host (the same as ring together)')
    .argument('[fixture...]', 'recording: .ringfx container, dataset .json or .csv; two or more with --together (or --session)'), '(--together) ')
    .option('--rate-hz <hz>', 'sample rate the firmware configures (25, 50, 100; 25 unless given with --together)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--seed <n>', 'simulator seed (interrupt latency and every other random choice)', parseSeed, SEED_DEFAULT)
    .option('--input-rate-hz <hz>', INPUT_RATE_HZ_HELP, parseInputRateHz)
    .option('--scale <k>', SCALE_HELP, parseScale)
    .option('--invert', INVERT_HELP)
    .option('--config <file|json>', "the ring's configuration, set over the link before streaming (PROTOCOL.md 8.3): a JSON file or inline JSON, e.g. '{\"hrv_short_s\":30}'", configOption)
    .option('--json', 'print one JSON document')
    .option('--ndjson', 'print one JSON object per line, in emission order, then a summary line')
    .option('--beats', 'include every beat in the table')
    .option('--golden <file>', 'compare with a stored output (NDJSON); exit 1 with a diff on mismatch')
    .option('--update-golden', 'write the output to the --golden file instead of comparing')
    .option(
      '--direct',
      "read the firmware's output sink (its debug UART) instead of the protocol: no BLE stack, same output, faster",
    )
    .option('--together', 'two or more recordings, one simulated ring each, against one host: aligned clocks and co-regulation figures (ring together)')
    .action(async (files: string[], opts: ReplayCliOptions, cmd: Command) => {
      if (opts.together) {
        for (const [k, flag] of NOT_TOGETHER) if (opts[k] !== undefined) throw new UsageError(`${flag} replays one ring: not with --together`);
        // The same run as `ring together`, defaults included.
        const rateHz = cmd.getOptionValueSource('rateHz') === 'default' ? TOGETHER_RATE_HZ_DEFAULT : opts.rateHz;
        await runTogetherCommand(files, { ...opts, rateHz });
        return;
      }
      if (files.length > 1) throw new UsageError(`replay takes one recording (got ${files.length}); several rings against one host: --together`);
      if (opts.driftPpm !== undefined || opts.partnerGrant !== undefined || opts.session !== undefined) throw new UsageError('--drift-ppm, --partner-grant and --session go with --together');
      if (files.length === 0) throw new UsageError("missing required argument 'fixture'");
      const file = files[0]!;
      if (opts.json && opts.ndjson) throw new UsageError('--json and --ndjson are exclusive');
      if (opts.updateGolden && !opts.golden) throw new UsageError('--update-golden needs --golden <file>');
      if (opts.direct && (opts.capture !== undefined || opts.trace)) throw new UsageError('--capture and --trace watch the link: not with --direct');
      if (opts.direct && opts.config !== undefined) throw new UsageError('--config is set over the protocol: not with --direct');
      const config = opts.config;
      // A configured sample rate is the rate the ring samples at (as in a ring ci manifest).
      if (config?.sample_rate_hz !== undefined) {
        if (cmd.getOptionValueSource('rateHz') === 'cli' && opts.rateHz !== config.sample_rate_hz) {
          throw new UsageError(`--rate-hz ${opts.rateHz} and --config sample_rate_hz ${config.sample_rate_hz} differ (give one)`);
        }
        opts.rateHz = config.sample_rate_hz;
      }
      const configArg = config === undefined ? '' : ` ${configArgument(config)}`;
      holdYoungGeneration();
      // A golden to compare with is opened before the replay: a missing one is said at once.
      const golden = opts.golden !== undefined && !opts.updateGolden ? goldenLines(opts.golden) : null;
      // A container's samples stay in the file, read as the simulated sensor takes them.
      const fixture = openFixture(file, importLoadOptions(opts));
      log().info({ record: fixture.meta.record, rate_hz: opts.rateHz, seed: opts.seed }, 'replay');
      // By default every record crosses the protocol: a simulated ring streams them over a
      // simulated BLE link, and the host builds the output from what it received.
      const progress = new SimProgress(printable(fixture.meta.record), recordingUs(fixture));
      const onProgress = progress.callback;
      if (opts.direct && opts.ndjson && !opts.golden) {
        // The firmware's records in emission order: each line is written as it is emitted.
        const stream = ndjsonStream(writeStdoutNow);
        try {
          replayFixtureInto(fixture, { rate_hz: opts.rateHz, seed: opts.seed, ...(onProgress ? { onProgress } : {}) }, stream.view);
        } finally {
          progress.done();
          fixture.close();
        }
        stream.end();
        log().info({ record: fixture.meta.record }, 'replay done');
        return;
      }
      // Records go to spool files in rows as they arrive (sim/replay-store.ts): memory holds a
      // block of each kind whatever the recording's length, and the output is written from them.
      const spool = compactReplay();
      try {
        let result;
        try {
          result = opts.direct
            ? replayFixtureInto(fixture, { rate_hz: opts.rateHz, seed: opts.seed, ...(onProgress ? { onProgress } : {}) }, spool)
            : await replayOverProtocolInto(fixture, {
              rate_hz: opts.rateHz, seed: opts.seed, ...(onProgress ? { onProgress } : {}), ...(config ? { config } : {}),
              taps: (device, transport) => openTaps(opts, device, transport, [`reproduce: ring replay ${file} --rate-hz ${opts.rateHz} --seed ${opts.seed}${configArg}`]) ?? NO_TAPS,
            }, spool);
        } finally {
          progress.done();
          fixture.close();
        }
        writeOutput(result, opts, golden, `ring replay ${file} --rate-hz ${opts.rateHz} --seed ${opts.seed}${configArg} --ndjson`);
        log().info({ record: fixture.meta.record }, 'replay done');
      } finally {
        closeReplay(spool);
      }
    });
}

/** The replay's output as asked: a golden check, then the table, --json or --ndjson. */
function writeOutput(result: ReplayView, opts: ReplayCliOptions, golden: Iterable<string> | null, reproduce: string): void {
  if (opts.golden) {
    // Both sides are read as they are compared (or written): a golden of a long recording
    // is never held whole.
    if (opts.updateGolden) {
      const count = writeGolden(opts.golden, replayNdjsonIter(result));
      process.stderr.write(`golden written: ${opts.golden} (${count} lines)\n`);
    } else {
      const check = compareGoldenStream(golden ?? goldenLines(opts.golden), replayNdjsonIter(result));
      if (!check.ok) {
        process.stderr.write(`golden mismatch: ${opts.golden} (expected ${check.expected_lines} lines, got ${check.actual_lines})\n`);
        process.stderr.write(check.diff + '\n');
        process.stderr.write(`reproduce: ${reproduce}\n`);
        process.exitCode = EXIT_MISMATCH;
        return;
      }
      process.stderr.write(`golden ok: ${opts.golden} (${check.actual_lines} lines)\n`);
    }
  }
  // Written in pieces: a long recording's output is never one string in memory.
  const write = writeStdoutNow;
  if (opts.json) writeReplayJson(result, write);
  else if (opts.ndjson) writeReplayNdjson(result, write);
  else if (!opts.golden) writeReplayTable(result, { beats: Boolean(opts.beats) }, write);
}
