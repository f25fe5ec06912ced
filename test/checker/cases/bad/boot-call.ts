// Boot functions that allocate must not be called from run-path code.
let table: Int32Array = new Int32Array(0);

export function table_init(n: number): void {
  table = new Int32Array(n);
}

export function table_reset_init(): void {
  table[0] = 0; // a boot function that does not allocate
}

export function outer_boot(): void {
  table_init(8); // boot to boot: allowed
}

export function run(): number {
  table_reset_init(); // allowed: it does not allocate
  table_init(4); // expect: boot-call-after-boot
  outer_boot(); // expect: boot-call-after-boot
  return table[0];
}
