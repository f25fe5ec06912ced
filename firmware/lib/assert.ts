// Firmware assertions. A failed assertion is a firmware fault: on the ring it resets
// the device; in the simulator it stops the run with the code, so the seed and
// options printed by the simulator reproduce it.

export const FAULT_ASSERT = 1;

export function assert(condition: boolean, fault_code: number): void {
  if (!condition) {
    throw new Error("firmware fault " + fault_code);
  }
}
