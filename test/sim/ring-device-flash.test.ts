// The simulated ring keeps its history in flash: a host reads it over the protocol, the ring
// reboots (RAM gone, flash kept), and the read resumes by sequence: nothing twice, nothing
// skipped, the reboot itself recorded. And a shortened version of the week through the log
// (tools/faults/log-week.ts; `make faults` runs the whole week).

import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { readHistory } from '../../host/client/history.js';
import { STATUS_LOG_RECOVERED } from '../../firmware/store/log-store.js';
import { runLogWeek } from '../../tools/faults/log-week.js';

const FIXTURE = path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx');

t.test('history resumes by sequence across a reboot; the flash keeps it', async (t) => {
  const fx = loadFixture(FIXTURE);
  const dev = new RingDevice(fx, { seed: 3, rate_hz: 25 });
  dev.runFor(120_000);
  const transport = new SimTransport(dev);
  const client = new RingClient(transport);
  await client.connect();
  await client.info();
  const first = await readHistory(client, {});
  t.ok(first.records.length > 100, `${first.records.length} records in the first two minutes`);
  await client.close();
  const before = first.records.map((r) => JSON.stringify(r));
  dev.reboot();
  dev.runFor(60_000);
  const client2 = new RingClient(new SimTransport(dev));
  await client2.connect();
  await client2.info();
  const again = await readHistory(client2, { from_seq: first.next_seq });
  t.equal(again.records[0]?.seq, first.next_seq, 'the resumed read starts where the first ended');
  const recovered = again.records.filter((r) => r.type === 'status' && r.code === STATUS_LOG_RECOVERED);
  t.equal(recovered.length, 1, 'the reboot is in the log (a recovery status record)');
  const all = await readHistory(client2, {});
  await client2.close();
  t.same(all.records.slice(0, before.length).map((r) => JSON.stringify(r)), before, 'what was stored before the reboot reads the same after it');
  // The ring runs on while the host reads: a batch the log closed after the second read may follow.
  const read = [...first.records, ...again.records].map((r) => r.seq);
  t.same(all.records.slice(0, read.length).map((r) => r.seq), read, 'every record once, in order');
  t.same(all.records.slice(read.length).map((r) => r.seq), all.records.slice(read.length).map((_, k) => read[read.length - 1]! + 1 + k), 'then the ones logged since, in order');
  t.equal(dev.reboots, 1);
});

t.test('a shortened week: history returns exactly what the ring emitted within retention', async (t) => {
  const r = await runLogWeek(loadFixture(FIXTURE), 0.2);
  t.same(r.mismatches, [], `${r.records_read} records read of ${r.records_emitted} emitted`);
  t.ok(r.beats_first_seq > 1, `beats evicted below ${r.beats_first_seq} (${r.beats_retention_h} h kept), summaries kept`);
});
