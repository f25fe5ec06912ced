// The simulated sensor's activity figures (sim/sensor/ppg-sensor.ts, HAL motion_activity_read):
// one per span of FIFO samples, taken at the span's last sample plus the interrupt latency,
// whatever the watermark, the recording's last shorter span with the last interrupt.

import t from 'tap';
import { EventQueue } from '../../sim/event-queue.js';
import { SimPpgSensor } from '../../sim/sensor/ppg-sensor.js';

const RATE_HZ = 50;
const PERIOD_US = 20_000;
const LATENCY_US = 150;
// A figure that says when it was taken: tenths of ms, below 2^15 for these short streams.
const activityAt = (t_us: number): number => Math.floor(t_us / 100);

/** Run a stream of n samples through the sensor; per interrupt, the samples and figures read. */
function run(n: number, watermark: number, span: number, withImu = true): { samples: number[]; figures: number[] }[] {
  const queue = new EventQueue();
  const stream = Int32Array.from({ length: n }, (_, k) => k);
  const sensor = new SimPpgSensor(queue, () => stream, LATENCY_US, null, withImu ? activityAt : null);
  t.equal(sensor.configure(RATE_HZ, watermark, span), 0, `configure(${RATE_HZ}, ${watermark}, ${span})`);
  const irqs: { samples: number[]; figures: number[] }[] = [];
  const ppg = new Int32Array(32);
  const act = new Int16Array(16);
  sensor.onInterrupt = () => {
    const got = sensor.read(ppg, 32);
    const figs = sensor.readActivity(act, 16);
    irqs.push({ samples: Array.from(ppg.subarray(0, got)), figures: Array.from(act.subarray(0, figs)) });
  };
  for (let steps = 0; queue.step(); steps++) if (steps > 10 * n) throw new Error('runaway');
  return irqs;
}

/** The figure of the span ending with sample k: taken at its time plus the latency. */
const figureAt = (k: number): number => activityAt(k * PERIOD_US + LATENCY_US);

t.test('one figure per span, at the span end plus the latency, the same for any watermark', async (t) => {
  const n = 103; // 20 spans of 5 and a last one of 3
  const expected = [...Array.from({ length: 20 }, (_, s) => figureAt(5 * s + 4)), figureAt(102)];
  for (const watermark of [5, 15, 30]) {
    const irqs = run(n, watermark, 5);
    t.same(irqs.flatMap((i) => i.samples), Array.from({ length: n }, (_, k) => k), `watermark ${watermark}: every sample once, in order`);
    t.same(irqs.flatMap((i) => i.figures), expected, `watermark ${watermark}: ${expected.length} figures, the last for the 3-sample span`);
    for (const irq of irqs.slice(0, -1)) t.equal(irq.figures.length, watermark / 5, `watermark ${watermark}: an interrupt reads its batch's spans' figures`);
  }
});

t.test('a ring without an IMU reads no figures', async (t) => {
  t.same(run(40, 15, 5, false).flatMap((i) => i.figures), []);
});

t.test('a span the FIFO cannot hold is refused; the figures start again at a reconfiguration', async (t) => {
  const queue = new EventQueue();
  const sensor = new SimPpgSensor(queue, () => new Int32Array(100), 0, null, activityAt);
  t.equal(sensor.configure(RATE_HZ, 15, 0), -2, 'span 0');
  t.equal(sensor.configure(RATE_HZ, 15, 33), -2, 'span 33 (the FIFO holds 32)');
  t.equal(sensor.configure(RATE_HZ, 15, 2.5), -2, 'span 2.5');
  t.equal(sensor.configure(RATE_HZ, 15, 5), 0);
  queue.step(); // the first batch: 15 samples, 3 spans
  const act = new Int16Array(16);
  t.equal(sensor.readActivity(act, 2), 2, 'at most max_count figures');
  t.equal(sensor.configure(RATE_HZ, 15, 5), 0);
  t.equal(sensor.readActivity(act, 16), 0, 'the figure not read is gone with the reconfiguration');
});
