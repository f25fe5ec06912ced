// The host clock on real hardware: monotonic wall time since the transport was made, and
// waits that re-check their condition whenever something may have changed it (the BLE
// transport pokes the clock after each notification, drop and write) or a timer fires.

import { performance } from 'node:perf_hooks';
import type { HostClock } from '../transport.js';

/** Re-check waiting conditions at least this often, ms (conditions that depend on time alone). */
const RECHECK_MS = 50;

interface Waiter {
  pred: () => boolean;
  deadline_ms: number;
  resolve: (ok: boolean) => void;
}

export class WallClock implements HostClock {
  private readonly origin_ms = performance.now();
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;

  now_us(): number {
    return Math.floor((performance.now() - this.origin_ms) * 1000);
  }

  utc_ms(): number {
    return Date.now();
  }

  waitUntil(pred: () => boolean, timeout_us: number): Promise<boolean> {
    if (!Number.isSafeInteger(timeout_us) || timeout_us < 0) {
      throw new RangeError(`waitUntil: timeout_us must be a non-negative integer, got ${timeout_us}`);
    }
    if (pred()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      this.waiters.add({ pred, deadline_ms: performance.now() + timeout_us / 1000, resolve });
      this.arm();
    });
  }

  /** Something changed (a notification arrived, the link dropped): re-check every waiter. */
  poke(): void {
    const now_ms = performance.now();
    for (const w of [...this.waiters]) {
      let ok: boolean;
      try {
        ok = w.pred();
      } catch {
        ok = false;
      }
      if (ok || now_ms >= w.deadline_ms) {
        this.waiters.delete(w);
        w.resolve(ok);
      }
    }
    if (this.waiters.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    } else {
      this.arm();
    }
  }

  private arm(): void {
    if (this.timer !== null || this.waiters.size === 0) return;
    let next_ms = Infinity;
    for (const w of this.waiters) next_ms = Math.min(next_ms, w.deadline_ms);
    const delay_ms = Math.max(0, Math.min(RECHECK_MS, next_ms - performance.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poke();
    }, Math.ceil(delay_ms));
  }
}
