// Signal quality ahead of beat detection: is the ring on the skin, and is the signal a
// pulse or an artifact? Three cheap per-sample tests:
//  - contact: the photodiode sees almost no reflected light off the skin, so the raw
//    count (full scale minus the inverted channel the detector reads) falls below a
//    proximity floor, as AFE proximity modes decide it;
//  - artifact: the signal strays from its 1.3 s baseline by several times the pulse
//    amplitude of recent beats (motion, a contact change, a gain step);
//  - motion: the IMU reports activity well above its resting noise;
//  - flat: the sample has not changed for 1 s (an AFE stuck, or a photodiode pinned
//    at full scale by ambient light): no pulse, and the step when it lets go is none either.
//    (Clinical display waveforms hold a value for a few hundred ms at most: CapnoBase.)
// While either holds (and for HOLD_MS after), the detector reports no beats and then
// relearns its level from the clean signal.

// The tests run for every sample inside the beat detector's block loop
// (dsp/beat-detector.ts: detector_run), with their state in its locals: on an interpreter
// a call per sample and a lookup per state variable cost more than the tests themselves.
// This module holds what they are tuned by.

export const SIGNAL_OK = 0;
export const SIGNAL_ARTIFACT = 1;
export const SIGNAL_NO_CONTACT = 2;

export const HOLD_MS = 1000; // a bad stretch is extended this long after it ends
export const MOTION_HOLD_MS = 300; // ... or this long when the IMU reported it
export const ARTIFACT_DEV_X = 5; // deviation from the baseline, in pulse amplitudes, that is an artifact
export const SETTLE_MS = 4000; // baseline time constant 1.3 s: within 5% of a step after 4 s
const MOTION_ACTIVITY_MG_MAX = 40; // IMU activity above this is motion (rest stays near 10 mg)
export const MOTION_MG_MAX = MOTION_ACTIVITY_MG_MAX;
export const AMPLITUDE_BEATS_MIN = 3; // the artifact test waits for this many beats to know the pulse

