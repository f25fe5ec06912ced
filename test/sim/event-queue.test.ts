// The event queue reuses the entries of events that ran (sim/event-queue.ts): order must be
// exactly (time, scheduling order) whatever is reused, including events scheduled by a
// handler while it runs (they take the entry the running event just gave back).

import t from 'tap';
import { EventQueue } from '../../sim/event-queue.js';

t.test('same-time events run in scheduling order, also when handlers schedule while running', async (t) => {
  const q = new EventQueue();
  const ran: string[] = [];
  const at = (name: string, time_us: number, then?: () => void) => q.schedule(time_us, (now) => {
    ran.push(`${name}@${now}`);
    then?.();
  });
  at('a', 10, () => {
    at('a1', 10); // same time as b and c, scheduled after them: runs after them
    at('a2', 5 + q.now_us);
  });
  at('b', 10);
  at('c', 10, () => at('c1', 15));
  at('d', 0, () => at('d1', 10));
  q.runUntil(100);
  t.same(ran, ['d@0', 'a@10', 'b@10', 'c@10', 'd1@10', 'a1@10', 'a2@15', 'c1@15']);
  t.equal(q.size, 0);
});

t.test('many rounds of reuse keep the heap order (a seeded shuffle of times)', async (t) => {
  const q = new EventQueue();
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const ran: [number, number][] = [];
  let id = 0;
  for (let round = 0; round < 50; round++) {
    const base = q.now_us;
    for (let i = 0; i < 20; i++) {
      const time_us = base + (next() % 100);
      const me = id++;
      q.schedule(time_us, (now) => ran.push([now, me]));
    }
    q.runUntil(base + 50);
  }
  q.runUntil(Number.MAX_SAFE_INTEGER);
  t.equal(ran.length, 1000, 'every event ran once');
  const sorted = [...ran].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  t.same(ran, sorted, 'in (time, scheduling order)');
});
