// Runs the TypeScript tests straight from source: an ESM loader that transpiles each .ts
// module with esbuild (type stripping only, as ts-node's transpile-only mode does, but
// about 20x cheaper per test process) and maps the `.js` specifiers the sources use
// (NodeNext) to the `.ts` files beside them. Types are checked by `make build` and
// `npm run typecheck`, not here.
//
// `make test` puts it in NODE_OPTIONS, so it is loaded before tap's own TypeScript loader
// (ts-node), which stands aside when TAP_TYPE_STRIP_ONLY=1. In a test process it then drops
// itself from NODE_OPTIONS, so the CLI processes the tests spawn start as a user's would.
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
process.env.TAP_TYPE_STRIP_ONLY = '1';
if (process.env.TAP_CHILD_ID !== undefined && process.env.NODE_OPTIONS) {
  process.env.NODE_OPTIONS = process.env.NODE_OPTIONS.split(/\s+/)
    .filter((o) => !o.replace(/^"|"$/g, '').endsWith('/scripts/ts-loader.mjs'))
    .join(' ');
}
