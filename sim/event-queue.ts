// Deterministic event queue: a binary min-heap ordered by (time_us, sequence). Two
// events at the same virtual time run in the order they were scheduled. An event's entry is
// reused once it has run (a free list as deep as the heap ever was): a replay schedules
// millions of events, and an entry per event was a large share of its garbage.

export type EventHandler = (now_us: number) => void;

interface QueuedEvent {
  time_us: number;
  seq: number;
  run: EventHandler;
}

const ran: EventHandler = () => {};

export class EventQueue {
  private heap: QueuedEvent[] = [];
  /** Entries of events that have run, for the next ones scheduled. */
  private free: QueuedEvent[] = [];
  private next_seq = 0;
  private now = 0;
  readonly capacity: number;

  constructor(capacity = 1 << 16) {
    this.capacity = capacity;
  }

  get now_us(): number {
    return this.now;
  }

  get size(): number {
    return this.heap.length;
  }

  schedule(time_us: number, run: EventHandler): void {
    if (!Number.isSafeInteger(time_us)) throw new RangeError(`event time must be an integer µs, got ${time_us}`);
    if (time_us < this.now) throw new RangeError(`event at ${time_us} µs is in the past (now ${this.now} µs)`);
    if (this.heap.length >= this.capacity) throw new RangeError(`event queue full (${this.capacity})`);
    let ev = this.free.pop();
    if (ev === undefined) {
      ev = { time_us, seq: this.next_seq++, run };
    } else {
      ev.time_us = time_us;
      ev.seq = this.next_seq++;
      ev.run = run;
    }
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = ev;
  }

  /** Run the earliest event; returns false when the queue is empty. */
  step(): boolean {
    const h = this.heap;
    if (h.length === 0) return false;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    // The entry is free before the handler runs (the handler may schedule into it): read it first.
    const time_us = top.time_us;
    const run = top.run;
    top.run = ran; // holds no handler (and what it captured) while it waits
    this.free.push(top);
    this.now = time_us;
    run(time_us);
    return true;
  }

  /** Run events until the queue is empty or the next one is after until_us. Returns events run. */
  runUntil(until_us: number, events_max = Number.MAX_SAFE_INTEGER): number {
    let count = 0;
    while (this.heap.length > 0 && this.heap[0].time_us <= until_us) {
      if (count >= events_max) throw new Error(`more than ${events_max} events before ${until_us} µs: runaway schedule`);
      this.step();
      count++;
    }
    if (until_us > this.now) this.now = until_us;
    return count;
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time_us < b.time_us || (a.time_us === b.time_us && a.seq < b.seq);
}
