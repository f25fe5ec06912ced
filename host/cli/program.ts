// The `ring` program: root options, and the commands a command line names (commands.ts).

import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '../../sim/fixture/paths.js';
import { modulesFor } from './commands.js';
import { registerLogOptions } from './log-options.js';
import { setLogLevel } from './log.js';
import { parseLogLevel } from './options.js';

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * The program with the commands `argv` names: each command's module (and what it imports:
 * the simulator, the firmware, BlueZ bindings) is loaded only when that command runs, so
 * `ring info` does not pay for `ring score`. Help and unknown names load every command.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const registers = await Promise.all(modulesFor(argv).map((m) => m.load()));
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
  registerLogOptions(program);
  for (const register of registers) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
