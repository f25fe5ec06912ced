// Runs the TypeScript tests straight from source: an ESM loader that transpiles each .ts
// module with esbuild (type stripping only, as ts-node's transpile-only mode does, but
// about 20x cheaper per test process) and maps the `.js` specifiers the sources use
// (NodeNext) to the `.ts` files beside them. Types are checked by `make build` and
// `npm run typecheck`, not here.
//
// `make test` puts it in NODE_OPTIONS (package.json's tap config leaves out tap's own
// TypeScript and mock loaders, which these tests do not use). In a test process it then
// drops itself and tap's process tracker (@tapjs/processinfo, for coverage, which is off)
// from NODE_OPTIONS, so the CLI processes the tests spawn start as a user's would: the
// tracker alone more than doubled the CPU time of every `ring` run a test makes.
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
process.env.TAP_TYPE_STRIP_ONLY = '1';
// In a tap test process: tap's tracker kept out, this preload dropped from NODE_OPTIONS.
await import('./tap-child.mjs');
