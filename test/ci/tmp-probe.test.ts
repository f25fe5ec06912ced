import t from 'tap';
import { runCi } from '../../host/ci/ci.js';
t.test('probe', async (t) => {
  const out = await runCi({ library: '/tmp/w9/lib/recs', golden_dir: '/tmp/w9/lib/golden', rate_hz: 50, seed: 1, jobs: 2, shard: null, direct: true, firmware_bundle: null, update_golden: false, want_report: false, thresholds: {} });
  t.equal(out.summary.ok, true);
});
