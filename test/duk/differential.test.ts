// The firmware runs unmodified on an embedded JS engine: the ES5 bundle on Duktape
// (build/duk-ring) and the same sources on Node (tools/duk/node-drive.ts) emit
// byte-identical record text for development recordings and synthetic fixtures, at 25 and
// 50 Hz; on Duktape the heap does not grow after boot and stays within its budget.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t, { type Test } from "tap";
import { replayFixture } from "../../sim/replay.js";
import { loadFixture } from "../../sim/fixture/load.js";
import * as out from "../../firmware/output.js";
import { driveFirmware, importFirmware } from "../../tools/duk/node-drive.js";
import { encodeStream } from "../../tools/duk/stream-file.js";
import { sensorStreamOf } from "../../tools/duk/write-stream.js";
import { repoRoot, sharedDir } from "../helpers/shared.js";
import { sweep } from "../helpers/long.js";

/** Heap the firmware may use on Duktape while it runs, above the empty context. */
const RUN_HEAP_ABOVE_EMPTY_BYTES_MAX = 64 * 1024;

const DUK_HOST = path.join(repoRoot, "build", "duk-ring");
const BUNDLE = path.join(repoRoot, "dist", "firmware.es5.js");
const BUNDLE_MIN = path.join(repoRoot, "dist", "firmware.es5.min.js");
const FIRMWARE_NODE = path.join(repoRoot, "build", "firmware-node", "main.mjs");
const RECORDINGS = ["0015_8min", "0147_8min", "0322_8min"];
const SYNTHETIC = ["synth-rest.ringfx", "synth-motion-nocontact.ringfx"];
const RATES_HZ = [25, 50];

interface DukStats {
  samples_in: number;
  samples_processed: number;
  records: number;
  heap_baseline_bytes: number;
  heap_after_boot_bytes: number;
  heap_end_bytes: number;
  heap_growth_bytes: number;
  heap_exec_peak_bytes: number;
  heap_run_peak_bytes: number;
  heap_peak_bytes: number;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ring-duk-"));
let run_count = 0;
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

function build(t: Test): boolean {
  const r = spawnSync("make", ["--no-print-directory", "firmware", "duk"], { cwd: repoRoot, encoding: "utf8" });
  if (r.status === 0) return true;
  t.fail(
    `\`make firmware duk\` failed (the Duktape host needs gcc and Debian's duktape-dev: run \`make deps\`):\n${r.stdout}${r.stderr}`,
  );
  return false;
}

function runDuktape(bundle: string, stream_file: string, rate_hz: number, extra: string[] = []): { status: number | null; stdout: string; stderr: string; stats: DukStats | null } {
  const stats_file = path.join(tmp, `stats-${++run_count}.json`);
  const r = spawnSync(DUK_HOST, ["--bundle", bundle, "--input", stream_file, "--rate", String(rate_hz), "--stats-json", stats_file, ...extra], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const stats = fs.existsSync(stats_file) ? (JSON.parse(fs.readFileSync(stats_file, "utf8")) as DukStats) : null;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, stats };
}

async function runNode(stream: Int32Array, rate_hz: number, key: string): Promise<string> {
  const fw = await importFirmware(FIRMWARE_NODE, key); // a fresh firmware instance per run
  const lines: string[] = [];
  driveFirmware(fw, stream, { rate_hz }, (line) => lines.push(line));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/** Where two texts first differ, for a readable failure. */
function firstDifference(a: string, b: string): string {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: duktape ${JSON.stringify(la[i] ?? "<end>")} vs node ${JSON.stringify(lb[i] ?? "<end>")}`;
  }
  return "identical";
}

async function compareFixture(t: Test, fixture_path: string, name: string): Promise<void> {
  for (const rate_hz of RATES_HZ) {
    const stream = sensorStreamOf(fixture_path, rate_hz);
    const stream_file = path.join(tmp, `${name}-${rate_hz}.i32`);
    fs.writeFileSync(stream_file, encodeStream(stream));
    const node_text = await runNode(stream, rate_hz, `${name}-${rate_hz}`);
    const duk = runDuktape(BUNDLE, stream_file, rate_hz);
    t.equal(duk.status, 0, `${name} @ ${rate_hz} Hz: duk-ring exits 0`, { stderr: duk.stderr });
    t.ok(node_text.split("\n").length > 10, `${name} @ ${rate_hz} Hz: the firmware emits records`);
    t.ok(duk.stdout === node_text, `${name} @ ${rate_hz} Hz: Duktape and Node records are byte-identical (${firstDifference(duk.stdout, node_text)})`);
    const s = duk.stats;
    if (s === null) {
      t.fail(`${name} @ ${rate_hz} Hz: no stats from duk-ring`);
      continue;
    }
    t.equal(s.samples_processed, stream.length, `${name} @ ${rate_hz} Hz: every sample processed`);
    t.equal(s.heap_growth_bytes, 0, `${name} @ ${rate_hz} Hz: heap growth after boot is 0 bytes`);
    t.equal(s.heap_end_bytes, s.heap_after_boot_bytes, `${name} @ ${rate_hz} Hz: heap at end equals heap after boot`);
    const run_above = s.heap_run_peak_bytes - s.heap_baseline_bytes;
    t.ok(run_above <= RUN_HEAP_ABOVE_EMPTY_BYTES_MAX, `${name} @ ${rate_hz} Hz: run peak ${run_above} bytes above the empty context <= ${RUN_HEAP_ABOVE_EMPTY_BYTES_MAX}`);
    t.comment(
      `${name} @ ${rate_hz} Hz: ${s.records} records; heap above the empty context: run peak ${run_above}, load peak ${s.heap_exec_peak_bytes - s.heap_baseline_bytes}, steady ${s.heap_after_boot_bytes - s.heap_baseline_bytes} bytes`,
    );
  }
}

t.test("Duktape and Node give identical records", async (t) => {
  if (!build(t)) return;

  t.test("synthetic fixtures", async (t) => {
    for (const file of SYNTHETIC) await compareFixture(t, path.join(repoRoot, "fixtures", "synth", file), file.replace(/\.ringfx$/, ""));
  });

  t.test("development recordings (capnobase)", async (t) => {
    const dir = sharedDir(t, "datasets/capnobase");
    if (dir === null) return;
    for (const rec of sweep(t, "development recordings on Duktape", RECORDINGS, 1)) await compareFixture(t, path.join(dir, `${rec}.json`), rec);
  });

  t.test("the minified bundle behaves the same", async (t) => {
    const fixture = path.join(repoRoot, "fixtures", "synth", SYNTHETIC[0]!);
    const stream = sensorStreamOf(fixture, 50);
    const stream_file = path.join(tmp, "min-50.i32");
    fs.writeFileSync(stream_file, encodeStream(stream));
    const full = runDuktape(BUNDLE, stream_file, 50);
    const min = runDuktape(BUNDLE_MIN, stream_file, 50);
    t.equal(min.status, 0, "duk-ring runs the minified bundle", { stderr: min.stderr });
    t.ok(min.stdout === full.stdout, "same records as the full bundle");
    t.equal(min.stats?.heap_growth_bytes, 0, "no heap growth after boot");
  });
});

t.test("the Node driver's schedule gives the simulator's records", async (t) => {
  if (!build(t)) return;
  const file = path.join(repoRoot, "fixtures", "synth", SYNTHETIC[0]!);
  const fixture = loadFixture(file);
  const replay = replayFixture(fixture, { rate_hz: 50, seed: 1 });
  const text = await runNode(sensorStreamOf(file, 50), 50, "vs-sim");
  const by_kind = new Map<number, string[]>();
  for (const line of text.split("\n").filter((l) => l !== "")) {
    const kind = Number(line.split(" ")[0]);
    by_kind.set(kind, [...(by_kind.get(kind) ?? []), line]);
  }
  const beats = replay.beats.map((b) => [out.OUT_KIND_BEAT, b.time_ms, b.ibi_ms, b.ibi_valid ? 1 : 0, b.sqi, b.amplitude, b.index].join(" "));
  const hr = replay.hr.map((h) => [out.OUT_KIND_HR, h.time_ms, h.hr_bpm_x10, h.confidence].join(" "));
  const status = replay.status.map((s) => [out.OUT_KIND_STATUS, s.time_ms, s.code, s.value].join(" "));
  const hrv = replay.hrv.map((w) =>
    [
      out.OUT_KIND_HRV,
      w.window_s,
      w.end_ms,
      w.beat_count,
      w.valid_permille,
      w.mean_ibi_ms_x10,
      w.sdnn_ms_x10,
      w.rmssd_ms_x10,
      w.pnn50_permille,
      w.published ? 1 : 0,
    ].join(" "),
  );
  t.ok(beats.length > 0, "the replay finds beats");
  t.same(by_kind.get(out.OUT_KIND_BEAT) ?? [], beats, "beat records");
  t.same(by_kind.get(out.OUT_KIND_HR) ?? [], hr, "heart-rate records");
  t.same(by_kind.get(out.OUT_KIND_STATUS) ?? [], status, "status records");
  t.same(by_kind.get(out.OUT_KIND_HRV) ?? [], hrv, "HRV records");
});

t.test("the Duktape host enforces its heap cap", async (t) => {
  if (!build(t)) return;
  const stream_file = path.join(tmp, "cap.i32");
  fs.writeFileSync(stream_file, encodeStream(new Int32Array(500)));
  const free_run = runDuktape(BUNDLE, stream_file, 50);
  t.equal(free_run.status, 0, "runs without a cap", { stderr: free_run.stderr });
  const baseline = free_run.stats?.heap_baseline_bytes ?? 0;
  const capped = runDuktape(BUNDLE, stream_file, 50, ["--heap-cap-bytes", String(baseline + 4096)]);
  t.equal(capped.status, 3, "exit code 3 beyond the cap");
  t.match(capped.stderr, /HEAP CAP EXCEEDED/, "says so clearly");
  const roomy = runDuktape(BUNDLE, stream_file, 50, ["--heap-cap-bytes", String((free_run.stats?.heap_peak_bytes ?? 0) + 1)]);
  t.equal(roomy.status, 0, "a cap above the measured peak is not hit", { stderr: roomy.stderr });
});
