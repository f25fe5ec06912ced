// The golden diff when more lines differ than it can align: both sides from the first
// difference on, not a count alone.

import t from 'tap';
import { lineDiff } from '../../host/replay/golden.js';

t.test('past the edit bound: the first different lines of both sides', async (t) => {
  const a = Array.from({ length: 3000 }, (_, i) => `expected ${i}`);
  const b = Array.from({ length: 3000 }, (_, i) => (i < 5 ? `expected ${i}` : `actual ${i}`));
  const d = lineDiff(a, b);
  t.match(d, /^more than \d+ lines differ .*first difference/);
  t.match(d, /^- expected 5$/m, 'expected side from line 6');
  t.match(d, /^\+ actual 5$/m, 'actual side from line 6');
  t.match(d, /^- \.\.\. \d+ more expected lines$/m);
  t.match(d, /^\+ \.\.\. \d+ more actual lines$/m);
});

t.test('a short change: every changed line of both sides', async (t) => {
  const d = lineDiff(['a', 'b', 'c'], ['a', 'x', 'c']);
  t.equal(d, '@@ expected line 2, actual line 2\n- b\n+ x');
});
