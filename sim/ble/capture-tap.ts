// A capture tap on a simulated link: every ATT PDU as it is delivered, in both directions,
// at its virtual delivery time, plus connects and drops. It hooks the link's trace (keeping
// any listener already there), so it sees exactly what crossed the air and changes nothing.
// The tap speaks ATT, not the link layer: the same sink takes PDUs from a BLE transport
// (host/debug/transport-tap.ts), where the host sees characteristic operations only.

import type { DisconnectReason, LinkTraceEvent, SimBleLink } from './link.js';

export interface AttTapSink {
  /** An ATT PDU arrived whole; from 'central' = the host sent it. The array is a copy. */
  pdu(from: 'central' | 'peripheral', pdu: Uint8Array, time_us: number): void;
  /** The link came up or dropped. */
  link?(up: boolean, time_us: number, reason: DisconnectReason | null): void;
}

/** Start tapping; returns a function that stops (and restores the previous trace listener). */
export function attachCaptureTap(link: SimBleLink, sink: AttTapSink): () => void {
  const previous = link.onTrace;
  const tap = (e: LinkTraceEvent): void => {
    previous?.(e);
    if (e.kind === 'deliver') sink.pdu(e.dir === 'c2p' ? 'central' : 'peripheral', e.pdu.slice(), e.time_us);
    else if (e.kind === 'connect') sink.link?.(true, e.time_us, null);
    else if (e.kind === 'disconnect') sink.link?.(false, e.time_us, e.reason);
  };
  link.onTrace = tap;
  return () => {
    if (link.onTrace === tap) link.onTrace = previous;
  };
}
