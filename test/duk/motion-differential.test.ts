// The pipeline with the motion heart-rate tracker attached (make firmware-motion) runs
// unmodified on Duktape: on a spc2015 running record with its accelerometer, the ES5
// bundle on build/duk-ring and the same sources on Node emit byte-identical records at
// 25 and 50 Hz, with heart-rate records during motion and no heap growth after boot. The
// heap it needs is reported (the radio-less bundle does not carry the tracker: see README
// "Heart rate through motion").

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { driveFirmware, importFirmware } from "../../tools/duk/node-drive.js";
import { encodeAccel, encodeStream } from "../../tools/duk/stream-file.js";
import { accelStreamOf, sensorStreamOf } from "../../tools/duk/write-stream.js";
import { repoRoot, sharedDir } from "../helpers/shared.js";

const DUK_HOST = path.join(repoRoot, "build", "duk-ring");
const BUNDLE = path.join(repoRoot, "dist", "firmware-motion.es5.min.js");
const FIRMWARE_NODE = path.join(repoRoot, "build", "firmware-node", "motion.mjs");
const RECORD = "DATA_05_TYPE02";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ring-duk-motion-"));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test("Duktape and Node agree with the tracker on a running record", async (t) => {
  const dir = sharedDir(t, "datasets/spc2015");
  if (dir === null) return;
  const made = spawnSync("make", ["--no-print-directory", "firmware-motion", "duk"], { cwd: repoRoot, encoding: "utf8" });
  if (made.status !== 0) {
    t.fail(`make firmware-motion duk failed:\n${made.stdout}${made.stderr}`);
    return;
  }
  const fixture = path.join(dir, `${RECORD}.json`);
  for (const rate_hz of [25, 50]) {
    const stream = sensorStreamOf(fixture, rate_hz);
    const accel = accelStreamOf(fixture, rate_hz)!;
    const stream_file = path.join(tmp, `${rate_hz}.i32`);
    const accel_file = path.join(tmp, `${rate_hz}.acc`);
    fs.writeFileSync(stream_file, encodeStream(stream));
    fs.writeFileSync(accel_file, encodeAccel(accel));
    const fw = await importFirmware(FIRMWARE_NODE, `motion-${rate_hz}`);
    const lines: string[] = [];
    driveFirmware(fw, stream, { rate_hz, accel }, (line) => lines.push(line));
    const node_text = lines.join("\n") + "\n";
    const stats_file = path.join(tmp, `stats-${rate_hz}.json`);
    const duk = spawnSync(DUK_HOST, ["--bundle", BUNDLE, "--input", stream_file, "--accel", accel_file, "--rate", String(rate_hz), "--stats-json", stats_file], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    t.equal(duk.status, 0, `${rate_hz} Hz: duk-ring exits 0`, { stderr: duk.stderr });
    t.ok(duk.stdout === node_text, `${rate_hz} Hz: byte-identical records`);
    const hr_lines = lines.filter((l) => l.startsWith("2 ")).length;
    t.ok(hr_lines > 100, `${rate_hz} Hz: heart-rate records through the run (${hr_lines})`);
    const s = JSON.parse(fs.readFileSync(stats_file, "utf8")) as { heap_growth_bytes: number; heap_run_peak_bytes: number; heap_baseline_bytes: number };
    t.equal(s.heap_growth_bytes, 0, `${rate_hz} Hz: no heap growth after boot`);
    t.comment(`${rate_hz} Hz: run peak ${s.heap_run_peak_bytes - s.heap_baseline_bytes} bytes above the empty context with the tracker`);
  }
});
