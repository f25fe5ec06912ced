// Field layouts of the wellness records (protocol/ids.ts RECORD_SLEEP .. RECORD_STRESS_LEVEL).
// Every field is a 32-bit integer; times are the pipeline's ms since boot (the same clock as
// beat and HRV records). docs/wellness.md says how each value is computed.

// The record kinds, as protocol/ids.ts numbers them (test/wellness/records.test.ts checks
// they agree): importing ids.ts here would put all of it in the embedded bundle.
export const RECORD_SLEEP = 16;
export const RECORD_SLEEP_GAP = 17;
export const RECORD_STRESS = 18;
export const RECORD_STRESS_LEVEL = 19;

/** A rest or sleep period, emitted once its wake is confirmed. */
export const SLEEP_ONSET_MS = 0;
export const SLEEP_WAKE_MS = 1;
export const SLEEP_ASLEEP_MIN = 2; // minutes classified asleep between onset and wake
export const SLEEP_INTERRUPTIONS = 3;
export const SLEEP_LOWEST_HR_BPM_X10 = 4; // lowest 5-minute mean HR while asleep, 0 when none
export const SLEEP_AVG_HR_BPM_X10 = 5;
export const SLEEP_RMSSD_MS_X10 = 6; // nightly HRV: mean RMSSD of the 5-minute windows used
export const SLEEP_HRV_START_MS = 7; // the span of the night those windows cover
export const SLEEP_HRV_END_MS = 8;
export const SLEEP_HRV_WINDOWS = 9;
export const SLEEP_RECOVERY = 10; // 0..100 against the baseline of earlier nights, -1 without one
export const SLEEP_TYPE = 11; // SLEEP_TYPE_SLEEP or SLEEP_TYPE_REST
export const SLEEP_FIELDS = 12;
export const SLEEP_TYPE_SLEEP = 1;
export const SLEEP_TYPE_REST = 2;

/** An interruption (wake-like minutes after which sleep resumed). */
export const GAP_START_MS = 0;
export const GAP_END_MS = 1;
export const GAP_FIELDS = 2;

/** A stress episode, emitted when it ends. */
export const STRESS_START_MS = 0;
export const STRESS_END_MS = 1;
export const STRESS_PEAK = 2; // highest minute score, 0..100
export const STRESS_MEAN = 3; // mean score of the episode's scored minutes
export const STRESS_SCORED_MIN = 4;
export const STRESS_FIELDS = 5;

/** The stress indicator over the 15 minutes that end at END_MS. */
export const LEVEL_END_MS = 0;
export const LEVEL_SCORE = 1; // mean minute score, -1 when no minute could be scored
export const LEVEL_SCORED_MIN = 2;
export const LEVEL_HR_BPM_X10 = 3; // mean short-window HR of the scored minutes, 0 when none
export const LEVEL_RMSSD_MS_X10 = 4; // mean short-window RMSSD of the scored minutes
export const LEVEL_FIELDS = 5;
