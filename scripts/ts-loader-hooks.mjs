// Module hooks for scripts/ts-loader.mjs (they run on the loader thread).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

// A query string (`./x.js?fresh=1`, a fresh module instance) is kept on the URL.
const TS_EXT = /\.(ts|mts)(\?.*)?$/;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  const q = specifier.indexOf('?');
  const bare = q < 0 ? specifier : specifier.slice(0, q);
  const query = q < 0 ? '' : specifier.slice(q);
  if (parent && parent.startsWith('file:') && TS_EXT.test(parent) && /^\.{1,2}\//.test(bare) && bare.endsWith('.js')) {
    const ts = new URL(bare.slice(0, -3) + '.ts', parent);
    if (fs.existsSync(ts)) return { url: ts.href + query, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS_EXT.test(url)) return next(url, context);
  const file = fileURLToPath(url.replace(/\?.*$/, ''));
  const out = transformSync(fs.readFileSync(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
