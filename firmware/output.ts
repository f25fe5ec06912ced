// Records the firmware emits through Hal.emit. Every field is a 32-bit integer; the
// layout below is the contract with the simulator HAL and the Duktape host.

export const OUT_RECORD_FIELDS_MAX = 12;

/** A detected beat. */
export const OUT_KIND_BEAT = 1;
export const BEAT_TIME_MS = 0; // peak time, ms since the first sample (sub-sample interpolated)
export const BEAT_IBI_MS = 1; // interval from the previous beat, 0 for the first beat after a gap
export const BEAT_IBI_VALID = 2; // 1 when the interval passed artifact rejection
export const BEAT_SQI = 3; // signal quality of this beat, 0..100
export const BEAT_AMPLITUDE = 4; // peak minus preceding trough, input units
export const BEAT_INDEX = 5; // running beat count since boot
export const BEAT_FIELDS = 6;

/** Heart rate, emitted with each beat once enough intervals are known. */
export const OUT_KIND_HR = 2;
export const HR_TIME_MS = 0;
export const HR_BPM_X10 = 1;
export const HR_CONFIDENCE = 2; // 0..100
export const HR_FIELDS = 3;

/** One HRV window, emitted when a rolling window closes. */
export const OUT_KIND_HRV = 3;
export const HRV_WINDOW_S = 0; // 60 or 300
export const HRV_END_MS = 1; // window covers [end - window, end)
export const HRV_BEAT_COUNT = 2;
export const HRV_VALID_PERMILLE = 3; // valid intervals / all intervals, x1000
export const HRV_MEAN_IBI_MS_X10 = 4;
export const HRV_SDNN_MS_X10 = 5;
export const HRV_RMSSD_MS_X10 = 6;
export const HRV_PNN50_PERMILLE = 7;
export const HRV_PUBLISHED = 8; // 1 when valid fraction is above the floor, else stats are 0
export const HRV_FIELDS = 9;

/** A firmware status event (boot, sensor overflow, contact change). */
export const OUT_KIND_STATUS = 4;
export const STATUS_TIME_MS = 0;
export const STATUS_CODE = 1;
export const STATUS_VALUE = 2;
export const STATUS_FIELDS = 3;

export const STATUS_BOOT = 1;
export const STATUS_FIFO_OVERFLOW = 2;
/** Signal state changed; value 0 = good, 1 = artifact or motion, 2 = no skin contact. */
export const STATUS_SIGNAL = 3;
