// The auth state on flash (firmware/auth/auth-store.ts): a power cut at every flash operation
// of a save, at every point (before, during with a torn unit, after), leaves either the old
// state or the new one after reboot, never a mix and never nothing; and the partition is
// the auth one, clear of the boot stage, the image slots and the history log.
import t from 'tap';
import * as store from '../../firmware/auth/auth-store.js';
import { PART_AUTH_ADDR, PART_AUTH_BYTES, PART_BOOT_ADDR, PART_BOOT_BYTES, PART_LOG_ADDR, PART_SLOT_A_ADDR } from '../../firmware/flash-map.js';
import { FlashPowerLoss, NorFlash } from '../../sim/flash/nor-flash.js';

function snapshot(): string {
  return Buffer.from(store.auth_store_snap()).toString('hex');
}

/** A state with a secret and n hosts, saved `saves` times (fills sectors, switches them). */
function prepared(flash: NorFlash, saves: number): string {
  store.auth_store_boot(flash);
  const snap = store.auth_store_snap();
  for (let i = 0; i < 32; i++) snap[store.auth_secret_offset() + i] = i + 1;
  for (let k = 0; k < saves; k++) {
    snap[store.auth_host_offset(0) + store.H_ROLE] = 1;
    snap[store.auth_host_offset(0) + store.H_SCOPES] = k & 7;
    if (store.auth_store_save() !== 0) throw new Error('save failed');
  }
  return snapshot();
}

t.test('the partition sits between the boot stage and slot A', async (t) => {
  t.equal(PART_BOOT_ADDR + PART_BOOT_BYTES, PART_AUTH_ADDR);
  t.equal(PART_AUTH_ADDR + PART_AUTH_BYTES, PART_SLOT_A_ADDR);
  t.ok(PART_AUTH_ADDR + PART_AUTH_BYTES <= PART_LOG_ADDR, 'clear of the log');
  t.equal(PART_AUTH_BYTES, 2 * 4096, 'two 4 KB sectors');
});

t.test('a blank part: no secret, no host; a save is read back after reboot', async (t) => {
  const flash = new NorFlash();
  store.auth_store_boot(flash);
  t.equal(store.auth_store_has_secret(), 0);
  const saved = prepared(flash, 1);
  store.auth_store_boot(flash);
  t.equal(snapshot(), saved, 'the state survives a reboot');
  t.equal(store.auth_store_has_secret(), 1);
});

t.test('a power cut at every operation of a save: the old state or the new, nothing else', async (t) => {
  // 12 snapshots fit a sector: saves 11, 12 and 13 cover a save within a sector, the last
  // slot, and the one that erases the other sector.
  const bad: string[] = [];
  let cases = 0;
  let cuts = 0;
  for (const saves_before of [11, 12, 13]) {
    for (const phase of ['before', 'during', 'after'] as const) {
      for (let op = 0; op < 4; op++) {
        const flash = new NorFlash();
        const old = prepared(flash, saves_before);
        const snap = store.auth_store_snap();
        snap[store.auth_host_offset(1) + store.H_ROLE] = 2; // the change: a second host
        const want_new = snapshot();
        flash.armPowerCut({ op_index: flash.op_count + op, phase, units_done: 20, partial_unit: true });
        let cut = false;
        try {
          store.auth_store_save();
        } catch (err) {
          if (!(err instanceof FlashPowerLoss)) throw err;
          cut = true;
          cuts++;
        }
        flash.disarmPowerCut();
        store.auth_store_boot(flash);
        const got = snapshot();
        // The generation word differs between old and new by one: compare the content after it.
        const body = (h: string): string => h.slice(16, 2 * 328);
        if (body(got) !== body(old) && body(got) !== body(want_new)) bad.push(`${saves_before} saves, op ${op} ${phase}: neither old nor new`);
        if (!cut && body(got) !== body(want_new)) bad.push(`${saves_before} saves, op ${op} ${phase}: a completed save was lost`);
        cases++;
      }
    }
  }
  t.equal(cases, 36);
  t.ok(cuts >= 12, `${cuts} of the cases cut a save short (the others cut after it ended)`);
  t.same(bad, [], 'every cut leaves a whole state');
});
