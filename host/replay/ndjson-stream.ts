// `ring replay --direct --ndjson` written as the replay runs: each record becomes its line
// when the firmware emits it, so nothing of a long replay is held and `| head` sees the
// first lines at once. The lines are replayNdjsonIter's, byte for byte: records come in
// emission order, and those emitted at the same instant are held until time moves on, then
// written in the merge's tie order (beat, hr, hrv, status; each kind in its own order). The
// summary line follows the last record, from counts kept on the way (SummaryCounter).
//
// A replay over the protocol cannot be written this way: its status records come from the
// ring's history log once the recording is over, so it is spooled and merged (format.ts).

import type { BeatOut, HrOut, HrvOut, RecordList, ReplayView, StatusOut } from '../../sim/replay-types.js';
import { beatOut, chunked, hrOut, hrvOut, statusOut } from './format.js';
import { SummaryCounter } from './summary.js';

/** A list that only takes records: each push hands the record on. */
class SinkList<T> implements RecordList<T> {
  length = 0;

  constructor(private readonly take: (item: T) => void) {}

  push(item: T): number {
    this.take(item);
    return ++this.length;
  }

  at(): T | undefined {
    throw new Error('a streamed replay keeps no records to read back');
  }

  [Symbol.iterator](): Iterator<T> {
    throw new Error('a streamed replay keeps no records to read back');
  }
}

const KINDS = ['beat', 'hr', 'hrv', 'status'] as const;
/** Lines go out in pieces of about this many characters (a couple of minutes of a recording). */
const STREAM_CHUNK_CHARS = 1 << 14;

export interface NdjsonStream {
  /** The view to replay into (its head fields are set by the replay). */
  view: ReplayView;
  /** Writes the records still held and the summary line. */
  end(): void;
}

export function ndjsonStream(write: (text: string) => void): NdjsonStream {
  const out = chunked(write, STREAM_CHUNK_CHARS);
  const counter = new SummaryCounter();
  // Records of the current instant, by kind, as their lines.
  const held: string[][] = [[], [], [], []];
  let held_us = Number.NEGATIVE_INFINITY;
  const flush = (): void => {
    for (const lines of held) {
      for (const line of lines) out.add(line + '\n');
      lines.length = 0;
    }
  };
  const take = (kind: number, emitted_us: number, fields: object): void => {
    if (emitted_us !== held_us) {
      if (emitted_us < held_us) throw new Error(`replay records out of emission order: ${emitted_us} us after ${held_us} us`);
      flush();
      held_us = emitted_us;
    }
    held[kind]!.push(JSON.stringify({ type: KINDS[kind], ...fields }));
  };
  const view: ReplayView = {
    record: '', rate_hz: 0, seed: 0, duration_ms: 0, sample_count: 0,
    beats: new SinkList<BeatOut>((b) => {
      counter.beat(b);
      take(0, b.emitted_us, beatOut(b));
    }),
    hr: new SinkList<HrOut>((h) => {
      counter.hr(h);
      take(1, h.emitted_us, hrOut(h));
    }),
    hrv: new SinkList<HrvOut>((w) => {
      counter.hrv(w);
      take(2, w.emitted_us, hrvOut(w));
    }),
    status: new SinkList<StatusOut>((st) => {
      counter.status(st);
      take(3, st.emitted_us, statusOut(st));
    }),
  };
  return {
    view,
    end(): void {
      flush();
      out.add(JSON.stringify({
        type: 'summary',
        record: view.record,
        rate_hz: view.rate_hz,
        seed: view.seed,
        duration_ms: view.duration_ms,
        sample_count: view.sample_count,
        ...counter.summary(),
      }) + '\n');
      out.end();
    },
  };
}
