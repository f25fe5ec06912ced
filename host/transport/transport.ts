// What the protocol client needs from a link to a ring, whatever carries it.
//
// A Transport is the ring's frame characteristic seen from the host: after connect() the
// link is up, the ATT MTU is negotiated, the ring service is discovered and notifications
// are enabled. write() sends one piece (an ATT Write Without Response value of at most
// mtu - 3 bytes); onNotify() hands over each notified value. Framing (cutting a frame into
// pieces, reassembling notifications by the header's length) sits above, in FrameChannel,
// the same for every transport.
//
// Two implementations fit under it:
//   SimTransport  the simulated ring (host/transport/sim-transport.ts): ATT PDUs over the
//                 simulated link, MTU exchange / discovery / CCCD done by our AttClient;
//                 time is virtual, and waiting advances the simulator
//   BleTransport  BlueZ over D-Bus via node-ble (host/transport/ble/): BlueZ does the MTU
//                 exchange, discovery and CCCD; write() is writeValueWithoutResponse, onNotify
//                 is the characteristic's 'valuechanged' event, the clock is the wall clock
//
// All waiting goes through `clock.waitUntil`, so the client's timeouts are virtual in the
// simulator and real on hardware, and nothing above this layer sleeps on its own.

export interface HostClock {
  /** Monotonic host time, µs (virtual in the simulator). */
  now_us(): number;
  /** The host's UTC clock, ms since the Unix epoch (what `time set now` sends). */
  utc_ms(): number;
  /**
   * Resolve true as soon as pred() holds, false once timeout_us passed first. pred is
   * re-checked whenever something may have changed it (an event in the simulator, an
   * incoming notification or timer on hardware).
   */
  waitUntil(pred: () => boolean, timeout_us: number): Promise<boolean>;
}

export type NotifyListener = (value: Uint8Array, at_us: number) => void;
export type DisconnectListener = (reason: string, at_us: number) => void;

export interface Transport {
  /** 'sim' or 'ble'. */
  readonly kind: string;
  readonly clock: HostClock;
  /** True between a completed connect() and the link's drop or disconnect(). */
  readonly connected: boolean;
  /** ATT MTU in force: writes and notifications carry up to mtu - 3 bytes. */
  readonly mtu: number;
  /**
   * Bring the link up, exchange the MTU, discover the ring service and its frame
   * characteristic, enable notifications. Throws TransportError on failure. Calling it
   * while connected does nothing.
   */
  connect(): Promise<void>;
  /** Drop the link (the ring sees a disconnect). */
  disconnect(): Promise<void>;
  /** One Write Without Response of 1..mtu-3 bytes to the frame characteristic. */
  write(value: Uint8Array): Promise<void>;
  /** Every notification of the frame characteristic. Returns a function that removes the listener. */
  onNotify(listener: NotifyListener): () => void;
  /** Each drop of the link, for whatever reason. Returns a function that removes the listener. */
  onDisconnect(listener: DisconnectListener): () => void;
  /** Disconnect and release everything; the transport is unusable afterwards. */
  close(): Promise<void>;
  /** The options and seed that reproduce this transport's behaviour. */
  describe(): string;
}

/** The link or the GATT layer failed (not connected, timed out, service missing). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The link dropped while an operation was waiting on it. */
export class DisconnectedError extends TransportError {
  constructor(message: string) {
    super(message);
    this.name = 'DisconnectedError';
  }
}
