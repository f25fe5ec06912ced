// Firmware images (docs/image-format.md): build from a payload, sign, parse, verify.
// The layout's offsets are the firmware's (firmware/cmd/image-header.ts), so the ring and
// the host read the same bytes the same way. SHA-256 from @noble/hashes, Ed25519 from
// @noble/curves.

import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import * as H from '../../firmware/cmd/image-header.js';
import { ImageError } from './errors.js';

export interface ImageVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface ImageHeader {
  format_version: number;
  version: ImageVersion;
  security_counter: number;
  payload_bytes: number;
  target_id: number;
  payload_kind: number;
  /** Hex of the 20-byte build hash (source commit), zeros when unknown. */
  build_hash: string;
}

export interface ImageInfo extends ImageHeader {
  image_bytes: number;
  /** Hex SHA-256 over header + payload: the image's identity (upload key, state records). */
  sha256: string;
  signed: boolean;
  /** Hex of the signing key's id (first 8 bytes of SHA-256 of the public key), '' when unsigned. */
  key_id: string;
}

export interface BuildOptions {
  version: ImageVersion;
  security_counter: number;
  target_id?: number;
  build_hash?: Uint8Array;
}

export const IMAGE_OVERHEAD_BYTES = H.IMG_HEADER_BYTES + H.IMG_TRAILER_BYTES;

export function parseVersion(text: string): ImageVersion {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,5})$/.exec(text);
  if (!m) throw new RangeError(`version must be MAJOR.MINOR.PATCH, got "${text}"`);
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  if (v.major > 255 || v.minor > 255 || v.patch > 65535) throw new RangeError(`version ${text}: major and minor at most 255, patch at most 65535`);
  return v;
}

export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function put32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}

function put16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(off, v, true);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** An unsigned image: header, payload, trailer with the hash and no signature. */
export function buildImage(payload: Uint8Array, opts: BuildOptions): Uint8Array {
  const sc = opts.security_counter;
  if (!Number.isSafeInteger(sc) || sc < 0 || sc > 0xffffffff) throw new RangeError(`security counter must be 0..4294967295, got ${sc}`);
  if (payload.length === 0) throw new RangeError('the payload is empty');
  const img = new Uint8Array(IMAGE_OVERHEAD_BYTES + payload.length);
  put32(img, H.IH_MAGIC, H.IMG_MAGIC);
  put16(img, H.IH_FORMAT, H.IMG_FORMAT_VERSION);
  put16(img, H.IH_HEADER_BYTES, H.IMG_HEADER_BYTES);
  img[H.IH_VER_MAJOR] = opts.version.major;
  img[H.IH_VER_MINOR] = opts.version.minor;
  put16(img, H.IH_VER_PATCH, opts.version.patch);
  put32(img, H.IH_SECURITY_COUNTER, sc);
  put32(img, H.IH_PAYLOAD_BYTES, payload.length);
  put32(img, H.IH_TARGET, opts.target_id ?? H.IMG_TARGET_RING_NRF52840);
  img[H.IH_PAYLOAD_KIND] = H.IMG_PAYLOAD_ES5_MIN;
  if (opts.build_hash) img.set(opts.build_hash.subarray(0, H.IH_BUILD_HASH_BYTES), H.IH_BUILD_HASH);
  img.set(payload, H.IMG_HEADER_BYTES);
  const t = H.IMG_HEADER_BYTES + payload.length;
  put32(img, t + H.IT_MAGIC, H.IMG_TRAILER_MAGIC);
  put32(img, t + H.IT_SIG_TYPE, H.IMG_SIG_NONE);
  img.set(sha256(img.subarray(0, t)), t + H.IT_SHA256);
  return img;
}

export interface SigningKey {
  secret_key: Uint8Array;
  public_key: Uint8Array;
}

export function keyId(public_key: Uint8Array): Uint8Array {
  return sha256(public_key).subarray(0, 8);
}

/** A signed copy of an image (its hash is checked first: a damaged image is not signed). */
export function signImage(image: Uint8Array, key: SigningKey): Uint8Array {
  const info = parseImage(image);
  const out = image.slice();
  const t = H.IMG_HEADER_BYTES + info.payload_bytes;
  const digest = out.subarray(t + H.IT_SHA256, t + H.IT_SHA256 + 32);
  put32(out, t + H.IT_SIG_TYPE, H.IMG_SIG_ED25519);
  out.set(keyId(key.public_key), t + H.IT_KEY_ID);
  out.set(ed25519.sign(digest, key.secret_key), t + H.IT_SIGNATURE);
  return out;
}

/** Header and trailer fields; checks the structure and the hash (not the signature). */
export function parseImage(image: Uint8Array): ImageInfo {
  return readImage(image, true);
}

/**
 * The fields as they stand, hash not checked (sha256 is the trailer's claim): what a ring
 * would make of a damaged image, for tests that send one on purpose. Still throws for a
 * header or trailer that cannot be read.
 */
export function peekImage(image: Uint8Array): ImageInfo {
  return readImage(image, false);
}

function readImage(image: Uint8Array, check_hash: boolean): ImageInfo {
  if (image.length < H.IMG_HEADER_BYTES) throw new ImageError('IMAGE_TRUNCATED', `${image.length} bytes: shorter than the ${H.IMG_HEADER_BYTES}-byte header`);
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (dv.getUint32(H.IH_MAGIC, true) !== H.IMG_MAGIC) throw new ImageError('IMAGE_BAD_MAGIC', 'not a ring firmware image (bad magic)');
  const format_version = dv.getUint16(H.IH_FORMAT, true);
  if (format_version !== H.IMG_FORMAT_VERSION || dv.getUint16(H.IH_HEADER_BYTES, true) !== H.IMG_HEADER_BYTES) {
    throw new ImageError('IMAGE_BAD_FORMAT', `image format ${format_version} (header ${dv.getUint16(H.IH_HEADER_BYTES, true)} bytes): this tool reads format ${H.IMG_FORMAT_VERSION}`);
  }
  const payload_bytes = dv.getUint32(H.IH_PAYLOAD_BYTES, true);
  const image_bytes = IMAGE_OVERHEAD_BYTES + payload_bytes;
  if (image.length < image_bytes && !check_hash) return peekTruncated(image, format_version, dv);
  if (image.length < image_bytes) throw new ImageError('IMAGE_TRUNCATED', `${image.length} bytes: the header says ${image_bytes}`);
  if (image.length > image_bytes) throw new ImageError('IMAGE_BAD_FORMAT', `${image.length} bytes: the header says ${image_bytes} (trailing bytes)`);
  const t = H.IMG_HEADER_BYTES + payload_bytes;
  if (dv.getUint32(t + H.IT_MAGIC, true) !== H.IMG_TRAILER_MAGIC) throw new ImageError('IMAGE_BAD_FORMAT', 'bad trailer magic');
  const want = image.subarray(t + H.IT_SHA256, t + H.IT_SHA256 + 32);
  const got = sha256(image.subarray(0, t));
  if (check_hash && hex(want) !== hex(got)) throw new ImageError('IMAGE_BAD_HASH', `SHA-256 of header and payload is ${hex(got)}, the trailer says ${hex(want)}`);
  const sig_type = dv.getUint32(t + H.IT_SIG_TYPE, true);
  if (sig_type !== H.IMG_SIG_NONE && sig_type !== H.IMG_SIG_ED25519) throw new ImageError('IMAGE_BAD_FORMAT', `unknown signature type ${sig_type}`);
  return {
    format_version,
    version: { major: image[H.IH_VER_MAJOR], minor: image[H.IH_VER_MINOR], patch: dv.getUint16(H.IH_VER_PATCH, true) },
    security_counter: dv.getUint32(H.IH_SECURITY_COUNTER, true),
    payload_bytes,
    target_id: dv.getUint32(H.IH_TARGET, true),
    payload_kind: image[H.IH_PAYLOAD_KIND],
    build_hash: hex(image.subarray(H.IH_BUILD_HASH, H.IH_BUILD_HASH + H.IH_BUILD_HASH_BYTES)),
    image_bytes,
    sha256: check_hash ? hex(got) : hex(want),
    signed: sig_type === H.IMG_SIG_ED25519,
    key_id: sig_type === H.IMG_SIG_ED25519 ? hex(image.subarray(t + H.IT_KEY_ID, t + H.IT_KEY_ID + 8)) : '',
  };
}

export interface VerifyPolicy {
  /** Public keys the verifier trusts. */
  trusted_keys: Uint8Array[];
  /** The target the image must be built for (default the ring's). */
  target_id?: number;
  /** Lowest security counter accepted (anti-rollback), default 0. */
  min_security_counter?: number;
}

/**
 * Everything the boot stage checks, in its order: structure, hash, signature by a trusted
 * key, target, security counter. Throws ImageError with the first failure's code.
 */
export function verifyImage(image: Uint8Array, policy: VerifyPolicy): ImageInfo {
  const info = parseImage(image);
  if (!info.signed) throw new ImageError('IMAGE_UNSIGNED', 'the image is not signed');
  const t = H.IMG_HEADER_BYTES + info.payload_bytes;
  const kid = hex(image.subarray(t + H.IT_KEY_ID, t + H.IT_KEY_ID + 8));
  const key = policy.trusted_keys.find((k) => hex(keyId(k)) === kid);
  if (!key) throw new ImageError('IMAGE_UNKNOWN_KEY', `signed by key ${kid}, which is not trusted`);
  const digest = image.subarray(t + H.IT_SHA256, t + H.IT_SHA256 + 32);
  const sig = image.subarray(t + H.IT_SIGNATURE, t + H.IT_SIGNATURE + 64);
  let ok = false;
  try {
    ok = ed25519.verify(sig, digest, key);
  } catch {
    ok = false;
  }
  if (!ok) throw new ImageError('IMAGE_BAD_SIGNATURE', `the signature does not verify with key ${kid}`);
  const target = policy.target_id ?? H.IMG_TARGET_RING_NRF52840;
  if (info.target_id !== target) throw new ImageError('IMAGE_WRONG_TARGET', `built for target 0x${info.target_id.toString(16)}, this ring is 0x${target.toString(16)}`);
  const min = policy.min_security_counter ?? 0;
  if (info.security_counter < min) throw new ImageError('IMAGE_DOWNGRADE', `security counter ${info.security_counter} is below the ring's minimum ${min}`);
  return info;
}

export function imagePayload(image: Uint8Array): Uint8Array {
  const info = parseImage(image);
  return image.subarray(H.IMG_HEADER_BYTES, H.IMG_HEADER_BYTES + info.payload_bytes);
}

export function sha256Hex(data: Uint8Array): string {
  return hex(sha256(data));
}

/** A truncated image as sent on purpose: its identity is the SHA-256 of the bytes there are. */
function peekTruncated(image: Uint8Array, format_version: number, dv: DataView): ImageInfo {
  return {
    format_version,
    version: { major: image[H.IH_VER_MAJOR], minor: image[H.IH_VER_MINOR], patch: dv.getUint16(H.IH_VER_PATCH, true) },
    security_counter: dv.getUint32(H.IH_SECURITY_COUNTER, true),
    payload_bytes: dv.getUint32(H.IH_PAYLOAD_BYTES, true),
    target_id: dv.getUint32(H.IH_TARGET, true),
    payload_kind: image[H.IH_PAYLOAD_KIND],
    build_hash: hex(image.subarray(H.IH_BUILD_HASH, H.IH_BUILD_HASH + H.IH_BUILD_HASH_BYTES)),
    image_bytes: image.length,
    sha256: hex(sha256(image)),
    signed: false,
    key_id: '',
  };
}
