// The whole firmware and its driver as one module for Node (bundled to one file, so each
// import of the bundle is a fresh firmware): the reference the engines are compared with.
export * as firmware from '../../firmware/ring.js';
export { driver_run } from './driver.js';
