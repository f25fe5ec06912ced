// Screenshots of HTML files in Debian's headless Chromium (the `chromium` package, make deps).
// Without it the test fails with the install hint: the report check is not optional.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function chromiumPath(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  return null;
}

/** Renders file.html to png_file at width x height; returns Chromium's exit status and stderr. */
export function screenshot(html_file: string, png_file: string, width = 1150, height = 1400): { status: number | null; stderr: string } {
  const bin = chromiumPath();
  if (bin === null) return { status: null, stderr: 'chromium is not installed (make deps installs it)' };
  const r = spawnSync(bin, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${png_file}.profile`, `--window-size=${width},${height}`, `--screenshot=${png_file}`, html_file,
  ], { encoding: 'utf8', timeout: 120000 });
  fs.rmSync(`${png_file}.profile`, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr ?? '' };
}
