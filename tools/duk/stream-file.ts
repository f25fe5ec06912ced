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
