// BLE link parameters: defaults, derived defaults, and a RangeError naming the parameter
// for every value outside the Core spec's (or the model's) bounds.
import t from 'tap';
import { formatLinkParams, resolveLinkParams, type LinkParams } from '../../sim/ble/params.js';

t.test('defaults describe a phone and a ring', async (t) => {
  const p = resolveLinkParams();
  t.same(p, {
    interval_us: 30_000, phy: '1M', central_mtu_max_bytes: 247, peripheral_mtu_max_bytes: 247, dle_supported: true,
    data_length_bytes: 251, event_length_us: 28_750, packets_per_event_max: 10309, loss_probability: 0,
    peripheral_latency_events: 0, supervision_timeout_us: 4_000_000, central_tx_queue_pdus: 16, peripheral_tx_queue_pdus: 8,
  });
  t.match(formatLinkParams(p), /^interval_us=30000 phy=1M .* peripheral_tx_queue_pdus=8$/);
});

t.test('derived defaults follow the values they depend on', async (t) => {
  t.equal(resolveLinkParams({ interval_us: 7500 }).event_length_us, 6250, 'event length = interval - 1.25 ms');
  t.equal(resolveLinkParams({ dle_supported: false }).data_length_bytes, 27, 'no DLE: 27-octet payloads');
  t.equal(resolveLinkParams({ event_length_us: 5000 }).event_length_us, 5000, 'a configured event length');
});

t.test('each bad value is a RangeError naming its parameter', async (t) => {
  const bad: [Partial<LinkParams>, RegExp][] = [
    [{ interval_us: 6250 }, /interval_us must be an integer in 7500\.\.4000000/],
    [{ interval_us: 4_001_250 }, /interval_us/],
    [{ interval_us: 7600 }, /interval_us must be a multiple of 1250/],
    [{ interval_us: 30_000.5 }, /interval_us/],
    [{ phy: '3M' as never }, /phy must be '1M' or '2M'/],
    [{ central_mtu_max_bytes: 22 }, /central_mtu_max_bytes must be an integer in 23\.\.517/],
    [{ central_mtu_max_bytes: 518 }, /central_mtu_max_bytes/],
    [{ peripheral_mtu_max_bytes: 0 }, /peripheral_mtu_max_bytes/],
    [{ dle_supported: 1 as never }, /dle_supported must be a boolean/],
    [{ data_length_bytes: 26 }, /data_length_bytes must be an integer in 27\.\.251/],
    [{ data_length_bytes: 252 }, /data_length_bytes/],
    [{ dle_supported: false, data_length_bytes: 100 }, /data_length_bytes must be an integer in 27\.\.27/],
    [{ event_length_us: 1000 }, /event_length_us must be an integer in 1250\.\.29850/],
    [{ interval_us: 7500, event_length_us: 7500 }, /event_length_us must be an integer in 1250\.\.7350/],
    [{ packets_per_event_max: 0 }, /packets_per_event_max/],
    [{ packets_per_event_max: 20_000 }, /packets_per_event_max/],
    [{ loss_probability: 0.51 }, /loss_probability must be in 0\.\.0\.5/],
    [{ loss_probability: -0.01 }, /loss_probability/],
    [{ loss_probability: Number.NaN }, /loss_probability/],
    [{ peripheral_latency_events: 500 }, /peripheral_latency_events must be an integer in 0\.\.499/],
    [{ peripheral_latency_events: -1 }, /peripheral_latency_events/],
    [{ supervision_timeout_us: 90_000 }, /supervision_timeout_us must be an integer in 100000\.\.32000000/],
    [{ supervision_timeout_us: 32_010_000 }, /supervision_timeout_us/],
    [{ supervision_timeout_us: 105_000 }, /supervision_timeout_us must be a multiple of 10000/],
    // (1 + 4) * 1 s * 2 = 10 s: the timeout must be longer.
    [{ interval_us: 1_000_000, peripheral_latency_events: 4, supervision_timeout_us: 10_000_000 },
      /supervision_timeout_us must exceed \(1 \+ peripheral_latency_events\) \* interval_us \* 2 = 10000000/],
    [{ interval_us: 100_000, supervision_timeout_us: 200_000 }, /supervision_timeout_us must exceed/],
    [{ central_tx_queue_pdus: 0 }, /central_tx_queue_pdus must be an integer in 1\.\.1024/],
    [{ peripheral_tx_queue_pdus: 1025 }, /peripheral_tx_queue_pdus/],
    [{ interval: 30_000 } as never, /unknown BLE link parameter "interval"/],
  ];
  for (const [given, message] of bad) {
    t.throws(() => resolveLinkParams(given), { name: 'RangeError', message }, JSON.stringify(given));
  }
  t.doesNotThrow(() => resolveLinkParams({ interval_us: 1_000_000, peripheral_latency_events: 4, supervision_timeout_us: 10_010_000 }));
});
