// The platform's CRC-32 (FlashHal.flash_crc32): the JerryScript and Duktape hosts' native
// (engines/host-common.h) must give the firmware's own JavaScript value (firmware/store/crc32.ts)
// bit for bit, over whole and partial ranges, subarray views, and a running value carried
// from one range to the next (as the log's blocks take it); bad arguments get the flash's
// misuse code. On Node the firmware uses whatever flash_crc32 its HAL gives once attached.

import t from 'tap';
import { FLASH_ERR_MISUSE } from '../../engines/driver/driver.js';
import { noteLine } from '../../engines/driver/node-host.js';
import { buildEngines } from '../../engines/run.js';
import type { FlashHal } from '../../firmware/hal.js';
import { crc32_boot, crc32_end, crc32_start, crc32_update } from '../../firmware/store/crc32.js';
import { crc32Update } from '../../sim/fixture/crc32.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';
import { probeOnHosts } from '../helpers/engine-probe.js';

const NOTE_CRC = 20;

// A driver that only works flash_crc32: 300 xorshift bytes, then notes of running values.
// Ranges: empty, one byte, the check string, whole buffer, a block's header + payload chain
// (0..12 then 16..16+len from the first's value), a subarray view, then misuses.
const CRC_PROBE = `
var F = RingHost, b = new Uint8Array(300), i, x = 0x12345678, c;
function n(v) { F.note(${NOTE_CRC}, v); }
for (i = 0; i < 300; i++) { x = x ^ (x << 13); x = x ^ (x >>> 17); x = x ^ (x << 5); b[i] = x & 0xff; }
var s = new Uint8Array(9);
for (i = 0; i < 9; i++) s[i] = 49 + i;
F.mark(1);
n(F.flash_crc32(0xffffffff, s, 0, 9));
n(F.flash_crc32(0xffffffff, b, 5, 5));
n(F.flash_crc32(0xffffffff, b, 0, 1));
n(F.flash_crc32(0xffffffff, b, 0, 300));
n(F.flash_crc32(0, b, 17, 299));
n(F.flash_crc32(0x80000000, b, 100, 131));
for (var len = 2; len < 280; len += 37) {
  c = F.flash_crc32(0xffffffff, b, 0, 12);
  n(c);
  n(F.flash_crc32(c, b, 16, 16 + len));
}
var v = b.subarray(7, 200);
n(F.flash_crc32(0xffffffff, v, 0, 50));
n(F.flash_crc32(0xffffffff, v, 150, 193));
n(F.flash_crc32(0xffffffff, b, 10, 9));
n(F.flash_crc32(0xffffffff, b, 0, 301));
n(F.flash_crc32(0xffffffff, v, 0, 194));
n(F.flash_crc32(-1, b, 0, 4));
n(F.flash_crc32(1.5, b, 0, 4));
n(F.flash_crc32(0x100000000, b, 0, 4));
n(F.flash_crc32(0xffffffff, b, -1, 4));
n(F.flash_crc32(0xffffffff, b, 0.5, 4));
F.mark(2);
RingDriverResult = 0;
`;
const MISUSES = 8;

/** The hosts' contract over the firmware's JavaScript CRC (the probe on Node runs before any attach). */
function jsFlashCrc32(crc: number, buf: Uint8Array, from: number, to: number): number {
  const int = (v: number): boolean => Number.isInteger(v);
  if (!(int(crc) && crc >= 0 && crc <= 0xffffffff)) return FLASH_ERR_MISUSE;
  if (!(int(from) && int(to) && from >= 0 && from <= to && to <= buf.length)) return FLASH_ERR_MISUSE;
  return crc32_update(crc, buf, from, to);
}

function probeOnNode(): string {
  const lines: string[] = [];
  const host = { note: (code: number, value: number) => lines.push(noteLine(code, value)), mark: () => {}, flash_crc32: jsFlashCrc32 };
  new Function('RingHost', `var RingDriverResult; ${CRC_PROBE}`)(host);
  return lines.join('\n') + '\n';
}

crc32_boot({} as FlashHal);
const node = probeOnNode();

t.test('the probe on Node: the firmware\'s CRC-32 is zlib\'s', async (t) => {
  const values = node.trim().split('\n').map((l) => Number(l.split(' ')[2]));
  t.equal(crc32_end(values[0]!), 0xcbf43926, 'the catalogue check value of "123456789"');
  t.equal(values[1], 0xffffffff, 'an empty range leaves the running value');
  t.same(values.slice(-MISUSES), Array(MISUSES).fill(FLASH_ERR_MISUSE), 'reversed, overrunning and non-integral ranges and out-of-range start values are refused');
  // The same bytes through the simulator's table-driven CRC (sim/fixture/crc32.ts).
  const b = new Uint8Array(300);
  let x = 0x12345678;
  for (let i = 0; i < 300; i++) {
    x = (x ^ (x << 13)) | 0;
    x = (x ^ (x >>> 17)) | 0;
    x = (x ^ (x << 5)) | 0;
    b[i] = x & 0xff;
  }
  t.equal(crc32_end(values[3]!), crc32Update(0, b), 'the whole buffer matches the simulator\'s CRC-32');
  const hdr = crc32Update(0, b.subarray(0, 12));
  t.equal(crc32_end(values[9]!), crc32Update(hdr, b.subarray(16, 16 + 39)), 'a header + payload chain matches the simulator\'s');
});

t.test('once attached, the firmware takes the HAL\'s CRC-32 for every range', async (t) => {
  const buf = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 3) & 0xff);
  const own = crc32_end(crc32_update(crc32_update(crc32_start(), buf, 0, 12), buf, 16, 64));
  const calls: number[][] = [];
  const flash = {
    flash_crc32: (crc: number, b: Uint8Array, from: number, to: number): number => {
      calls.push([crc, from, to]);
      // The simulator's table-driven CRC (finished values: the running one xored).
      return (crc32Update((crc ^ 0xffffffff) >>> 0, b.subarray(from, to)) ^ 0xffffffff) >>> 0;
    },
  } as unknown as FlashHal;
  crc32_boot({} as FlashHal);
  t.equal(crc32_end(crc32_update(crc32_start(), buf, 0, 9)), crc32Update(0, buf.subarray(0, 9)), 'a HAL without one: the firmware\'s own, zlib\'s value');
  t.equal(calls.length, 0, 'a HAL without one is never asked');
  crc32_boot(flash);
  const got = crc32_end(crc32_update(crc32_update(crc32_start(), buf, 0, 12), buf, 16, 64));
  t.equal(got, own, 'the same value as the firmware\'s own');
  t.same(calls.map((c) => [c[1], c[2]]), [[0, 12], [16, 64]], 'both ranges went to the HAL');
  t.equal(calls[0]![0], 0xffffffff, 'from the start value');
  crc32_boot({} as FlashHal);
  t.equal(crc32_end(crc32_update(crc32_start(), buf, 0, 9)), crc32Update(0, buf.subarray(0, 9)), 'booted again with a HAL without one: the firmware\'s own again');
  t.equal(calls.length, 2, 'and the earlier HAL is not asked');
});

t.test('the JerryScript and Duktape hosts\' native CRC-32 gives the firmware\'s values', needsShared('engines'), async (t) => {
  if (sharedPath(t, 'engines') === null) return;
  const built = buildEngines(repoRoot);
  if (!built.ok) {
    t.fail(`make engines engines-snapshots failed:\n${built.output.slice(-3000)}`);
    return;
  }
  probeOnHosts(CRC_PROBE, (engine, r) => {
    t.equal(r.status, 0, `${engine}: the probe runs`, { stderr: r.stderr });
    t.equal(r.stdout, node, `${engine}: every value and misuse code as on Node`);
  });
});
