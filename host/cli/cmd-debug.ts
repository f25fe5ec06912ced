// Debugging the protocol from a terminal: `ring decode` (a frame, or every frame of a
// capture), `ring trace` (a live log of every frame), `ring dissector` (the Wireshark Lua
// dissector, generated from the protocol's tables), and the `--capture` / `--trace` options
// every device command and `ring replay` take (addDebugOptions, openTaps).

import fs from 'node:fs';
import type { Command } from 'commander';
import { STREAM_BEATS, STREAM_HR, STREAM_HRV } from '../../protocol/ids.js';
import { readBtsnoop } from '../debug/btsnoop.js';
import { DecodeError, decodeFrames, frameJson, frameText, parseFrameText } from '../debug/decode.js';
import { generateDissector } from '../debug/lua-gen.js';
import { FrameTracer, type TraceEvent } from '../debug/trace.js';
import { StreamSubscription } from '../client/stream.js';
import { RING_FRAME_CHAR_UUID } from '../../protocol/ids.js';
import { UsageError } from './errors.js';
import { parseNonNegativeInt } from './options.js';
import { addTransportOptions, openSimSession, type TransportCliOptions } from './transport-options.js';
import { writeFileAtomic } from '../io/output-file.js';

export function registerDebugCommands(program: Command): void {
  registerDecode(program);
  registerTrace(program);
  registerDissector(program);
}

// ---------------------------------------------------------------------------------------

interface DecodeCliOptions {
  capture?: string;
  json?: boolean;
}

function readInput(arg: string | undefined): Uint8Array {
  if (arg === undefined) throw new UsageError('decode needs a frame (hex or base64, or - for stdin) or --capture <file>');
  if (arg !== '-') return parseFrameText(arg);
  const raw = fs.readFileSync(0);
  const text = raw.toString('utf8');
  // Text on stdin is hex or base64; anything else is taken as the frame's raw bytes.
  return /^[\s0-9A-Za-z+/=:_-]*$/.test(text) && text.trim().length > 0 ? parseFrameText(text) : Uint8Array.from(raw);
}

/** The frame characteristic's value handle, from the capture's discovery (Read By Type 0x2803). */
function frameHandleOf(att: { from: string; pdu: Uint8Array }[]): number {
  const want = RING_FRAME_CHAR_UUID.replace(/-/g, '');
  for (const r of att) {
    const p = r.pdu;
    if (r.from !== 'ring' || p[0] !== 0x09 || p.length < 2 || p[1] !== 21) continue;
    for (let off = 2; off + 21 <= p.length; off += 21) {
      let uuid = '';
      for (let i = 20; i >= 5; i--) uuid += p[off + i].toString(16).padStart(2, '0');
      if (uuid === want) return p[off + 3] | (p[off + 4] << 8);
    }
  }
  return 0;
}

function decodeCapture(file: string, json: boolean): void {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`--capture: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const cap = readBtsnoop(bytes);
  const handle = frameHandleOf(cap.att);
  if (handle === 0) throw new UsageError(`${file}: no discovery of the ring's frame characteristic ${RING_FRAME_CHAR_UUID} in the capture`);
  const events: TraceEvent[] = [];
  const tracer = new FrameTracer({ epoch_ms: 0, frameHandle: () => handle, onEvent: (e) => events.push(e) });
  for (const r of cap.att) tracer.pdu(r.from === 'host' ? 'central' : 'peripheral', r.pdu, r.time_us);
  const frames = events.filter((e) => e.kind === 'frame');
  if (json) {
    const doc = {
      capture: file, records: cap.records, att_pdus: cap.att.length, notes: cap.notes, frame_handle: handle,
      frames: frames.map((e) => ({
        frame: e.frame, dir: e.dir, time_us: e.time_us, size: e.size, rtt_us: e.rtt_us,
        ...(e.view ? (frameJson(e.view) as object) : { error: { offset: e.error?.offset, expected: e.error?.expected, found: e.error?.found } }),
      })),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  for (const n of cap.notes) process.stdout.write(`note: ${n}\n`);
  for (const e of frames) {
    const head = `#${e.frame} ${new Date(Math.floor(e.time_us / 1000)).toISOString()} ${e.dir}${e.rtt_us !== null ? ` rtt ${(e.rtt_us / 1000).toFixed(1)} ms` : ''}`;
    process.stdout.write(`${head}\n${e.view ? frameText(e.view).replace(/^/gm, '  ') : `  malformed: ${e.error?.message}`}\n`);
  }
  process.stderr.write(`${frames.length} frames from ${cap.att.length} ATT PDUs (frame characteristic at handle 0x${handle.toString(16).padStart(4, '0')})\n`);
}

function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode a protocol frame (hex or base64; - reads stdin), or every frame of a capture: header, named fields with units')
    .argument('[frame]', 'frame bytes as hex or base64, or - for stdin')
    .option('--capture <file>', 'decode every frame in a btsnoop capture (from --capture or btmon -w)')
    .option('--json', 'print one JSON document')
    .action((frame: string | undefined, opts: DecodeCliOptions) => {
      try {
        if (opts.capture !== undefined) {
          if (frame !== undefined) throw new UsageError('give a frame or --capture, not both');
          decodeCapture(opts.capture, Boolean(opts.json));
          return;
        }
        const views = decodeFrames(readInput(frame));
        if (opts.json) process.stdout.write(JSON.stringify(views.length === 1 ? frameJson(views[0]) : views.map(frameJson), null, 2) + '\n');
        else process.stdout.write(views.map(frameText).join('\n') + '\n');
      } catch (err) {
        if (err instanceof DecodeError) throw new UsageError(`malformed input ${err.message}`);
        throw err;
      }
    });
}

// ---------------------------------------------------------------------------------------

interface TraceCliOptions extends TransportCliOptions {
  durationS?: number;
}

function registerTrace(program: Command): void {
  addTransportOptions(program.command('trace').description('connect, read the device information and clock, stream beats, HR and HRV, and print every frame on stdout'))
    .option('--duration-s <n>', 'stop after n seconds of streaming (default 10)', (v) => parseNonNegativeInt('--duration-s', v), 10)
    .action(async (opts: TraceCliOptions) => {
      const session = await openSimSession(opts, { recordFirst: false }, {
        trace: true,
        out: (line) => process.stdout.write(line + '\n'),
        color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      });
      try {
        await session.client.info();
        await session.client.timeGet();
        const sub = await StreamSubscription.open(session.client, STREAM_BEATS | STREAM_HR | STREAM_HRV, { resubscribe: true });
        const limit_us = (opts.durationS ?? 10) * 1_000_000;
        const stop_at_us = session.device.now_us + limit_us;
        await sub.runUntil(() => session.device.now_us >= stop_at_us, limit_us);
        await sub.close();
      } finally {
        await session.client.close();
        session.taps?.close();
      }
    });
}

function registerDissector(program: Command): void {
  program
    .command('dissector')
    .description("print the Wireshark Lua dissector for the ring's service (generated from the protocol's tables)")
    .option('-o, --output <file>', 'write it to a file instead of stdout')
    .action((opts: { output?: string }) => {
      const text = generateDissector();
      if (opts.output === undefined) {
        process.stdout.write(text);
        return;
      }
      writeFileAtomic(opts.output, text);
    });
}
