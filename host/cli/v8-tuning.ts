// V8 tuning for the `ring` process, set before any command runs (worker threads share it).
// TurboFan inlines callees into hot functions by default. The simulator's hot paths (the
// firmware's sensor interrupt and detector, the link's connection events, the host's frame
// decoding) are large and reached from many call sites, so inlining makes big optimised code
// that is slow to compile on V8's background threads and is thrown away whenever a callee
// meets new types (a replay re-optimised some functions ten times over). Without inlining,
// measured over 6 alternating runs each: a 1 h replay 1.81 -> 1.38 s of CPU (1.18 -> 0.99 s
// wall), a 6-minute one 0.70 -> 0.60 s, 6 h 4.5 -> 3.8 s (3.7 -> 3.3 s wall).

import v8 from 'node:v8';

v8.setFlagsFromString('--no-turbo-inlining');
