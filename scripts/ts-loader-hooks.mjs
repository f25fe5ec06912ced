// Module hooks for scripts/ts-loader.mjs (they run on the loader thread).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Transpiled modules are kept on disk, keyed by a hash of the source, so the ~80 test
// processes of `make test` do not each start esbuild and transpile the same files again.
// esbuild is loaded only on a miss. RING_TS_CACHE=0 turns the cache off.
const CACHE_DIR = process.env.RING_TS_CACHE === '0' ? null
  : path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'ring-ts-loader');
let esbuild = null;
let esbuildVersion = null;

function esbuildVersionOf() {
  if (esbuildVersion === null) {
    const pkg = new URL('../node_modules/esbuild/package.json', import.meta.url);
    try {
      esbuildVersion = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
    } catch {
      esbuildVersion = 'unknown';
    }
  }
  return esbuildVersion;
}

async function transpile(file, source) {
  let cached = null;
  if (CACHE_DIR !== null) {
    const key = crypto.createHash('sha256').update(`${esbuildVersionOf()}\0${file}\0`).update(source).digest('hex');
    cached = path.join(CACHE_DIR, `${key}.js`);
    try {
      return fs.readFileSync(cached, 'utf8');
    } catch {
      // a miss: transpile below
    }
  }
  esbuild ??= await import('esbuild');
  const out = esbuild.transformSync(source, {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    sourcefile: file,
  });
  if (cached !== null) {
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out.code);
      fs.renameSync(tmp, cached);
    } catch {
      // a read-only tree: run without the cache
    }
  }
  return out.code;
}

// A query string (`./x.js?fresh=1`, a fresh module instance) is kept on the URL.
const TS_EXT = /\.(ts|mts)(\?.*)?$/;

// tap starts every test file with its process tracker (@tapjs/processinfo) preloaded: it
// follows each module the test loads (file lists, line lengths, source maps) and wraps
// spawn, for coverage and `tap --changed`. Coverage is off (package.json), and the tracker
// cost about 0.5 s of CPU per test file, more than most files' own work: in a tap test
// process (TAP_CHILD_ID) it resolves to an empty module instead.
const TAP_TRACKER = /\/@tapjs\/processinfo\/dist\/esm\/import\.mjs$/;
const SKIP_TRACKER = process.env.TAP_CHILD_ID !== undefined && process.env.RING_TAP_TRACKER !== '1';

export async function resolve(specifier, context, next) {
  if (SKIP_TRACKER && TAP_TRACKER.test(specifier)) return { url: 'data:text/javascript,', format: 'module', shortCircuit: true };
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
  return { format: 'module', source: await transpile(file, fs.readFileSync(file, 'utf8')), shortCircuit: true };
}
