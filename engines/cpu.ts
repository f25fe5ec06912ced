// Instructions per sample of the whole firmware on an engine, counted by valgrind's
// callgrind (deterministic: the same build and script give the same count on every run).
//
// The firmware's own share is separated from the feed's: four runs of the same engine and
// bundle, over N samples and over none, with the firmware driven and with the driver only
// draining the FIFO itself (FLAG_FEED_ONLY):
//   firmware = ((full_N - full_0) - (feed_N - feed_0)) / N     feed = (feed_N - feed_0) / N
// so loading the bundle, booting and the host's natives cancel out. The radio is attached
// but not connected (the ring's state most of the day); records are counted, not printed.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeScript, feedScript } from './driver/script.js';
import { espruinoProgram } from './espruino/runner.js';
import { engineCommand, type EngineName, type EnginePaths } from './run.js';

export interface CpuFigures {
  engine: EngineName;
  rate_hz: number;
  samples: number;
  /** The firmware's own instructions per sample. */
  firmware_instructions_per_sample: number;
  /** The driver's feed (FIFO, interrupts) and the host's natives, per sample. */
  feed_instructions_per_sample: number;
  /** The engine's C functions with the most instructions in the full run (self cost, % of the run). */
  hot_spots: { function: string; percent: number }[];
}

/** The top self-cost functions of a callgrind output file (callgrind_annotate). */
function hotSpots(out_file: string, top: number): { function: string; percent: number }[] {
  const r = spawnSync('callgrind_annotate', [out_file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return [];
  const spots: { function: string; percent: number }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*[\d,]+\s+\(\s*([\d.]+)%\)\s+\S*?:(\S+)/.exec(line);
    if (m !== null && m[2] !== undefined && spots.length < top) spots.push({ function: m[2], percent: Number(m[1]) });
  }
  return spots;
}

function callgrind(cmd: string[], out_file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out_file}`, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Collected\s*:\s*(\d+)/.exec(stderr);
      if (code !== 0 || m === null) reject(new Error(`valgrind ${cmd[0]} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolve(Number(m[1]));
    });
  });
}

export function haveValgrind(): boolean {
  return fs.existsSync('/usr/bin/valgrind') || fs.existsSync('/usr/local/bin/valgrind');
}

/** Instructions per sample on one engine, over the first `samples` samples of a stream. */
export async function instructionsPerSample(paths: EnginePaths, engine: EngineName, stream: Int32Array, rate_hz: number): Promise<CpuFigures> {
  const n = stream.length;
  if (n === 0) throw new Error('no samples to measure');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-cpu-'));
  try {
    const count = async (feed_only: boolean, samples: number, tag: string): Promise<number> => {
      const script = feedScript(stream.subarray(0, samples), { rate_hz, feed_only });
      const script_file = path.join(dir, `${tag}.i32`);
      fs.writeFileSync(script_file, encodeScript(script));
      let cmd: string[];
      if (engine === 'espruino') {
        const program = path.join(dir, `${tag}.js`);
        // No heap sampling and no printing: the count is the firmware's and the feed's.
        const text = espruinoProgram(fs.readFileSync(paths.ring_min_js, 'utf8'), fs.readFileSync(paths.driver_js, 'utf8'), script_file, false)
          .replace('record: function (kind, rec, n) {', 'record: function (kind, rec, n) { return;')
          .replace('pdu: function (pdu, len) {', 'pdu: function (pdu, len) { return;');
        fs.writeFileSync(program, text);
        cmd = [paths.espruino, program];
      } else cmd = engineCommand(paths, engine, script_file, null, { quiet: true });
      return callgrind(cmd, path.join(dir, `callgrind.${tag}.out`));
    };
    // One at a time: the machine's cores are shared.
    const full_n = await count(false, n, 'full-n');
    const full_0 = await count(false, 0, 'full-0');
    const feed_n = await count(true, n, 'feed-n');
    const feed_0 = await count(true, 0, 'feed-0');
    return {
      hot_spots: hotSpots(path.join(dir, 'callgrind.full-n.out'), 8),
      engine,
      rate_hz,
      samples: n,
      firmware_instructions_per_sample: Math.round((full_n - full_0 - (feed_n - feed_0)) / n),
      feed_instructions_per_sample: Math.round((feed_n - feed_0) / n),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
