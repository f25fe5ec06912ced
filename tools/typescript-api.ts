// TypeScript's compiler API, loaded with require: an ES import of the CommonJS package has
// Node scan its 9 MB source for named exports first, ~0.5 s of CPU in every process that
// loads it (the checker's CLI, the tests, the firmware bundler).
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

const ts: typeof TS = createRequire(import.meta.url)('typescript');
export default ts;
