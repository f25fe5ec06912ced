// Text from a recording (record ids, sources, units, event kinds) printed on a terminal:
// control characters (newlines, ESC sequences that move the cursor or recolour the screen,
// C1 controls) and bidirectional overrides are shown as escapes, so a hostile or broken
// file cannot rewrite what the user sees or forge extra output lines.

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
