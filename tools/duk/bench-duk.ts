// Duktape figures for the bench: instructions per sample (valgrind's callgrind, so the
// count is the same on every run of the same build), heap and bundle size. The
// firmware runs from the minified ES5 bundle, the one a ring would carry.
//
// Instructions per sample at a rate: callgrind's total for a run over the whole recording
// minus the total for a run over zero samples (same process, bundle load and boot, no
// sample), divided by the samples fed. Records are not printed (--quiet), so the count is
// the firmware plus the host's HAL calls, not printf.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { encodeAccel, encodeStream } from "./stream-file.js";
import { accelStreamOf, sensorStreamOf } from "./write-stream.js";

export interface DuktapeBench {
  /** Instructions per sample, by firmware rate in Hz. */
  duktape_instructions_per_sample: { "25": number; "50": number };
  /** Highest live heap at any point (load included), in bytes above the empty Duktape context. */
  duktape_heap_peak_bytes: number;
  /** Live heap at the end of the run minus live heap after boot (0 for a firmware that never allocates after boot). */
  duktape_heap_growth_bytes: number;
  /** Size of the minified ES5 bundle (dist/firmware.es5.min.js). */
  bundle_bytes: number;
  /** Highest live heap after boot (code, buffers, engine stacks), bytes above the empty context. */
  duktape_heap_run_peak_bytes: number;
  /** Live heap after boot, bytes above the empty context. */
  duktape_heap_steady_bytes: number;
  /** The empty context itself (Debian's Duktape build). */
  duktape_heap_empty_context_bytes: number;
  /** Size of the unminified bundle (dist/firmware.es5.js). */
  bundle_raw_bytes: number;
  /** What was measured. */
  fixture: string;
}

export interface BenchDuktapeOptions {
  /** Recording to replay; default: ../shared/datasets/capnobase/0015_8min.json, else fixtures/synth/synth-rest.ringfx. */
  fixture?: string;
  /** Run `make firmware duk` first (default true). */
  build?: boolean;
  /** Project root; default: found from this file's location. */
  root?: string;
}

const RATES_HZ = [25, 50] as const;

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (fs.existsSync(path.join(dir, "Makefile")) && fs.existsSync(path.join(dir, "duk", "host.c"))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error("bench-duk: cannot find the project root (a folder with Makefile and duk/host.c)");
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function callgrindTotal(root: string, host_args: readonly string[], out_dir: string, tag: string): Promise<number> {
  const args = ["--tool=callgrind", `--callgrind-out-file=${path.join(out_dir, `callgrind.${tag}.out`)}`, path.join(root, "build", "duk-ring"), ...host_args];
  const r = await run("valgrind", args, root);
  if (r.code !== 0) throw new Error(`bench-duk: valgrind ${tag} exited ${r.code}:\n${r.stderr}`);
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr);
  if (m === null) throw new Error(`bench-duk: no "Collected" line in callgrind's output for ${tag}:\n${r.stderr}`);
  return Number(m[1]);
}

export async function benchDuktape(opts: BenchDuktapeOptions = {}): Promise<DuktapeBench> {
  const root = opts.root ?? findRoot();
  if (opts.build ?? true) {
    const made = spawnSync("make", ["--no-print-directory", "firmware", "duk"], { cwd: root, encoding: "utf8" });
    if (made.status !== 0) throw new Error(`bench-duk: \`make firmware duk\` failed (needs gcc and duktape-dev: make deps):\n${made.stdout}${made.stderr}`);
  }
  const probe = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) throw new Error("bench-duk: valgrind is not installed (make deps installs it)");

  const shared = path.resolve(root, "..", "shared", "datasets", "capnobase", "0015_8min.json");
  const fixture = opts.fixture ?? (fs.existsSync(shared) ? shared : path.join(root, "fixtures", "synth", "synth-rest.ringfx"));
  const bundle = path.join(root, "dist", "firmware.es5.min.js");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ring-bench-duk-"));
  try {
    const per_sample: Record<string, number> = {};
    let stats_50: Record<string, number> | null = null;
    await Promise.all(
      RATES_HZ.map(async (rate_hz) => {
        const stream = sensorStreamOf(fixture, rate_hz);
        if (stream.length === 0) throw new Error(`bench-duk: ${fixture} has no samples`);
        const stream_file = path.join(tmp, `stream-${rate_hz}.i32`);
        fs.writeFileSync(stream_file, encodeStream(stream));
        const base = ["--bundle", bundle, "--input", stream_file, "--rate", String(rate_hz), "--quiet"];
        const full = await callgrindTotal(root, base, tmp, `full-${rate_hz}`);
        const zero = await callgrindTotal(root, [...base, "--max-samples", "0"], tmp, `zero-${rate_hz}`);
        per_sample[String(rate_hz)] = Math.round((full - zero) / stream.length);
        if (rate_hz === 50) {
          const stats_file = path.join(tmp, "stats-50.json");
          const r = await run(path.join(root, "build", "duk-ring"), [...base, "--stats-json", stats_file], root);
          if (r.code !== 0) throw new Error(`bench-duk: duk-ring exited ${r.code}:\n${r.stderr}`);
          stats_50 = JSON.parse(fs.readFileSync(stats_file, "utf8")) as Record<string, number>;
        }
      }),
    );
    const s = stats_50 as Record<string, number> | null;
    if (s === null) throw new Error("bench-duk: no heap figures");
    const empty = s.heap_baseline_bytes!;
    return {
      duktape_instructions_per_sample: { "25": per_sample["25"]!, "50": per_sample["50"]! },
      duktape_heap_peak_bytes: s.heap_peak_bytes! - empty,
      duktape_heap_growth_bytes: s.heap_growth_bytes!,
      bundle_bytes: fs.statSync(bundle).size,
      duktape_heap_run_peak_bytes: s.heap_run_peak_bytes! - empty,
      duktape_heap_steady_bytes: s.heap_after_boot_bytes! - empty,
      duktape_heap_empty_context_bytes: empty,
      bundle_raw_bytes: fs.statSync(path.join(root, "dist", "firmware.es5.js")).size,
      fixture: path.relative(root, fixture),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface DuktapeMotionBench {
  /** Instructions per sample with the motion tracker attached, by rate, over the first MOTION_BENCH_S of a running record. */
  duktape_motion_instructions_per_sample: { "25": number; "50": number };
  /** The same for the radio-less pipeline alone on the same samples (the tracker's share is the difference). */
  duktape_motion_pipeline_only_instructions_per_sample: { "25": number; "50": number };
  /** Highest live heap after boot with the tracker, bytes above the empty context. */
  duktape_motion_heap_run_peak_bytes: number;
  /** Live heap at the end minus after boot (0: nothing allocated after boot). */
  duktape_motion_heap_growth_bytes: number;
  /** Size of the minified bundle with the tracker (dist/firmware-motion.es5.min.js). */
  motion_bundle_bytes: number;
  motion_fixture: string;
}

/** Seconds of the running record measured (callgrind runs ~50x slower than the host). */
export const MOTION_BENCH_S = 120;

/**
 * The pipeline with the motion heart-rate tracker (make firmware-motion) on Duktape, on a
 * spc2015 running record with its accelerometer: instructions per sample (the tracker runs
 * its spectra every 2 s while the wearer moves, so the figure is amortised over those
 * steps) and heap. Null when the dataset is absent.
 */
export async function benchDuktapeMotion(opts: BenchDuktapeOptions = {}): Promise<DuktapeMotionBench | null> {
  const root = opts.root ?? findRoot();
  const fixture = opts.fixture ?? path.resolve(root, "..", "shared", "datasets", "spc2015", "DATA_05_TYPE02.json");
  if (!fs.existsSync(fixture)) return null;
  if (opts.build ?? true) {
    const made = spawnSync("make", ["--no-print-directory", "firmware-motion", "duk"], { cwd: root, encoding: "utf8" });
    if (made.status !== 0) throw new Error(`bench-duk: \`make firmware-motion duk\` failed:\n${made.stdout}${made.stderr}`);
  }
  const motion_bundle = path.join(root, "dist", "firmware-motion.es5.min.js");
  const plain_bundle = path.join(root, "dist", "firmware.es5.min.js");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ring-bench-duk-motion-"));
  try {
    const motion: Record<string, number> = {};
    const plain: Record<string, number> = {};
    let stats: Record<string, number> | null = null;
    for (const rate_hz of RATES_HZ) {
      const stream = sensorStreamOf(fixture, rate_hz);
      const accel = accelStreamOf(fixture, rate_hz);
      if (accel === null) throw new Error(`bench-duk: ${fixture} has no accelerometer`);
      const n = Math.min(stream.length, MOTION_BENCH_S * rate_hz);
      const stream_file = path.join(tmp, `stream-${rate_hz}.i32`);
      const accel_file = path.join(tmp, `accel-${rate_hz}.acc`);
      fs.writeFileSync(stream_file, encodeStream(stream));
      fs.writeFileSync(accel_file, encodeAccel(accel));
      for (const [bundle, out] of [[motion_bundle, motion], [plain_bundle, plain]] as const) {
        const base = ["--bundle", bundle, "--input", stream_file, "--accel", accel_file, "--rate", String(rate_hz), "--quiet"];
        const full = await callgrindTotal(root, [...base, "--max-samples", String(n)], tmp, `motion-full-${rate_hz}`);
        const zero = await callgrindTotal(root, [...base, "--max-samples", "0"], tmp, `motion-zero-${rate_hz}`);
        out[String(rate_hz)] = Math.round((full - zero) / n);
      }
      if (rate_hz === 50) {
        const stats_file = path.join(tmp, "stats-motion.json");
        const r = await run(path.join(root, "build", "duk-ring"), ["--bundle", motion_bundle, "--input", stream_file, "--accel", accel_file, "--rate", "50", "--quiet", "--stats-json", stats_file], root);
        if (r.code !== 0) throw new Error(`bench-duk: duk-ring exited ${r.code}:\n${r.stderr}`);
        stats = JSON.parse(fs.readFileSync(stats_file, "utf8")) as Record<string, number>;
      }
    }
    const s = stats as Record<string, number> | null;
    if (s === null) throw new Error("bench-duk: no heap figures for the motion bundle");
    return {
      duktape_motion_instructions_per_sample: { "25": motion["25"]!, "50": motion["50"]! },
      duktape_motion_pipeline_only_instructions_per_sample: { "25": plain["25"]!, "50": plain["50"]! },
      duktape_motion_heap_run_peak_bytes: s.heap_run_peak_bytes! - s.heap_baseline_bytes!,
      duktape_motion_heap_growth_bytes: s.heap_growth_bytes!,
      motion_bundle_bytes: fs.statSync(motion_bundle).size,
      motion_fixture: path.relative(root, fixture),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv.includes("--motion") && process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchDuktapeMotion().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchDuktape().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
