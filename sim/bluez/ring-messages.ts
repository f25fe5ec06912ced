// Messages between the BlueZ stand-in (main thread, D-Bus) and a simulated ring's worker.

import type { LinkParams } from '../ble/params.js';

/** What a worker builds: one simulated ring and the faults it will show. */
export interface RingSpec {
  fixture_path: string;
  seed: number;
  rate_hz: number;
  link: Partial<LinkParams>;
  /** Let the ring record its whole fixture before it is first connected (history has records). */
  record_first: boolean;
  /** Virtual seconds per wall-clock second once the ring runs (1: real time). */
  speed: number;
  /** Forced link drop, µs after the first connection (the ring stays reachable). */
  disconnect_after_us: number | null;
  /** The ring goes away, µs after the first connection: the link drops and Connect fails from then on. */
  vanish_after_us: number | null;
}

export type ToRing =
  | { op: 'connect'; id: number }
  | { op: 'write'; id: number; value: Uint8Array }
  | { op: 'disconnect'; id: number }
  | { op: 'stop' };

export type FromRing =
  | { ev: 'ready'; describe: string }
  | { ev: 'fatal'; message: string }
  | { ev: 'reply'; id: number; ok: boolean; error?: string; mtu?: number }
  | { ev: 'notify'; value: Uint8Array }
  | { ev: 'disconnected'; reason: string };
