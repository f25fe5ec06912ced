// The CLI runs as one esbuild bundle (dist/bin/, `make build`): about a fifth less CPU per
// command than loading the tsc build's hundred-odd modules one by one. Worker threads
// start from a file, so their entry points are bundled beside it under fixed names.

declare const RING_BUNDLED: boolean;

/** True in the bundle (esbuild --define), false in the tsc build and under the test loader. */
export const BUNDLED: boolean = typeof RING_BUNDLED !== 'undefined';

/**
 * A worker's entry module: `<bundle_name>.js` beside the bundle's chunks when bundled,
 * else the module at `relative` from the caller's own URL (`from`: its import.meta.url).
 */
export function workerEntry(bundle_name: string, relative: string, from: string): URL {
  return BUNDLED ? new URL(`./${bundle_name}.js`, from) : new URL(relative, from);
}
