import t from 'tap';
import { ring_back, ring_full, ring_get, ring_i32_init, ring_push, ring_reset, ring_shift } from '../../firmware/lib/ring-i32.js';

t.test('push, get and wrap-around keep the newest entries in order', async (t) => {
  const r = ring_i32_init(4);
  for (let v = 1; v <= 3; v++) ring_push(r, v);
  t.equal(r.count, 3);
  t.notOk(ring_full(r));
  t.same([0, 1, 2].map((i) => ring_get(r, i)), [1, 2, 3]);
  for (let v = 4; v <= 10; v++) ring_push(r, v);
  t.ok(ring_full(r));
  t.equal(r.count, 4, 'count never exceeds capacity');
  t.same([0, 1, 2, 3].map((i) => ring_get(r, i)), [7, 8, 9, 10], 'oldest dropped on overflow');
  t.equal(ring_back(r, 0), 10);
  t.equal(ring_back(r, 3), 7);
  t.equal(ring_shift(r), 7);
  t.equal(r.count, 3);
  ring_push(r, 11);
  t.same([0, 1, 2, 3].map((i) => ring_get(r, i)), [8, 9, 10, 11]);
});

t.test('bounds are asserted', async (t) => {
  const r = ring_i32_init(2);
  t.throws(() => ring_get(r, 0), /firmware fault/, 'reading an empty ring faults');
  t.throws(() => ring_shift(r), /firmware fault/);
  ring_push(r, 5);
  t.throws(() => ring_get(r, 1), /firmware fault/, 'index past count faults');
  t.throws(() => ring_get(r, -1), /firmware fault/);
  t.throws(() => ring_i32_init(0), /firmware fault/, 'zero capacity refused');
  t.throws(() => ring_i32_init(1 << 20), /firmware fault/, 'capacity above the limit refused');
  ring_reset(r);
  t.equal(r.count, 0);
});

t.test('values are stored as 32-bit integers', async (t) => {
  const r = ring_i32_init(3);
  ring_push(r, 2147483647);
  ring_push(r, -2147483648);
  t.same([ring_get(r, 0), ring_get(r, 1)], [2147483647, -2147483648]);
});
