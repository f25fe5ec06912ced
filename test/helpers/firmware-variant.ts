// A firmware build with one source text replaced, as an ES module bundle the simulator can
// load (`ring ci --firmware`, sim/firmware-module.ts): how a test changes a firmware
// constant without touching the tree.

import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './shared.js';

export interface SourcePatch {
  /** Path of the firmware source, relative to the repository (e.g. firmware/dsp/signal-quality.ts). */
  file: string;
  from: string;
  to: string;
}

/** Bundle firmware/ring.ts to outfile with the patches applied; each must match exactly once. */
export async function buildFirmwareVariant(outfile: string, patches: readonly SourcePatch[]): Promise<void> {
  const byPath = new Map(patches.map((p) => [path.join(repoRoot, p.file), p]));
  await build({
    entryPoints: [path.join(repoRoot, 'firmware/ring.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile,
    logLevel: 'silent',
    plugins: [{
      name: 'patch-source',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, (args) => {
          const p = byPath.get(args.path);
          if (p === undefined) return undefined;
          const src = fs.readFileSync(args.path, 'utf8');
          if (src.split(p.from).length !== 2) throw new Error(`${p.file}: "${p.from}" must occur exactly once`);
          return { contents: src.replace(p.from, p.to), loader: 'ts' };
        });
      },
    }],
  });
}
