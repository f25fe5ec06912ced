// Writes the shipped synthetic fixtures into fixtures/synth/ (or checks them with --check).
//   npx tsc -p tsconfig.json && node dist/scripts/gen-fixtures.js [--check] [--out <dir>]
// RR intervals come from ../shared/datasets/nsr2db when present; without it the script
// falls back to generated RR series and says so on stderr (the files then differ).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeFixture } from '../sim/fixture/container.js';
import { repoRoot, sharedDatasetsDir } from '../sim/fixture/paths.js';
import { SHIPPED_FIXTURES, shippedOptions } from '../sim/synth/presets.js';
import { generateRingPpg } from '../sim/synth/ring-ppg.js';

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const out_at = argv.indexOf('--out');
  const root = repoRoot();
  const out_dir = out_at >= 0 && argv[out_at + 1] ? path.resolve(argv[out_at + 1]) : path.join(root, 'fixtures', 'synth');
  const datasets_dir = sharedDatasetsDir(root);
  if (datasets_dir === undefined) process.stderr.write('warning: ../shared/datasets not found; using generated RR series\n');
  mkdirSync(out_dir, { recursive: true });
  let mismatches = 0;
  for (const spec of SHIPPED_FIXTURES) {
    const f = generateRingPpg(shippedOptions(spec, datasets_dir));
    const bytes = encodeFixture(f);
    const file = path.join(out_dir, spec.file);
    const duration_s = f.ppg.length / f.meta.sample_rate_hz;
    const line = [
      path.relative(root, file),
      `${bytes.length} bytes`,
      `${duration_s.toFixed(1)} s`,
      `${f.meta.sample_rate_hz} Hz`,
      `${f.ref_beats_us?.length ?? 0} beats`,
      `rr=${String(f.meta.notes?.rr_source)}`,
    ].join('  ');
    if (check) {
      const same = existsSync(file) && Buffer.compare(readFileSync(file), Buffer.from(bytes)) === 0;
      if (!same) mismatches++;
      process.stdout.write(`${same ? 'same' : 'DIFFERS'}  ${line}\n`);
    } else {
      writeFileSync(file, bytes);
      process.stdout.write(`wrote  ${line}\n`);
    }
  }
  if (mismatches > 0) process.stderr.write(`${mismatches} fixture(s) differ from a fresh generation\n`);
  return mismatches > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
