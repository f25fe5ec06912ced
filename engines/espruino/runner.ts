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
//
// Flash: the prelude gives RingHost the flash natives (flash_read, flash_write,
// flash_erase) over the whole 1 MB part, every 4 KB sector made (erased) before anything
// else runs, with exactly the C hosts' semantics (engines/host-common.h). On a ring the
// part is flash, not RAM: as in the C hosts, it is the host's, so the firmware's figures
// start after it (blocks_empty is the engine with the host's flash, blocks_host_flash
// what the flash took), and a sector the log first writes after boot
// does not show as the firmware's growth.

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
  /** Blocks the host's flash (1 MB of sectors) takes, not counted in the others. */
  blocks_host_flash: number;
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
var RH_ENGINE = process.memory().usage;
var RH_FL = [];
for (var rh_s = 0; rh_s < 256; rh_s++) RH_FL.push(new Uint8Array(4096).fill(255));
var RH_EMPTY = process.memory().usage;
function rh_fl_int(v) { return typeof v === "number" && v >= 0 && v % 1 === 0; }
function rh_fl_span(addr, buf, off, len) {
  return rh_fl_int(addr) && rh_fl_int(off) && rh_fl_int(len) && addr + len <= 1048576 && off + len <= buf.length;
}
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
  flash_read: function (addr, dst, off, len) {
    if (!rh_fl_span(addr, dst, off, len)) return -3;
    for (var i = 0; i < len; i++) dst[off + i] = RH_FL[(addr + i) >> 12][(addr + i) & 4095];
    return 0;
  },
  flash_write: function (addr, src, off, len) {
    if (!rh_fl_span(addr, src, off, len) || addr % 4 !== 0 || len % 4 !== 0) return -3;
    for (var i = 0; i < len; i++) { var a = addr + i; var sec = RH_FL[a >> 12]; sec[a & 4095] = sec[a & 4095] & src[off + i]; }
    return 0;
  },
  flash_erase: function (addr) {
    if (!rh_fl_int(addr) || addr % 4096 !== 0 || addr + 4096 > 1048576) return -3;
    RH_FL[addr >> 12].fill(255);
    return 0;
  },
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
print("#stats " + JSON.stringify({ block_bytes: process.memory().blocksize, blocks_host_flash: RH_EMPTY - RH_ENGINE, blocks_empty: RH_EMPTY, blocks_loaded: RH.loaded, blocks_booted: RH.booted, blocks_end: RH.end, blocks_peak: RH.peak, driver_rc: RingDriverResult }));
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
