#!/usr/bin/env node
// The `ring` command line. Data goes to stdout, logs and progress to stderr; every
// failure ends in one line `error: <message>` and a named exit code (cli/errors.ts).

import './v8-tuning.js';
import { CommanderError } from 'commander';
import { EXIT_INPUT, EXIT_INTERNAL, exitCodeFor, oneLineMessage } from './errors.js';
import { installStdioGuards } from './stdio.js';
import { buildProgram } from './program.js';

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
