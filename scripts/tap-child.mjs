// Preloaded into `make test`'s test processes (NODE_OPTIONS, before tap's own --import).
// The tests are compiled JavaScript (build/tsjs), so no module hooks run; tap's process
// tracker (@tapjs/processinfo, for coverage and `tap --changed`, both unused here) would
// register its own on a loader thread, which costs every test process a few tenths of a
// second of CPU, more than most tests' own work, and follow every process a test spawns.
// Here its registration does nothing, its spawn wrapper is never installed, and this
// preload leaves NODE_OPTIONS so the CLI processes the tests start run as a user's would.
// scripts/ts-loader.mjs (tests run from source) loads it too and is dropped the same way.
import module from 'node:module';

if (process.env.TAP_CHILD_ID !== undefined && process.env.RING_TAP_TRACKER !== '1') {
  // Its preload still runs after this one; told that this process is not to be tracked (its
  // own switch, matched against the pid), it skips its exit hook, which writes a JSON file of
  // every loaded module per test, and its coverage set-up: ~0.04 s of CPU per test file.
  process.env.__TAPJS_PROCESSINFO_TESTING_NO_REGISTER__ = String(process.pid);
  const register = module.register;
  module.register = function registerUnlessTracker(specifier, ...rest) {
    if (String(specifier).includes('/@tapjs/processinfo/')) return;
    return register.call(this, specifier, ...rest);
  };
  // The tracker wraps spawn through process-on-spawn's shared state (a global singleton):
  // claimed first, without wrapping spawn, it leaves children alone.
  const onSpawn = Symbol.for('process-on-spawn@*:singletonId');
  if (!(onSpawn in globalThis)) {
    Object.defineProperty(globalThis, onSpawn, { writable: true, value: { version: 1, listeners: [], unwrap: () => {} } });
  }
  // tap puts the tracker's own preload in NODE_OPTIONS too: refused here, it would still run
  // in every process a test starts (the `ring` runs, stand-ins, workers), each registering
  // its loader thread: ~0.45 s of CPU per `ring` run, more than most runs' own work.
  if (process.env.NODE_OPTIONS) {
    process.env.NODE_OPTIONS = process.env.NODE_OPTIONS.split(/\s+/)
      .filter((o) => !/\/scripts\/(tap-child|ts-loader)\.mjs$|\/@tapjs\/processinfo\//.test(o.replace(/^"|"$/g, '')))
      .join(' ');
  }
}
