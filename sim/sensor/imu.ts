// Simulated IMU: replays a fixture's accelerometer channel and offers the activity
// figure IMUs compute on chip: the largest change of acceleration magnitude between
// consecutive samples over the last 200 ms (mg). At rest this stays near the sensor
// noise (about 10 mg); walking or hand motion gives 100 mg and more.

import type { Accel } from "../fixture/types.js";

const ACTIVITY_WINDOW_MS = 200;

export class SimImu {
  private readonly activity_mg: Int32Array;
  private readonly rate_hz: number;

  constructor(accel: Accel) {
    const n = Math.min(accel.x_mg.length, accel.y_mg.length, accel.z_mg.length);
    if (!(accel.sample_rate_hz > 0)) throw new RangeError(`accelerometer rate must be positive, got ${accel.sample_rate_hz}`);
    this.rate_hz = accel.sample_rate_hz;
    const mag = new Float64Array(n);
    for (let i = 0; i < n; i++) mag[i] = Math.hypot(accel.x_mg[i], accel.y_mg[i], accel.z_mg[i]);
    const window = Math.max(1, Math.round((ACTIVITY_WINDOW_MS * this.rate_hz) / 1000));
    this.activity_mg = new Int32Array(n);
    for (let i = 1; i < n; i++) {
      let m = 0;
      for (let k = Math.max(1, i - window + 1); k <= i; k++) m = Math.max(m, Math.abs(mag[k] - mag[k - 1]));
      this.activity_mg[i] = Math.round(m);
    }
  }

  /** Activity at virtual time now_us (the latest IMU sample at or before it). */
  activityAt(now_us: number): number {
    const i = Math.floor((now_us * this.rate_hz) / 1e6);
    if (i < 0 || this.activity_mg.length === 0) return 0;
    return this.activity_mg[Math.min(i, this.activity_mg.length - 1)];
  }
}
