// Bodies of every message, generated from the schema with a seeded PRNG: each field at the
// edges of its range or in between, optional fields present or not, lists of 0..3 items.
// History records in a page get increasing sequence numbers, as the spec requires.

import { Prng } from '../../sim/prng.js';
import { HISTORY_RECORDS, type FieldDef, type FieldType, type MessageDef } from '../../protocol/host/schema.js';

export interface GenOptions {
  /** Every optional field present (true) or each by a coin flip (false). */
  all_optional: boolean;
}

function pickInt(prng: Prng, min: number, max: number): number {
  const r = prng.nextInt(0, 3);
  if (r === 0) return min;
  if (r === 1) return max;
  if (max - min <= 0x7fffffff) return prng.nextInt(min, max);
  return min + Math.floor((max - min) * (prng.nextInt(0, 1_000_000) / 1_000_000));
}

export function genValue(prng: Prng, t: FieldType, o: GenOptions, seq: { next: number }): unknown {
  switch (t.t) {
    case 'int':
      return pickInt(prng, t.min, t.max);
    case 'bool':
      return prng.nextInt(0, 1) === 1;
    case 'text': {
      const n = prng.nextInt(1, Math.min(t.max_bytes, 12));
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(prng.nextInt(0x61, 0x7a));
      return s;
    }
    case 'bytes': {
      const unit = t.multiple_of ?? 1;
      const n = unit * prng.nextInt(Math.ceil(t.min_bytes / unit), Math.floor(Math.min(t.max_bytes, 40) / unit));
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = prng.nextInt(0, 255);
      return b;
    }
    case 'map':
      return genMap(prng, t.fields, o, seq);
    case 'list': {
      const n = prng.nextInt(t.min_items, Math.min(t.max_items, t.min_items + 3));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(genValue(prng, t.item, o, seq));
      return out;
    }
    case 'tuple':
      return genTuple(prng, t.fields, o, seq);
    case 'record': {
      const kinds = Object.keys(HISTORY_RECORDS).map(Number);
      const kind = kinds[prng.nextInt(0, kinds.length - 1)];
      const r = genTuple(prng, HISTORY_RECORDS[kind].fields, o, seq);
      r[0] = seq.next;
      seq.next += prng.nextInt(1, 3);
      return r;
    }
  }
}

function genTuple(prng: Prng, fields: readonly FieldDef[], o: GenOptions, seq: { next: number }): unknown[] {
  const out: unknown[] = [];
  for (const d of fields) {
    if (d.optional && !o.all_optional && prng.nextInt(0, 1) === 0) break; // optional fields are the tail
    out.push(genValue(prng, d.type, o, seq));
  }
  return out;
}

export function genMap(prng: Prng, fields: readonly FieldDef[], o: GenOptions, seq = { next: 1 }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of fields) {
    if (d.optional && !o.all_optional && prng.nextInt(0, 1) === 0) continue;
    out[d.name] = genValue(prng, d.type, o, seq);
  }
  return out;
}

export function genBody(prng: Prng, m: MessageDef, o: GenOptions): Record<string, unknown> {
  return genMap(prng, m.fields, o, { next: prng.nextInt(1, 1000) });
}
