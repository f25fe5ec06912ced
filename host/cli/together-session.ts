// A session file for `ring together --session` (and `ring replay --together --session`): the
// rings of one run, each with its recording and optionally its seed, crystal drift and what
// its wearer grants the host. Recordings are found relative to the file's folder.
//
//   {"rings": [{"recording": "a.ringfx", "seed": 1, "drift_ppm": 30},
//              {"recording": "b.ringfx", "drift_ppm": -20, "grant": ["hrv-summary", "sleep-summary"]}]}
//
// The first ring is the host's own ("grant" absent or "owner"); a partner's "grant" is a list
// of scope names or "none" (default: --partner-grant). Every mistake is one line naming it.

import fs from 'node:fs';
import path from 'node:path';
import { SCOPE_NAMES } from '../client/scopes.js';
import { UsageError } from './errors.js';

export interface SessionRing {
  recording: string;
  seed?: number;
  drift_ppm?: number;
  /** 'owner' for the first ring; a scope mask (0: none) for a partner's; undefined: the default. */
  grant?: number | 'owner';
}

const KEYS = new Set(['recording', 'seed', 'drift_ppm', 'grant']);
const RINGS_MAX = 16;

function intIn(where: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`${where} must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
  return v;
}

function grantOf(where: string, v: unknown, first: boolean): number | 'owner' {
  if (first) {
    if (v !== 'owner') throw new UsageError(`${where}: the first ring is the host's own: "owner" or no grant, got ${JSON.stringify(v)}`);
    return 'owner';
  }
  if (v === 'none') return 0;
  if (!Array.isArray(v) || v.length === 0) throw new UsageError(`${where} must be "none" or a list of ${Object.keys(SCOPE_NAMES).join(', ')}, got ${JSON.stringify(v)}`);
  let bits = 0;
  for (const name of v) {
    const b = typeof name === 'string' ? SCOPE_NAMES[name] : undefined;
    if (b === undefined) throw new UsageError(`${where} takes ${Object.keys(SCOPE_NAMES).join(', ')}, got ${JSON.stringify(name)}`);
    bits |= b;
  }
  return bits;
}

export function readTogetherSession(file: string): SessionRing[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`session file not found: ${file}`);
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not JSON (${(err as Error).message})`);
  }
  const rings = (doc as { rings?: unknown } | null)?.rings;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(rings)) throw new UsageError(`${file}: expected {"rings": [{"recording": ...}, ...]}`);
  const extra = Object.keys(doc).filter((k) => k !== 'rings');
  if (extra.length > 0) throw new UsageError(`${file}: unknown key '${extra[0]}' (a session holds "rings")`);
  if (rings.length < 2 || rings.length > RINGS_MAX) throw new UsageError(`${file}: together needs 2..${RINGS_MAX} rings, got ${rings.length}`);
  const dir = path.dirname(file);
  return rings.map((r: unknown, i): SessionRing => {
    const where = `${file}: rings[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new UsageError(`${where} must be an object with "recording"`);
    const o = r as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !KEYS.has(k));
    if (unknown !== undefined) throw new UsageError(`${where}: unknown key '${unknown}' (${[...KEYS].join(', ')})`);
    if (typeof o.recording !== 'string' || o.recording === '') throw new UsageError(`${where}.recording must be a file name`);
    return {
      recording: path.resolve(dir, o.recording),
      seed: o.seed === undefined ? undefined : intIn(`${where}.seed`, o.seed, 0, 0xffffffff),
      drift_ppm: o.drift_ppm === undefined ? undefined : intIn(`${where}.drift_ppm`, o.drift_ppm, -1000, 1000),
      grant: o.grant === undefined ? undefined : grantOf(`${where}.grant`, o.grant, i === 0),
    };
  });
}
