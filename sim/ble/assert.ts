// Invariant checks of the BLE link model. A failure is a bug in the model (never bad
// input, which gets a RangeError at the API boundary); the link's describe() output
// printed beside it reproduces the run.

export function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error('sim/ble invariant failed: ' + what);
}
