// Screenshots of HTML files in Debian's headless Chromium (the `chromium` package, make deps).
// Without it the test fails with the install hint: the report check is not optional.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function chromiumPath(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  return null;
}

const NOT_INSTALLED = 'chromium is not installed (make deps installs it)';

function chromiumArgs(html_file: string, png_file: string, width: number, height: number): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${png_file}.profile`, `--window-size=${width},${height}`, `--screenshot=${png_file}`, html_file,
  ];
}

/** Renders file.html to png_file at width x height; returns Chromium's exit status and stderr. */
export function screenshot(html_file: string, png_file: string, width = 1150, height = 1400): { status: number | null; stderr: string } {
  const bin = chromiumPath();
  if (bin === null) return { status: null, stderr: NOT_INSTALLED };
  const r = spawnSync(bin, chromiumArgs(html_file, png_file, width, height), { encoding: 'utf8', timeout: 120000 });
  fs.rmSync(`${png_file}.profile`, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr ?? '' };
}

/** As screenshot(), without blocking: several pages render at once (each Chromium mostly waits). */
export function screenshotAsync(html_file: string, png_file: string, width = 1150, height = 1400): Promise<{ status: number | null; stderr: string }> {
  const bin = chromiumPath();
  if (bin === null) return Promise.resolve({ status: null, stderr: NOT_INSTALLED });
  return new Promise((resolve) => {
    const child = spawn(bin, chromiumArgs(html_file, png_file, width, height), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      fs.rmSync(`${png_file}.profile`, { recursive: true, force: true });
      resolve({ status: code, stderr });
    });
  });
}
