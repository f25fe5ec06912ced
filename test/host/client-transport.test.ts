// The host's transport stack (ATT client, SimTransport, FrameChannel, RingClient) against a
// small stand-in GATT server injected into the simulated ring, so the host side is tested
// on its own: MTU exchange, discovery by UUID, CCCD, chunking to MTU - 3, reassembly by the
// header's length, sequence matching, timeouts and retries in virtual time.
import t from 'tap';
import {
  ATT_MTU_MIN,
  CMD_DEVICE_INFO,
  CMD_TIME,
  ERR_UNKNOWN_GROUP,
  FRAME_SIZE_MAX,
  GROUP_DEVICE,
  GROUP_TIME,
  OP_READ,
  RING_FRAME_CHAR_UUID,
  RING_SERVICE_UUID,
} from '../../protocol/ids.js';
import { reasm_init, reasm_push, REASM_STATE_WORDS } from '../../protocol/device/fragment.js';
import { decodeFrame, encodeFrame } from '../../protocol/host/frame.js';
import { RingDevice } from '../../sim/ring-device.js';
import type { FirmwareBle } from '../../sim/device/firmware-ble.js';
import type { BleHal } from '../../firmware/hal.js';
import { uuidBytes } from '../../host/transport/att.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { DeviceError, TimeoutError } from '../../host/client/errors.js';

/** A minimal ring GATT server: one service, the frame characteristic and its CCCD. */
class FakeGatt implements FirmwareBle {
  hal: BleHal | null = null;
  mtu = ATT_MTU_MIN;
  cccd = 0;
  silent = false; // drop every request frame (to test timeouts)
  frames: Uint8Array[] = [];
  private readonly st = new Int32Array(REASM_STATE_WORDS);
  private readonly buf = new Uint8Array(FRAME_SIZE_MAX);

  ring_ble_attach(ble: BleHal): number {
    this.hal = ble;
    return 0;
  }
  ring_ble_connected(connected: number, mtu_bytes: number): void {
    this.mtu = mtu_bytes;
    this.cccd = 0;
    reasm_init(this.st, FRAME_SIZE_MAX, mtu_bytes);
    void connected;
  }
  ring_ble_tx_space(): void {}
  ring_ble_rx(pdu: Uint8Array, length: number): number {
    const op = pdu[0];
    const u16 = (o: number): number => pdu[o] | (pdu[o + 1] << 8);
    const send = (bytes: number[] | Uint8Array): void => {
      const b = Uint8Array.from(bytes);
      this.hal!.att_send(b, b.length);
    };
    const err = (ecode: number, handle = 0): number => {
      send([0x01, op, handle & 0xff, handle >> 8, ecode]);
      return -1;
    };
    if (op === 0x02) {
      send([0x03, 247 & 0xff, 247 >> 8]);
      this.mtu = Math.min(u16(1), 247);
      reasm_init(this.st, FRAME_SIZE_MAX, this.mtu);
    } else if (op === 0x10) {
      if (u16(1) > 1) return err(0x0a, u16(1));
      send([0x11, 20, 1, 0, 4, 0, ...uuidBytes(RING_SERVICE_UUID)]);
    } else if (op === 0x08) {
      const type = u16(5);
      const start = u16(1);
      if (type === 0x2803 && start <= 2) send([0x09, 21, 2, 0, 0x14, 3, 0, ...uuidBytes(RING_FRAME_CHAR_UUID)]);
      else if (type === 0x2902 && start <= 4 && u16(3) >= 4) send([0x09, 4, 4, 0, 0, 0]);
      else err(0x0a, start);
    } else if (op === 0x12 && u16(1) === 4) {
      this.cccd = u16(3);
      send([0x13]);
    } else if (op === 0x52 && u16(1) === 3) {
      const rc = reasm_push(this.st, this.buf, pdu, 3, length - 3, 0);
      if (rc > 0) this.frame(this.buf.slice(0, rc));
    } else if ((op & 0x40) === 0) {
      err(0x06);
    }
    return 0;
  }
  private frame(bytes: Uint8Array): void {
    this.frames.push(bytes);
    if (this.silent) return;
    const f = decodeFrame(bytes);
    const h = { op: f.header.op + 1, group: f.header.group, seq: f.header.seq, cmd: f.header.cmd };
    let body: unknown;
    if (f.header.group === GROUP_DEVICE && f.header.cmd === CMD_DEVICE_INFO) {
      body = {
        fw: '0.1.0-fake', build: Uint8Array.of(1, 2, 3, 4), proto: 1, caps: 0xff, mtu: this.mtu,
        limits: { frame_max: 1024, buf_count: 2, depth_max: 8, text_max: 64, page_max: 64, ppg_batch_max: 128 },
        // padding so the response needs several notifications at any MTU
        model: 'x'.repeat(32), serial: 'y'.repeat(32),
      };
    } else if (f.header.group === GROUP_TIME && f.header.cmd === CMD_TIME && f.header.op === OP_READ) {
      body = { now_ms: 5, uptime_ms: 5, synced: false };
    } else {
      body = { rc: ERR_UNKNOWN_GROUP };
    }
    const out = encodeFrame(h, body);
    const payload = this.mtu - 3;
    for (let off = 0; off < out.length; off += payload) {
      const piece = out.subarray(off, Math.min(out.length, off + payload));
      const ntf = new Uint8Array(3 + piece.length);
      ntf[0] = 0x1b;
      ntf[1] = 3;
      ntf.set(piece, 3);
      if (this.cccd & 1) this.hal!.att_send(ntf, ntf.length);
    }
  }
}

function setup(seed: number, mtu: number, loss = 0) {
  const gatt = new FakeGatt();
  const device = new RingDevice(null, {
    seed, rate_hz: 50, ble: gatt,
    link: { central_mtu_max_bytes: mtu, interval_us: 15_000, loss_probability: loss, peripheral_tx_queue_pdus: 64 },
  });
  const transport = new SimTransport(device);
  const client = new RingClient(transport, { timeout_us: 500_000 });
  return { gatt, device, transport, client };
}

t.test('connect: MTU exchange, discovery by UUID, CCCD enabled', async (t) => {
  for (const mtu of [23, 64, 185, 247]) {
    const { gatt, device, transport, client } = setup(1, mtu);
    await client.connect();
    t.equal(transport.mtu, mtu, `link MTU ${mtu}`);
    t.equal(gatt.mtu, mtu, 'the server agrees');
    t.equal(gatt.cccd, 1, 'notifications enabled');
    t.ok(device.now_us > 0, 'virtual time advanced');
    const info = await client.info();
    t.equal(info.fw, '0.1.0-fake');
    t.equal(info.mtu, mtu);
    t.equal(info.build, '01020304');
    // The request went out in pieces of mtu - 3 and the ring reassembled it.
    t.equal(decodeFrame(gatt.frames[0]).header.group, GROUP_DEVICE);
    if (mtu < 200) t.ok(client.channel.stats.pieces_received >= 2, 'response came in several notifications');
  }
});

t.test('device errors are ProtocolError with the code name; retries on timeouts for reads only', async (t) => {
  const { gatt, client } = setup(2, 64);
  await client.connect();
  const e = await client.call({ name: 'battery', group: 69, cmd: 0, op: OP_READ, idempotent: true }).catch((x: unknown) => x);
  t.ok(e instanceof DeviceError, 'a DeviceError (a ProtocolError)');
  t.match(e, { name: 'ProtocolError', code: 'ERR_UNKNOWN_GROUP', message: /battery/ });
  gatt.silent = true;
  const before = gatt.frames.length;
  await t.rejects(client.timeGet(), TimeoutError);
  t.equal(gatt.frames.length - before, 3, 'an idempotent read is tried 1 + 2 times');
  await t.rejects(client.timeSet(1767225600000), TimeoutError);
  t.equal(gatt.frames.length - before, 4, 'a write is tried once');
  const seqs = gatt.frames.slice(before).map((f) => decodeFrame(f).header.seq);
  t.equal(new Set(seqs).size, seqs.length, 'every attempt has its own sequence number');
  gatt.silent = false;
  t.same((await client.timeGet()).now_ms, 5);
});

t.test('lossy link: every response still matched by sequence', async (t) => {
  const { client, device } = setup(3, 23, 0.1);
  await client.connect();
  for (let i = 0; i < 20; i++) t.equal((await client.info()).fw, '0.1.0-fake');
  t.ok(device.link.stats().p2c.ll_lost > 0, 'packets were lost and resent');
  t.equal(client.stats.unmatched, 0);
});

t.test('a forced disconnect fails the request in flight; reads reconnect and retry', async (t) => {
  const { client, device, transport } = setup(4, 100);
  await client.connect();
  device.link.forceDisconnect(device.now_us + 1000);
  const info = await client.info();
  t.equal(info.fw, '0.1.0-fake', 'answered after a reconnect');
  t.equal(transport.stats.connects, 2);
  t.equal(client.stats.reconnects, 1);
});

t.test('same seed, same virtual times', async (t) => {
  const times: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const { client, device } = setup(77, 23, 0.2);
    await client.connect();
    const row: number[] = [];
    for (let i = 0; i < 5; i++) {
      await client.info();
      row.push(device.now_us);
    }
    times.push(row);
  }
  t.same(times[0], times[1]);
});

t.test('the fuzzer counts a stand-in that throws on bad frames as crashes, and reproduces a case alone', async (t) => {
  const { runFuzz } = await import('../../host/client/fuzz.js');
  const a = await runFuzz({ seed: 5, cases: 60, ble: new FakeGatt() });
  t.equal(a.fuzz_frames, 60);
  t.ok(a.fuzz_crashes > 0, `the fake's decodeFrame throws on bad input (${a.fuzz_crashes} crashes)`);
  const f = a.failures.find((x) => x.what === 'crash');
  t.ok(f, 'a crash is reported with its case');
  const again = await runFuzz({ seed: 5, cases: 1, first_case: f!.case_index, ble: new FakeGatt() });
  t.equal(again.fuzz_crashes, 1, 'the same case crashes alone');
  t.same(again.failures[0].input, f!.input, 'with the same input');
});
