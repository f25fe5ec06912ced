// The driver on Node: the reference run the engines are compared with, byte for byte.
// Output lines (the engine hosts print exactly these; engines/host-common.h):
//   `kind f0 f1 ...`   a record (sim/record-text.ts)
//   `> 1b0b00...`      an ATT PDU the firmware sent, lowercase hex
//   `= code value`     a driver note (boot and attach results, ATT return codes, ...)

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatRecordLine } from '../../sim/record-text.js';
import type { HostNatives, RingFirmwareApi } from './driver.js';

export interface DriverModule {
  firmware: RingFirmwareApi;
  driver_run(firmware: RingFirmwareApi, natives: HostNatives): number;
}

const HEX = '0123456789abcdef';

export function pduLine(pdu: Uint8Array, len: number): string {
  let s = '> ';
  for (let i = 0; i < len; i++) s += HEX[pdu[i]! >> 4]! + HEX[pdu[i]! & 15]!;
  return s;
}

export function noteLine(code: number, value: number): string {
  return `= ${code} ${value === 0 ? 0 : value}`;
}

/** Import the bundled firmware + driver (make engines-bundle), a fresh instance per key. */
export async function importDriver(module_path: string, fresh_key: string): Promise<DriverModule> {
  // Built by `make build` (make engines-bundle); say so rather than fail on a bare import error.
  if (!fs.existsSync(module_path)) {
    const err = new Error(`the firmware driver bundle ${module_path} is missing: run 'make engines-bundle' (make build does it)`);
    err.name = 'UsageError';
    throw err;
  }
  const url = pathToFileURL(path.resolve(module_path)).href + `?${encodeURIComponent(fresh_key)}`;
  return (await import(url)) as DriverModule;
}

export interface NodeRun {
  rc: number;
  /** Every output line, each ended by '\n'. */
  text: string;
}

/** Replay a script through a fresh firmware on Node. */
export function runOnNode(mod: DriverModule, script: Int32Array): NodeRun {
  const lines: string[] = [];
  let pos = 0;
  const natives: HostNatives = {
    read(dst, max) {
      const n = Math.min(max, dst.length, script.length - pos);
      for (let i = 0; i < n; i++) dst[i] = script[pos + i]!;
      pos += n;
      return n;
    },
    record(kind, rec, n) {
      lines.push(formatRecordLine(kind, rec, n));
    },
    pdu(pdu, len) {
      lines.push(pduLine(pdu, len));
    },
    note(code, value) {
      lines.push(noteLine(code, value));
    },
    mark() {},
  };
  const rc = mod.driver_run(mod.firmware, natives);
  return { rc, text: lines.length === 0 ? '' : lines.join('\n') + '\n' };
}
