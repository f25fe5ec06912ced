// Logs for a person at a terminal: pino's JSON lines turned into `time LEVEL message k=v`,
// coloured by level. Used only when stderr is a TTY; pipes and --log-file get the JSON.

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'], 20: ['DEBUG', '36'], 30: ['INFO', '32'], 40: ['WARN', '33'], 50: ['ERROR', '31'], 60: ['FATAL', '35'],
};

function value(v: unknown): string {
  return typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
}

/** One pretty line from one pino JSON line (unparseable input passes through). */
export function prettyLine(json: string, color: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { level, time, msg, ...rest } = o;
  const [name, code] = LEVELS[Number(level)] ?? [String(level), '0'];
  const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const tag = color ? `\x1b[${code}m${name.padEnd(5)}\x1b[0m` : name.padEnd(5);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${value(v)}`).join(' ');
  return `${t} ${tag} ${String(msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

/** A pino destination writing pretty lines to a TTY stream. */
export function prettyStream(out: NodeJS.WriteStream): { write(line: string): void } {
  return { write: (line: string) => void out.write(prettyLine(line, true)) };
}
