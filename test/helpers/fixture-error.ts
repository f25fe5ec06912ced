// The message of the FixtureError a call throws ('(no error)' when it throws none); any
// other error is the test's failure, thrown on.

import { FixtureError } from '../../sim/fixture/errors.js';

export function fixtureErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FixtureError) return err.message;
    throw err;
  }
  return '(no error)';
}
