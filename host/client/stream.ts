// Live stream subscriptions (PROTOCOL.md 8.4): subscribe, then decoded items arrive from
// the ring's unsolicited notifications, as a callback, an async iterator, or both. Gaps are
// items too: a jump in the notification sequence, a rise in a drop counter, a dropped link.
// With `resubscribe`, a dropped link is reconnected and the kinds subscribed again (the
// ring ends subscriptions on disconnect).

import {
  CMD_STREAM_BEATS,
  CMD_STREAM_HR,
  CMD_STREAM_HRV,
  CMD_STREAM_PPG,
  GROUP_STREAM,
  STREAM_ALL,
} from '../../protocol/ids.js';
import type { DecodedFrame } from '../../protocol/host/frame.js';
import { DisconnectedError } from '../transport/transport.js';
import type { RingClient } from './client.js';
import {
  decodeBeatsNtf,
  decodeHrNtf,
  decodeHrvNtf,
  decodePpgNtf,
  type StreamBatch,
  type StreamItem,
} from './messages.js';

export interface SubscribeOptions {
  /** The iterator ends this long after subscribing (host clock). Default: never. */
  duration_us?: number;
  /** Reconnect and subscribe again when the link drops (default false: the stream ends). */
  resubscribe?: boolean;
  /** Items the iterator buffers before dropping the oldest (default 100,000). */
  buffer_max?: number;
}

export interface SubscriptionStats {
  notifications: number;
  items: number;
  /** Notifications missing by the device's sequence counter. */
  sequence_gaps: number;
  /** Items the ring reported dropped (rise of its counters). */
  device_drops: number;
  /** Items this host dropped because nobody read them (iterator buffer full). */
  host_drops: number;
  resubscribes: number;
  bad_notifications: number;
}

const BUFFER_MAX_DEFAULT = 100_000;
const KIND_INDEX: Record<number, number> = { [CMD_STREAM_BEATS]: 0, [CMD_STREAM_HR]: 1, [CMD_STREAM_HRV]: 2, [CMD_STREAM_PPG]: 3 };

type Decoder = (body: unknown, received_us: number) => StreamBatch;
const DECODERS: Record<number, Decoder> = {
  [CMD_STREAM_BEATS]: decodeBeatsNtf,
  [CMD_STREAM_HR]: decodeHrNtf,
  [CMD_STREAM_HRV]: decodeHrvNtf,
  [CMD_STREAM_PPG]: decodePpgNtf,
};

export class StreamSubscription implements AsyncIterable<StreamItem> {
  readonly stats: SubscriptionStats = {
    notifications: 0, items: 0, sequence_gaps: 0, device_drops: 0, host_drops: 0, resubscribes: 0, bad_notifications: 0,
  };
  private readonly buffer: StreamItem[] = [];
  private readonly listeners = new Set<(item: StreamItem) => void>();
  private readonly drops_seen = [0, 0, 0, 0];
  private last_seq = -1;
  private ended = false;
  /** Keep items for the iterator; off once a callback takes them and nobody iterates. */
  private buffering = true;
  private link_lost = false;
  private readonly end_us: number;
  private readonly buffer_max: number;
  private readonly unlisten: (() => void)[] = [];

  private constructor(
    readonly client: RingClient,
    readonly kinds: number,
    private readonly opts: SubscribeOptions,
  ) {
    const clock = client.transport.clock;
    this.end_us = opts.duration_us === undefined ? Number.MAX_SAFE_INTEGER : clock.now_us() + opts.duration_us;
    this.buffer_max = opts.buffer_max ?? BUFFER_MAX_DEFAULT;
    this.unlisten.push(client.onUnsolicited((f, at_us) => this.notification(f, at_us)));
    this.unlisten.push(client.transport.onDisconnect((_reason, at_us) => this.linkDown(at_us)));
  }

  /** Subscribe to `kinds` (STREAM_* bits) and return the live subscription. */
  static async open(client: RingClient, kinds: number, opts: SubscribeOptions = {}): Promise<StreamSubscription> {
    if (!Number.isInteger(kinds) || kinds < 1 || kinds > STREAM_ALL) throw new RangeError(`kinds must be in 1..${STREAM_ALL}, got ${kinds}`);
    const sub = new StreamSubscription(client, kinds, opts);
    try {
      await client.streamSubscribe(kinds);
    } catch (err) {
      sub.detach();
      throw err;
    }
    return sub;
  }

  /** Items as they arrive (called inside the transport's event delivery). */
  onItem(listener: (item: StreamItem) => void): () => void {
    this.listeners.add(listener);
    this.buffering = false;
    return () => this.listeners.delete(listener);
  }

  get active(): boolean {
    return !this.ended;
  }

  /**
   * Let the stream run until pred() holds or timeout_us passes, reconnecting and
   * subscribing again after a drop when `resubscribe` is set. Returns whether pred held.
   */
  async runUntil(pred: () => boolean, timeout_us: number): Promise<boolean> {
    const clock = this.client.transport.clock;
    const deadline_us = clock.now_us() + timeout_us;
    for (;;) {
      const left_us = Math.max(0, deadline_us - clock.now_us());
      const ok = await clock.waitUntil(() => pred() || this.ended || this.link_lost, left_us);
      if (pred()) return true;
      if (this.ended || !ok) return false;
      if (this.link_lost) await this.recover();
    }
  }

  /** Stop: unsubscribe if the link is up, end the iterator. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.detach();
    if (this.client.transport.connected) {
      try {
        await this.client.streamUnsubscribe(this.kinds);
      } catch (err) {
        if (!(err instanceof DisconnectedError)) throw err;
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    const clock = this.client.transport.clock;
    this.buffering = true;
    for (;;) {
      if (this.buffer.length === 0) {
        if (this.ended) return;
        const now = clock.now_us();
        if (now >= this.end_us) {
          await this.close();
          return;
        }
        await this.runUntil(() => this.buffer.length > 0, this.end_us - now);
        continue;
      }
      yield this.buffer.shift() as StreamItem;
    }
  }

  // ------------------------------------------------------------------------------------

  private detach(): void {
    for (const u of this.unlisten) u();
    this.unlisten.length = 0;
  }

  private async recover(): Promise<void> {
    this.link_lost = false;
    if (!this.opts.resubscribe) {
      this.ended = true;
      this.detach();
      return;
    }
    await this.client.connect();
    await this.client.streamSubscribe(this.kinds);
    for (let i = 0; i < this.drops_seen.length; i++) this.drops_seen[i] = 0; // counters restart on subscribe
    this.stats.resubscribes++;
  }

  private linkDown(at_us: number): void {
    if (this.ended) return;
    this.last_seq = -1;
    this.deliver({ type: 'gap', cause: 'disconnect', missed: 0, received_us: at_us });
    this.link_lost = true;
  }

  private notification(f: DecodedFrame, at_us: number): void {
    if (this.ended || f.header.group !== GROUP_STREAM) return;
    const decode = DECODERS[f.header.cmd];
    if (decode === undefined) return;
    this.stats.notifications++;
    const seq = f.header.seq;
    if (this.last_seq >= 0) {
      const missed = (seq - this.last_seq - 1) & 0xff;
      if (missed > 0) {
        this.stats.sequence_gaps += missed;
        this.deliver({ type: 'gap', cause: 'sequence', missed, received_us: at_us });
      }
    }
    this.last_seq = seq;
    let batch: StreamBatch;
    try {
      batch = decode(f.body, at_us);
    } catch {
      this.stats.bad_notifications++;
      return;
    }
    const k = KIND_INDEX[f.header.cmd];
    if (batch.drops > this.drops_seen[k]) {
      const missed = batch.drops - this.drops_seen[k];
      this.stats.device_drops += missed;
      this.deliver({ type: 'gap', cause: 'drops', missed, received_us: at_us });
    }
    this.drops_seen[k] = Math.max(this.drops_seen[k], batch.drops);
    for (const item of batch.items) {
      this.stats.items++;
      this.deliver(item);
    }
  }

  private deliver(item: StreamItem): void {
    for (const l of [...this.listeners]) l(item);
    if (!this.buffering) return;
    if (this.buffer.length >= this.buffer_max) {
      this.buffer.shift();
      this.stats.host_drops++;
    }
    this.buffer.push(item);
  }
}
