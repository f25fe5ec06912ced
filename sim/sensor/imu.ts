// Simulated IMU: replays a fixture's accelerometer channel and offers the activity
// figure IMUs compute on chip: the largest change of acceleration magnitude between
// consecutive samples over the last 200 ms (mg). At rest this stays near the sensor
// noise (about 10 mg); walking or hand motion gives 100 mg and more.
//
// The figure is computed when asked, from the few samples it looks back on, so a long
// recording's channel is read a window at a time (fixture/stream.ts) rather than held.

import { asSource } from "../fixture/samples.js";
import type { Accel, SampleSource, StreamedAccel } from "../fixture/types.js";

const ACTIVITY_WINDOW_MS = 200;

export class SimImu {
  private readonly rate_hz: number;
  private readonly length: number;
  private readonly window: number;
  private readonly axes: SampleSource[];
  private last_index = -1;
  private last_activity_mg = 0;
  // The magnitudes of the last window + 1 samples, by sample index modulo their count:
  // consecutive figures share all but one of them (Math.hypot was a tenth of a replay's CPU).
  private readonly mags: Float64Array;
  private readonly mag_index: Float64Array;

  constructor(accel: Accel | StreamedAccel) {
    if (!(accel.sample_rate_hz > 0)) throw new RangeError(`accelerometer rate must be positive, got ${accel.sample_rate_hz}`);
    this.rate_hz = accel.sample_rate_hz;
    this.axes = [accel.x_mg, accel.y_mg, accel.z_mg].map((a) => asSource(a).reader());
    this.length = Math.min(this.axes[0].length, this.axes[1].length, this.axes[2].length);
    this.window = Math.max(1, Math.round((ACTIVITY_WINDOW_MS * this.rate_hz) / 1000));
    this.mags = new Float64Array(this.window + 1);
    this.mag_index = new Float64Array(this.window + 1).fill(-1);
  }

  /** Activity at virtual time now_us (the latest IMU sample at or before it). */
  activityAt(now_us: number): number {
    const i = Math.floor((now_us * this.rate_hz) / 1e6);
    if (i < 0 || this.length === 0) return 0;
    return this.activity(Math.min(i, this.length - 1));
  }

  /** The largest magnitude step over samples i - window .. i (0 for the first sample). */
  private activity(i: number): number {
    if (i === this.last_index) return this.last_activity_mg;
    let m = 0;
    if (i >= 1) {
      const lo = Math.max(1, i - this.window + 1);
      for (const a of this.axes) a.need(lo - 1, i);
      let prev = this.magnitude(lo - 1);
      for (let k = lo; k <= i; k++) {
        const mag = this.magnitude(k);
        m = Math.max(m, Math.abs(mag - prev));
        prev = mag;
      }
    }
    this.last_index = i;
    this.last_activity_mg = Math.round(m);
    return this.last_activity_mg;
  }

  private magnitude(k: number): number {
    const slot = k % this.mags.length;
    if (this.mag_index[slot] === k) return this.mags[slot]!;
    const [x, y, z] = this.axes;
    const mag = Math.hypot(x.data[k - x.base], y.data[k - y.base], z.data[k - z.base]);
    this.mags[slot] = mag;
    this.mag_index[slot] = k;
    return mag;
  }
}
