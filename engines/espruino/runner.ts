// The whole firmware on Espruino's Linux port (build/engines/espruino/bin/espruino, make
// espruino): one program made of a prelude (the RingHost natives written in Espruino's own
// JavaScript: the script file read with E.openFile, lines printed), the firmware's ES5
// bundle, the driver bundle and an epilogue, run by `espruino program.js`. Output lines are
// those of engines/host-common.h, between "#start" and "#end" markers (the REPL's banner
// and prompt are not ours); print ends lines with CRLF, the runner gives back LF.
//
// Heap: Espruino keeps every value, and every function's source text, in fixed-size
// variable blocks (27 bytes each on this 64-bit build, 12-16 bytes on microcontrollers).
// process.memory() reports blocks in use after a collection: after the firmware's load,
// after boot and at the end; with sample_heap, also at every record and PDU (no
// collection, so the highest figure is the peak while the firmware runs).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface EspruinoRun {
  status: number | null;
  /** Output lines (each ended by '\n'), as Node's driver prints them. */
  text: string;
  stderr: string;
  stats: EspruinoStats | null;
}

export interface EspruinoStats {
  block_bytes: number;
  blocks_empty: number;
  blocks_loaded: number;
  blocks_booted: number;
  blocks_end: number;
  blocks_peak: number;
  driver_rc: number;
}

/** The program text: prelude, firmware bundle, driver bundle, epilogue. */
export function espruinoProgram(firmware_js: string, driver_js: string, script_path: string, sample_heap: boolean): string {
  const prelude = `
print("#start");
var RH_EMPTY = process.memory().usage;
var RH_F = E.openFile(${JSON.stringify(script_path)}, "r");
var RH_HEX = "0123456789abcdef";
var RH_SAMPLE = ${sample_heap ? 'true' : 'false'};
var RH = { loaded: 0, booted: 0, end: 0, peak: 0 };
function rh_sample() { var u = process.memory(false).usage; if (u > RH.peak) RH.peak = u; }
var RingHost = {
  read: function (dst, max) {
    var n = max < dst.length ? max : dst.length;
    var s = RH_F.read(n * 4);
    if (!s) return 0;
    var k = s.length >> 2;
    for (var i = 0; i < k; i++) dst[i] = s.charCodeAt(4 * i) | (s.charCodeAt(4 * i + 1) << 8) | (s.charCodeAt(4 * i + 2) << 16) | (s.charCodeAt(4 * i + 3) << 24);
    return k;
  },
  record: function (kind, rec, n) {
    if (RH_SAMPLE) rh_sample();
    var l = "" + kind;
    for (var i = 0; i < n; i++) l += " " + rec[i];
    print(l);
  },
  pdu: function (pdu, len) {
    if (RH_SAMPLE) rh_sample();
    var l = "> ";
    for (var i = 0; i < len; i++) l += RH_HEX[pdu[i] >> 4] + RH_HEX[pdu[i] & 15];
    print(l);
  },
  note: function (code, value) { print("= " + code + " " + value); },
  mark: function (phase) {
    var u = process.memory().usage;
    if (phase === 1) RH.booted = u; else if (phase === 2) RH.end = u;
    if (u > RH.peak) RH.peak = u;
  }
};
`;
  const between = `
RH.loaded = process.memory().usage;
if (RH.loaded > RH.peak) RH.peak = RH.loaded;
`;
  const epilogue = `
RH_F.close();
print("#end");
print("#stats " + JSON.stringify({ block_bytes: process.memory().blocksize, blocks_empty: RH_EMPTY, blocks_loaded: RH.loaded, blocks_booted: RH.booted, blocks_end: RH.end, blocks_peak: RH.peak, driver_rc: RingDriverResult }));
quit();
`;
  return prelude + firmware_js + '\n' + between + driver_js + '\n' + epilogue;
}

/** Lines between the markers, CRLF made LF, and the stats line. */
export function parseEspruinoOutput(stdout: string): { text: string; stats: EspruinoStats | null } {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  const start = lines.indexOf('#start');
  const end = lines.indexOf('#end');
  const body = start >= 0 ? lines.slice(start + 1, end >= 0 ? end : lines.length) : [];
  const statsLine = lines.find((l) => l.startsWith('#stats '));
  const stats = statsLine === undefined ? null : (JSON.parse(statsLine.slice(7)) as EspruinoStats);
  return { text: body.length === 0 ? '' : body.join('\n') + '\n', stats };
}

/** Run a script through the whole firmware on Espruino. */
export function runOnEspruino(espruino_bin: string, firmware_js: string, driver_js: string, script_path: string, opts: { sample_heap?: boolean } = {}): EspruinoRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-espruino-'));
  try {
    const program = path.join(dir, 'program.js');
    fs.writeFileSync(program, espruinoProgram(firmware_js, driver_js, path.resolve(script_path), opts.sample_heap ?? false));
    const r = spawnSync(espruino_bin, [program], { encoding: 'utf8', input: '', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
    const { text, stats } = parseEspruinoOutput(r.stdout ?? '');
    return { status: r.status, text, stderr: r.stderr ?? '', stats };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
