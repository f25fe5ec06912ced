// Allocation after boot: only *_init/*_boot functions and module top level may allocate.
const table = new Int32Array(8); // top level runs at boot: allowed

export function buf_init(): Int32Array {
  return new Int32Array(4); // boot function: allowed
}

export function on_sample(x: number): number {
  const tmp = new Int32Array(4); // expect: alloc-after-boot
  const pair = [x, x]; // expect: alloc-after-boot
  const obj = { x: x }; // expect: alloc-after-boot
  const view = table.subarray(0, 2); // expect: alloc-after-boot
  const list = [1, 2, 3]; // expect: alloc-after-boot
  table.set(list); // set copies into existing memory: allowed
  return tmp[0] + pair[0] + obj.x + view[0] + list.length;
}
