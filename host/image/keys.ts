// Signing keys as files: a JSON document with the Ed25519 secret and public key in hex
// (the secret file) and one with the public key only (what a ring is provisioned with).

import fs from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { keyId, type SigningKey } from './format.js';

export interface KeyFile {
  kind: 'ring-image-signing-key' | 'ring-image-public-key';
  alg: 'ed25519';
  key_id: string;
  public_key: string;
  secret_key?: string;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError'; // a bad key file is the user's input
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function generateKey(secret?: Uint8Array): SigningKey {
  const secret_key = secret ?? ed25519.utils.randomSecretKey();
  return { secret_key, public_key: ed25519.getPublicKey(secret_key) };
}

export function keyFiles(key: SigningKey): { secret: KeyFile; pub: KeyFile } {
  const base = { alg: 'ed25519' as const, key_id: hex(keyId(key.public_key)), public_key: hex(key.public_key) };
  return {
    secret: { kind: 'ring-image-signing-key', ...base, secret_key: hex(key.secret_key) },
    pub: { kind: 'ring-image-public-key', ...base },
  };
}

function readKeyJson(file: string): KeyFile {
  let doc: KeyFile;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  } catch (err) {
    throw new KeyFileError(`cannot read key file ${file}: ${(err as Error).message}`);
  }
  if (doc?.alg !== 'ed25519' || typeof doc.public_key !== 'string' || !/^[0-9a-f]{64}$/.test(doc.public_key)) {
    throw new KeyFileError(`${file} is not a ring image key (ed25519, 32-byte public_key in hex)`);
  }
  return doc;
}

export function readSigningKey(file: string): SigningKey {
  const doc = readKeyJson(file);
  if (typeof doc.secret_key !== 'string' || !/^[0-9a-f]{64}$/.test(doc.secret_key)) {
    throw new KeyFileError(`${file} has no secret key: sign with the file 'ring keys generate' wrote, not the .pub.json`);
  }
  const key = generateKey(Buffer.from(doc.secret_key, 'hex'));
  if (hex(key.public_key) !== doc.public_key) throw new KeyFileError(`${file}: the public key does not belong to the secret key`);
  return key;
}

export function readPublicKey(file: string): Uint8Array {
  return new Uint8Array(Buffer.from(readKeyJson(file).public_key, 'hex'));
}
