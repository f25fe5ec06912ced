// The sensor stream file the Duktape host and the Node driver both read: the resampled
// PPG at the firmware rate as int32 little-endian samples, nothing else.

import fs from "node:fs";

export const STREAM_SAMPLE_BYTES = 4;

export function encodeStream(samples: Int32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * STREAM_SAMPLE_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt32(i * STREAM_SAMPLE_BYTES, samples[i], true);
  return bytes;
}

export function decodeStream(bytes: Uint8Array, name: string): Int32Array {
  if (bytes.length % STREAM_SAMPLE_BYTES !== 0) {
    throw new Error(`${name}: ${bytes.length} bytes is not a whole number of int32 samples`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Int32Array(bytes.length / STREAM_SAMPLE_BYTES);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt32(i * STREAM_SAMPLE_BYTES, true);
  return samples;
}

export function readStreamFile(file: string): Int32Array {
  return decodeStream(new Uint8Array(fs.readFileSync(file)), file);
}

/**
 * The accelerometer file beside it: x, y, z in mg per sample, int16 little-endian,
 * interleaved, on the same sample clock as the PPG stream.
 */
export const ACCEL_SAMPLE_BYTES = 6;

export function encodeAccel(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i], true);
  return bytes;
}

export function readAccelFile(file: string): Int16Array {
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (bytes.length % ACCEL_SAMPLE_BYTES !== 0) throw new Error(`${file}: ${bytes.length} bytes is not a whole number of x, y, z int16 samples`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
