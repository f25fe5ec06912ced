#!/usr/bin/env node
// The `ring` command line. Data goes to stdout, logs and progress to stderr; every
// failure ends in one line `error: <message>` and a named exit code (cli/errors.ts).

import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_INPUT, EXIT_INTERNAL, exitCodeFor, oneLineMessage } from './errors.js';
import { setLogLevel } from './log.js';
import { installStdioGuards } from './stdio.js';
import { parseLogLevel } from './options.js';
import { registerReplayCommand } from './cmd-replay.js';
import { registerScoreCommand } from './cmd-score.js';
import { registerFixtureCommands } from './cmd-fixture.js';
import { registerDeviceCommands } from './cmd-device.js';
import { registerSimCommands } from './cmd-sim.js';
import { registerScanCommand } from './cmd-scan.js';
import { registerDebugCommands } from './cmd-debug.js';
import { registerEnergyCommand } from './cmd-energy.js';
import { registerCiCommand } from './cmd-ci.js';
import { registerLogCommands } from './cmd-log.js';
import { registerImageCommands } from './cmd-image.js';
import { registerPairCommand } from './cmd-pair.js';
import { registerShareCommands } from './cmd-share.js';

function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  try {
    return (JSON.parse(fs.readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ring')
    .description('ring-sim: replay, score and debug smart-ring firmware in a deterministic simulator')
    .version(packageVersion())
    .option('--log-level <level>', 'log level on stderr (fatal, error, warn, info, debug, trace, silent)', parseLogLevel, 'warn')
    .hook('preAction', (cmd) => setLogLevel(String(cmd.opts().logLevel)))
    .exitOverride()
    // Usage errors are one line, as every other error: the hint goes on the same line.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`${s.replace(/\s*\n\s*/g, ' ').trim()} (run with --help for usage)\n`),
    });
  registerReplayCommand(program);
  registerScoreCommand(program);
  registerFixtureCommands(program);
  registerDeviceCommands(program);
  registerSimCommands(program);
  registerScanCommand(program);
  registerDebugCommands(program);
  registerEnergyCommand(program);
  registerCiCommand(program);
  registerLogCommands(program);
  registerImageCommands(program);
  registerPairCommand(program);
  registerShareCommands(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed its own message otherwise.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return EXIT_INPUT;
    }
    const code = exitCodeFor(err);
    process.stderr.write(`error: ${oneLineMessage(err)}\n`);
    if (code === EXIT_INTERNAL && err instanceof Error && process.env.RING_DEBUG) process.stderr.write(`${err.stack}\n`);
    if (code === EXIT_INTERNAL) process.stderr.write('this is a bug or a firmware fault; rerun with RING_DEBUG=1 for the stack\n');
    return code;
  }
}

installStdioGuards();
const code = await main(process.argv);
process.exitCode = code;
