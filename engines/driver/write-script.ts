// write-script: a driver script (engines/driver/script.ts) for a fixture, as the file the
// engine hosts read.
//
//   node dist/engines/driver/write-script.js <fixture> <rate_hz> <out.i32> [--session]
//        [--feed-only] [--no-radio] [--max-samples N]

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sensorStreamOf } from '../../tools/duk/write-stream.js';
import { encodeScript, feedScript, sessionScript, type ScriptOptions } from './script.js';

export const USAGE =
  'usage: write-script <fixture> <rate_hz> <out.i32> [--session] [--feed-only] [--no-radio] [--max-samples N]\n';

export function writeScript(fixture: string, out: string, opts: ScriptOptions & { session?: boolean; max_samples?: number }): number {
  let stream = sensorStreamOf(fixture, opts.rate_hz);
  if (opts.max_samples !== undefined && opts.max_samples < stream.length) stream = stream.subarray(0, opts.max_samples);
  const words = opts.session ? sessionScript(stream, opts) : feedScript(stream, opts);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, encodeScript(words));
  return stream.length;
}

function main(argv: readonly string[]): number {
  const pos: string[] = [];
  const opts: ScriptOptions & { session?: boolean; max_samples?: number } = { rate_hz: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--session') opts.session = true;
    else if (a === '--feed-only') opts.feed_only = true;
    else if (a === '--no-radio') opts.no_radio = true;
    else if (a === '--max-samples') opts.max_samples = Number(argv[++i]);
    else pos.push(a);
  }
  if (pos.length !== 3) {
    process.stderr.write(USAGE);
    return 2;
  }
  opts.rate_hz = Number(pos[1]);
  if (![25, 50, 100].includes(opts.rate_hz)) {
    process.stderr.write(`error: rate must be 25, 50 or 100, got "${pos[1]}"\n`);
    return 2;
  }
  const n = writeScript(pos[0]!, pos[2]!, opts);
  process.stderr.write(`write-script: ${pos[2]}: ${n} samples at ${opts.rate_hz} Hz\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
