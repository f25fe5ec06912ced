// The text form of the records the firmware emits through Hal.emit: one line per record,
// the kind and then fields record[0..field_count), every value a decimal integer (a
// leading '-' when negative; no '+', no leading zeros, no exponent), separated by single
// spaces, each line ended by '\n' (added by the writer). The Duktape host (duk/host.c)
// prints exactly this with printf("%d"), so Node and Duktape outputs compare byte for byte.

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** One record as a line, without the '\n'. */
export function formatRecordLine(kind: number, record: Int32Array, field_count: number): string {
  if (!Number.isInteger(kind) || kind < I32_MIN || kind > I32_MAX) {
    throw new RangeError(`record kind must be a 32-bit integer, got ${kind}`);
  }
  if (!Number.isInteger(field_count) || field_count < 0 || field_count > record.length) {
    throw new RangeError(`field_count must be an integer in 0..${record.length}, got ${field_count}`);
  }
  let line = String(kind === 0 ? 0 : kind); // never "-0"
  for (let i = 0; i < field_count; i++) line += " " + String(record[i]);
  return line;
}
