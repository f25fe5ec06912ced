// Progress of one long simulation on stderr: simulated time done, share of the recording
// and speed against the wall clock, one rewritten line. Only on a terminal (a pipe or a
// file gets nothing), and only once a run lasts long enough to be worth watching.

import type { ReplayFixture } from '../../sim/fixture/types.js';

const FIRST_AFTER_MS = 200;

/** A recording's length in µs. */
export function recordingUs(f: ReplayFixture): number {
  return Math.floor((f.ppg.length * 1e6) / f.meta.sample_rate_hz);
}
const EVERY_MS = 250;

function clock(us: number): string {
  const s = Math.floor(us / 1e6);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export class SimProgress {
  private readonly enabled: boolean;
  private readonly started_ms = performance.now();
  private next_ms = this.started_ms + FIRST_AFTER_MS;
  private shown = false;

  /** `what` names the run (record id), `total_us` is the recording's length. */
  constructor(private readonly what: string, private readonly total_us: number, stream: { isTTY?: boolean } = process.stderr) {
    this.enabled = stream.isTTY === true && total_us > 0;
  }

  /** A callback for ReplayOptions.onProgress, or undefined when nothing is shown. */
  get callback(): ((now_us: number) => void) | undefined {
    return this.enabled ? (now_us) => this.update(now_us) : undefined;
  }

  update(now_us: number): void {
    if (!this.enabled) return;
    const now_ms = performance.now();
    if (now_ms < this.next_ms) return;
    this.next_ms = now_ms + EVERY_MS;
    const done_us = Math.min(now_us, this.total_us);
    const speed = done_us / 1000 / Math.max(1, now_ms - this.started_ms);
    const pct = Math.floor((done_us * 100) / this.total_us);
    process.stderr.write(`\r\x1b[K${this.what}: ${clock(done_us)} of ${clock(this.total_us)} simulated (${pct}%), ${Math.round(speed)}x real time`);
    this.shown = true;
  }

  /** Clear the line (the result follows on stdout). */
  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
