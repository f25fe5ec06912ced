// The NOR flash model: erase/program rules, write units, limits, timing from the nRF52840
// figures, erase counters and endurance, and power cuts before / during / after.

import t from 'tap';
import { FLASH_ERR_WORN, FlashMisuse, FlashPowerLoss, NRF52840_FLASH, NorFlash } from '../../sim/flash/nor-flash.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

t.test('erased reads 0xFF; a write only clears bits; an erase sets them again', async (t) => {
  const f = new NorFlash();
  t.equal(f.flash_size_bytes(), 1 << 20);
  t.equal(f.flash_sector_bytes(), 4096);
  t.equal(f.flash_write_unit_bytes(), 4);
  const b = new Uint8Array(4);
  f.flash_read(4096, b, 0, 4);
  t.same([...b], [0xff, 0xff, 0xff, 0xff]);
  f.flash_write(4096, bytes(0xf0, 0x0f, 0xaa, 0x55), 0, 4);
  f.flash_write(4096, bytes(0xcc, 0xff, 0xff, 0x00), 0, 4); // second write of the unit: AND
  f.flash_read(4096, b, 0, 4);
  t.same([...b], [0xc0, 0x0f, 0xaa, 0x00], 'new = old AND data: no bit goes back to 1');
  t.throws(() => f.flash_write(4096, bytes(0, 0, 0, 0), 0, 4), FlashMisuse, 'a third write of the unit (n_WRITE = 2)');
  t.equal(f.flash_erase(4096), 0);
  f.flash_read(4096, b, 0, 4);
  t.same([...b], [0xff, 0xff, 0xff, 0xff]);
  t.equal(f.erase_counts[1], 1, 'erase counted on its sector');
});

t.test('write units, alignment and range are the firmware\'s job', async (t) => {
  const f = new NorFlash({ write_unit_bytes: 8 });
  t.throws(() => f.flash_write(4, new Uint8Array(8), 0, 8), FlashMisuse, 'misaligned address');
  t.throws(() => f.flash_write(0, new Uint8Array(8), 0, 4), FlashMisuse, 'partial unit');
  t.throws(() => f.flash_erase(100), FlashMisuse, 'erase not at a sector start');
  t.throws(() => f.flash_read((1 << 20) - 2, new Uint8Array(4), 0, 4), FlashMisuse, 'past the end');
  t.throws(() => new NorFlash({ write_unit_bytes: 3 }), RangeError);
  t.throws(() => new NorFlash({ sector_bytes: 1000 }), RangeError);
  t.equal(f.flash_write(8, new Uint8Array(8), 0, 8), 0);
});

t.test('times from the nRF52840 datasheet figures advance the owner\'s clock', async (t) => {
  const f = new NorFlash();
  let clock_us = 0;
  f.onBusy = (us) => { clock_us += us; };
  f.flash_write(0, new Uint8Array(64), 0, 64);
  t.equal(clock_us, 16 * NRF52840_FLASH.write_unit_us, '16 words at t_WRITE 41 µs');
  f.flash_erase(0);
  t.equal(clock_us, 16 * 41 + 85_000, 't_ERASEPAGE 85 ms');
  t.equal(f.stats.busy_us, clock_us);
});

t.test('endurance: a sector past its erase cycles refuses to erase and program', async (t) => {
  const f = new NorFlash({ endurance_cycles: 3 });
  for (let i = 0; i < 3; i++) t.equal(f.flash_erase(0), 0);
  t.equal(f.flash_erase(0), FLASH_ERR_WORN);
  t.equal(f.flash_write(0, new Uint8Array(4), 0, 4), FLASH_ERR_WORN);
  t.equal(f.flash_erase(4096), 0, 'other sectors still work');
});

t.test('power cuts: before does nothing, after completes, during tears', async (t) => {
  const data = Uint8Array.from({ length: 16 }, (_, i) => i);
  const read = (f: NorFlash, a: number, n: number): number[] => { const b = new Uint8Array(n); f.flash_read(a, b, 0, n); return [...b]; };
  let f = new NorFlash();
  f.armPowerCut({ op_index: 0, phase: 'before' });
  t.throws(() => f.flash_write(0, data, 0, 16), FlashPowerLoss);
  t.same(read(f, 0, 16), Array(16).fill(0xff), 'before: unchanged');
  f = new NorFlash();
  f.armPowerCut({ op_index: 0, phase: 'after' });
  t.throws(() => f.flash_write(0, data, 0, 16), FlashPowerLoss);
  t.same(read(f, 0, 16), [...data], 'after: complete');
  f = new NorFlash();
  f.armPowerCut({ op_index: 0, phase: 'during', units_done: 2 });
  t.throws(() => f.flash_write(0, data, 0, 16), FlashPowerLoss);
  t.same(read(f, 0, 16), [...data.subarray(0, 8), ...Array(8).fill(0xff)], 'during: a prefix of 2 units, the rest unchanged');
  f = new NorFlash();
  f.armPowerCut({ op_index: 0, phase: 'during', units_done: 1, partial_unit: true, seed: 5 });
  t.throws(() => f.flash_write(0, data, 0, 16), FlashPowerLoss);
  const torn = read(f, 0, 16);
  t.same(torn.slice(0, 4), [0, 1, 2, 3]);
  t.ok(torn.slice(4, 8).every((b, i) => (b & data[4 + i]!) === data[4 + i]! ), 'the half-programmed unit cleared only bits it was to clear');
  t.same(torn.slice(8), Array(8).fill(0xff));
  // Interrupted erase: some bits set, some not; still counted; the part survives "reboot".
  f = new NorFlash();
  f.flash_write(0, new Uint8Array(4096), 0, 4096);
  f.armPowerCut({ op_index: 1, phase: 'during', seed: 9 });
  t.throws(() => f.flash_erase(0), FlashPowerLoss);
  const mix = read(f, 0, 4096);
  t.ok(mix.some((b) => b !== 0xff) && mix.some((b) => b !== 0), 'an undefined mix of erased and programmed bits');
  t.equal(f.erase_counts[0], 1, 'an interrupted erase is a cycle');
  t.equal(f.flash_erase(0), 0, 'erasing again works');
  t.throws(() => f.armPowerCut({ op_index: 0, phase: 'before' }), RangeError, 'a cut in the past is refused');
});
