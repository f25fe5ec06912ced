// Module hooks for scripts/ts-loader.mjs (they run on the loader thread).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const TS_EXT = /\.(ts|mts)$/;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent && parent.startsWith('file:') && TS_EXT.test(parent) && /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
    const ts = new URL(specifier.slice(0, -3) + '.ts', parent);
    if (fs.existsSync(ts)) return { url: ts.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS_EXT.test(url)) return next(url, context);
  const file = fileURLToPath(url);
  const out = transformSync(fs.readFileSync(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
