// A strict reader for the protocol's CBOR subset (PROTOCOL.md section 4) that keeps where
// every item starts, for tools that show a frame byte by byte. Anything outside the subset
// or cut short is a DecodeError naming the byte offset and what was expected there; the
// reader never throws anything else, whatever the input (test/debug/decode-fuzz.test.ts).

import { CBOR_DEPTH_MAX, CBOR_INT_MAX, CBOR_TEXT_MAX } from '../../protocol/ids.js';

/** Malformed input: `offset` counts from the start of what the user gave (the frame). */
export class DecodeError extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`at byte ${offset}: expected ${expected}, found ${found}`);
    this.name = 'DecodeError';
  }
}

export type CborNode =
  | { kind: 'int'; offset: number; size: number; value: number }
  | { kind: 'bool'; offset: number; size: number; value: boolean }
  | { kind: 'null'; offset: number; size: number }
  | { kind: 'text'; offset: number; size: number; value: string }
  | { kind: 'bytes'; offset: number; size: number; value: Uint8Array }
  | { kind: 'array'; offset: number; size: number; items: CborNode[] }
  | { kind: 'map'; offset: number; size: number; entries: { key: CborNode; value: CborNode }[] };

const MAJOR_NAMES = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple value or float'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

function hex2(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

class Reader {
  constructor(
    private readonly buf: Uint8Array,
    /** Added to positions in errors and nodes: where buf starts in the user's input. */
    private readonly base: number,
  ) {}

  private fail(pos: number, expected: string, found: string): never {
    throw new DecodeError(this.base + pos, expected, found);
  }

  /** The argument of a head at pos: [value, position after the head]. */
  private argument(pos: number, what: string): [number, number] {
    const ib = this.buf[pos];
    const ai = ib & 0x1f;
    if (ai < 24) return [ai, pos + 1];
    if (ai >= 28 && ai <= 30) this.fail(pos, what, `reserved additional information ${ai} (${hex2(ib)})`);
    if (ai === 31) this.fail(pos, `${what} of definite length`, `an indefinite-length head (${hex2(ib)})`);
    const n = 1 << (ai - 24);
    if (pos + 1 + n > this.buf.length) {
      this.fail(this.buf.length, `${n} more byte${n > 1 ? 's' : ''} of the head at byte ${this.base + pos}`, 'the end of the input');
    }
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[pos + 1 + i];
    return [v, pos + 1 + n];
  }

  item(pos: number, depth: number): [CborNode, number] {
    if (pos >= this.buf.length) this.fail(pos, 'a CBOR item', 'the end of the input');
    const ib = this.buf[pos];
    const major = ib >> 5;
    switch (major) {
      case 0:
      case 1: {
        const [arg, next] = this.argument(pos, 'an integer');
        if (arg > CBOR_INT_MAX || (major === 1 && arg + 1 > CBOR_INT_MAX)) {
          this.fail(pos, `an integer within +-(2^53-1)`, major === 0 ? `${arg}` : `-1-${arg}`);
        }
        return [{ kind: 'int', offset: this.base + pos, size: next - pos, value: major === 0 ? arg : -1 - arg }, next];
      }
      case 2:
      case 3: {
        const [len, start] = this.argument(pos, MAJOR_NAMES[major]);
        if (start + len > this.buf.length) {
          this.fail(this.buf.length, `${len} bytes of the ${MAJOR_NAMES[major]} at byte ${this.base + pos}`, `only ${this.buf.length - start}`);
        }
        const raw = this.buf.subarray(start, start + len);
        if (major === 2) return [{ kind: 'bytes', offset: this.base + pos, size: start + len - pos, value: raw.slice() }, start + len];
        if (len > CBOR_TEXT_MAX) this.fail(pos, `text of at most ${CBOR_TEXT_MAX} bytes`, `${len} bytes`);
        let value: string;
        try {
          value = utf8.decode(raw);
        } catch {
          return this.fail(start, 'UTF-8 text', 'invalid UTF-8');
        }
        return [{ kind: 'text', offset: this.base + pos, size: start + len - pos, value }, start + len];
      }
      case 4:
      case 5: {
        if (depth >= CBOR_DEPTH_MAX) this.fail(pos, `nesting of at most ${CBOR_DEPTH_MAX} containers`, `a ${MAJOR_NAMES[major]} at depth ${depth + 1}`);
        const [count, first] = this.argument(pos, MAJOR_NAMES[major]);
        // Every item takes at least one byte: a count beyond the bytes left is truncation.
        const per = major === 4 ? 1 : 2;
        if (count * per > this.buf.length - first) {
          this.fail(this.buf.length, `${count} ${major === 4 ? 'items' : 'entries'} of the ${MAJOR_NAMES[major]} at byte ${this.base + pos}`, 'the end of the input');
        }
        let at = first;
        if (major === 4) {
          const items: CborNode[] = [];
          for (let i = 0; i < count; i++) {
            const [node, next] = this.item(at, depth + 1);
            items.push(node);
            at = next;
          }
          return [{ kind: 'array', offset: this.base + pos, size: at - pos, items }, at];
        }
        const entries: { key: CborNode; value: CborNode }[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < count; i++) {
          const [key, after_key] = this.item(at, depth + 1);
          if (key.kind !== 'text' && key.kind !== 'int') this.fail(at, 'a text or integer map key', `a ${key.kind}`);
          const id = `${key.kind}:${key.value}`;
          if (seen.has(id)) this.fail(at, 'a key not seen before in this map', `the duplicate key ${JSON.stringify(key.value)}`);
          seen.add(id);
          const [value, next] = this.item(after_key, depth + 1);
          entries.push({ key, value });
          at = next;
        }
        return [{ kind: 'map', offset: this.base + pos, size: at - pos, entries }, at];
      }
      case 6:
        return this.fail(pos, 'an item of the subset (no tags)', `a tag (${hex2(ib)})`);
      default: {
        const ai = ib & 0x1f;
        if (ai === 20 || ai === 21) return [{ kind: 'bool', offset: this.base + pos, size: 1, value: ai === 21 }, pos + 1];
        if (ai === 22) return [{ kind: 'null', offset: this.base + pos, size: 1 }, pos + 1];
        if (ai >= 25 && ai <= 27) return this.fail(pos, 'an integer (no floats on the wire)', `a float (${hex2(ib)})`);
        if (ai === 31) return this.fail(pos, 'a CBOR item', `a stray break (${hex2(ib)})`);
        return this.fail(pos, 'false, true or null', `simple value ${hex2(ib)}`);
      }
    }
  }
}

/**
 * Exactly one CBOR item filling `buf`. `base` is buf's offset in the user's input, so
 * error offsets and node offsets count from there.
 */
export function parseCbor(buf: Uint8Array, base = 0): CborNode {
  const reader = new Reader(buf, base);
  const [node, end] = reader.item(0, 0);
  if (end !== buf.length) throw new DecodeError(base + end, 'the end of the body (one item per body)', `${buf.length - end} more bytes`);
  return node;
}

/** The plain JS value of a node (maps with text keys become objects), as cbor-x gives it. */
export function nodeValue(node: CborNode): unknown {
  switch (node.kind) {
    case 'null':
      return null;
    case 'array':
      return node.items.map(nodeValue);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        Object.defineProperty(out, String(nodeValue(e.key)), { value: nodeValue(e.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return node.value;
  }
}
