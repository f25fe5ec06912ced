// stdout and stderr as Unix tools treat them: when the reader goes away (`ring ... | head`)
// the command ends quietly with exit 0, as `cat` does; any other write failure (a full
// disk) is one line on stderr and exit 2, never an unhandled 'error' event and its stack.

import { EXIT_INPUT, EXIT_OK } from './errors.js';

export function installStdioGuards(): void {
  const onError = (stream: string) => (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_OK);
    if (stream === 'stdout') {
      try {
        process.stderr.write(`error: cannot write to stdout: ${err.code ?? err.message}\n`);
      } catch {
        // stderr is gone too: the exit code is all that is left.
      }
    }
    process.exit(EXIT_INPUT);
  };
  process.stdout.on('error', onError('stdout'));
  process.stderr.on('error', onError('stderr'));
}
