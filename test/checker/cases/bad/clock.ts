// No clocks, no randomness: time comes through the HAL or as an argument.
export function now(): number {
  return Date.now(); // expect: no-clock-random
}

export function rnd(): number {
  return Math.random(); // expect: no-clock-random
}

export function later_init(): void {
  setTimeout(later_init, 10); // expect: no-clock-random
}

export function perf(): number {
  return performance.now(); // expect: no-clock-random
}

export function stamp_init(): number {
  return new Date().getTime(); // expect: no-clock-random
}
