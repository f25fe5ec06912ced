// The host's key store (PROTOCOL.md section 11): this host's id and, per ring it is paired
// with, the key the ring derived for it. One JSON file, mode 0600 in a 0700 folder:
// $RING_KEYS, else $XDG_CONFIG_HOME/ring-sim/keys.json, else ~/.config/ring-sim/keys.json.
// A file others can read is refused (as ssh refuses a private key), never silently used.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTH_HOST_ID_BYTES, AUTH_KEY_BYTES, AUTH_RING_ID_BYTES } from '../../protocol/ids.js';
import { randomBytes } from '../../protocol/host/auth.js';

export const KEYS_ENV = 'RING_KEYS';

export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

export type HostRole = 'owner' | 'viewer';

export interface RingKey {
  key: string; // hex, 32 bytes
  role: HostRole;
}

export interface KeyStoreData {
  version: 1;
  host_id: string; // hex, 8 bytes
  rings: Record<string, RingKey>; // by ring id (hex, 8 bytes)
}

export function defaultKeyStorePath(): string {
  const env = process.env[KEYS_ENV];
  if (env !== undefined && env.trim() !== '') return env;
  const base = process.env.XDG_CONFIG_HOME && process.env.XDG_CONFIG_HOME.trim() !== '' ? process.env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'ring-sim', 'keys.json');
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function fromHex(s: string, bytes: number, what: string): Uint8Array {
  if (typeof s !== 'string' || !new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(s)) throw new KeyStoreError(`${what} must be ${bytes} bytes of lowercase hex`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export class KeyStore {
  private constructor(readonly file: string, private data: KeyStoreData) {}

  /** The store at file; a new identity (not yet saved) when the file does not exist. */
  static open(file: string = defaultKeyStorePath()): KeyStore {
    if (!fs.existsSync(file)) return new KeyStore(file, { version: 1, host_id: toHex(randomBytes(AUTH_HOST_ID_BYTES)), rings: {} });
    const st = fs.statSync(file);
    if (!st.isFile()) throw new KeyStoreError(`${file} is not a file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new KeyStoreError(`${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 ${file}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new KeyStoreError(`${file} is not a key store: ${(err as Error).message}`);
    }
    return new KeyStore(file, checkData(raw, file));
  }

  get exists(): boolean {
    return fs.existsSync(this.file);
  }

  get hostId(): Uint8Array {
    return fromHex(this.data.host_id, AUTH_HOST_ID_BYTES, 'host_id');
  }

  /** Whether this store holds a key for any ring (worth opening a session for). */
  get hasKeys(): boolean {
    return Object.keys(this.data.rings).length > 0;
  }

  keyFor(ring_id: Uint8Array): RingKey | null {
    return this.data.rings[toHex(ring_id)] ?? null;
  }

  rings(): [string, RingKey][] {
    return Object.entries(this.data.rings);
  }

  set(ring_id: Uint8Array, key: Uint8Array, role: HostRole): void {
    if (ring_id.length !== AUTH_RING_ID_BYTES || key.length !== AUTH_KEY_BYTES) throw new KeyStoreError('ring id or key of the wrong size');
    this.data.rings[toHex(ring_id)] = { key: toHex(key), role };
  }

  /** Write the store: a 0700 folder, the file 0600 (written aside, then renamed in place). */
  save(): void {
    const dir = path.dirname(path.resolve(this.file));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
  }

  /** A new store for another host (a partner's), with one ring key: what `ring share grant --out` writes. */
  static forHost(file: string, host_id: Uint8Array, ring_id: Uint8Array, key: Uint8Array, role: HostRole): KeyStore {
    const ks = new KeyStore(file, { version: 1, host_id: toHex(host_id), rings: {} });
    ks.set(ring_id, key, role);
    return ks;
  }
}

function checkData(raw: unknown, file: string): KeyStoreData {
  const o = raw as Partial<KeyStoreData> | null;
  if (o === null || typeof o !== 'object' || o.version !== 1 || typeof o.rings !== 'object' || o.rings === null) {
    throw new KeyStoreError(`${file} is not a version 1 key store`);
  }
  fromHex(o.host_id as string, AUTH_HOST_ID_BYTES, `${file}: host_id`);
  for (const [ring, k] of Object.entries(o.rings)) {
    fromHex(ring, AUTH_RING_ID_BYTES, `${file}: ring id`);
    fromHex(k?.key, AUTH_KEY_BYTES, `${file}: key of ring ${ring}`);
    if (k.role !== 'owner' && k.role !== 'viewer') throw new KeyStoreError(`${file}: role of ring ${ring} must be owner or viewer`);
  }
  return o as KeyStoreData;
}
