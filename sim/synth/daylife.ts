// Multi-day synthetic ring recordings with a day/night cycle and their ground truth: a
// person sleeps (lower, steadier heart rate, higher HRV, a few awakenings, rare rollovers),
// wakes, moves their hands now and then, has activity bouts (high heart rate, sustained
// motion) and stress episodes (heart rate up, HRV down, seated). The true times of every
// sleep period, awakening, activity bout and stress episode go into the fixture
// (meta.notes.wellness_truth and events), so every wellness summary has a ground truth.
//
// The pulse waveform, noise and motion artifacts are the single-session generator's
// (ring-ppg-model.ts, noise.ts, motion.ts); what this adds is the RR series, driven per
// second by the schedule, and a motion sampler that only looks at the burst in progress
// (thousands of hand movements over days). Two recordings can share part of their heart-rate
// fluctuation and their bedtimes (`shared`), which gives a couple a known coupling.

import { checkFixture } from '../fixture/check.js';
import { FIXTURE_FORMAT_VERSION, type Accel, type Fixture, type FixtureEvent, type Span } from '../fixture/types.js';
import { Prng } from '../prng.js';
import { addMotionAccel, motionPpgAt, planMotion, type MotionBurst, type MotionPlan } from './motion.js';
import { resolveParams } from './params.js';
import { RingPpgModel } from './ring-ppg-model.js';

export const DAYLIFE_MODEL_VERSION = 1;
export const DAYLIFE_DAYS_MAX = 4;
const DAY_S = 86400;
const TRUTH_NS_PER_S = 1e9;
const GRAVITY_MG = 1000;

/** Physiological state per second of the schedule. */
export const STATE_WAKE = 0;
export const STATE_SLEEP = 1;
export const STATE_NIGHT_AWAKE = 2;
export const STATE_STRESS = 3;
export const STATE_ACTIVITY = 4;

/** Targets per state: mean HR offset from the person's rest HR, and RR variability (ms). */
interface StateTargets {
  hr_delta_bpm: number;
  rsa_ms: number;
  mayer_ms: number;
  jitter_ms: number;
  resp_hz: number;
}

const TARGETS: readonly StateTargets[] = [
  { hr_delta_bpm: 0, rsa_ms: 36, mayer_ms: 20, jitter_ms: 9, resp_hz: 0.25 }, // awake, seated or walking about
  { hr_delta_bpm: -14, rsa_ms: 80, mayer_ms: 30, jitter_ms: 20, resp_hz: 0.22 }, // asleep
  { hr_delta_bpm: -6, rsa_ms: 40, mayer_ms: 20, jitter_ms: 10, resp_hz: 0.25 }, // awake in the night
  { hr_delta_bpm: 20, rsa_ms: 8, mayer_ms: 6, jitter_ms: 3, resp_hz: 0.33 }, // stress: HR up, vagal tone down
  { hr_delta_bpm: 55, rsa_ms: 5, mayer_ms: 4, jitter_ms: 2, resp_hz: 0.45 }, // activity bout
];
/** Heart rate follows its target with this time constant (s); variability with TAU_VAR_S. */
const TAU_HR_S = 90;
const TAU_VAR_S = 60;

export interface DaylifeShared {
  /** Seed of what a couple shares: bedtimes and a slow heart-rate fluctuation. */
  seed: number;
  /** 0..1: weight of the shared heart-rate fluctuation (0 = independent, 1 = identical). */
  coupling: number;
}

export interface DaylifeOptions {
  seed: number;
  /** Nights in the recording (1..4); the recording runs from start_clock_s on day 0 to end_clock_s on day `nights`. */
  nights: number;
  /** Clock time of the first sample, s after midnight; default 20:00. */
  start_clock_s?: number;
  /** Clock time of the last sample on the last day, s after midnight; default 20:00. */
  end_clock_s?: number;
  sample_rate_hz?: number;
  /** Cut the recording short (s): only what lies wholly inside stays in the truth. */
  duration_s?: number;
  /** The person's awake resting heart rate. */
  rest_hr_bpm?: number;
  shared?: DaylifeShared;
  record?: string;
  /** Unix time of the day-0 midnight (ms); the fixture's start time is derived from it. */
  day0_unix_ms?: number;
}

export interface TruthSpan {
  start_ms: number;
  end_ms: number;
}

export interface TruthSleep {
  onset_ms: number;
  wake_ms: number;
  /** Awakenings inside the period. */
  awake: TruthSpan[];
  /** Period minus awakenings. */
  asleep_ms: number;
}

export interface DaylifeTruth {
  generator: 'daylife';
  model_version: number;
  seed: number;
  start_clock_s: number;
  sleeps: TruthSleep[];
  stress: TruthSpan[];
  activity: TruthSpan[];
  shared: DaylifeShared | null;
}

interface Schedule {
  state: Uint8Array;
  truth: DaylifeTruth;
  bursts: MotionBurst[];
}

const DEFAULT_DAY0_UNIX_MS = 1767571200000; // 2026-01-05 00:00 UTC, a Monday; // a Monday; fixed, so files are reproducible

export function generateDaylife(opts: DaylifeOptions): Fixture {
  const o = resolve(opts);
  const root = new Prng(o.seed);
  const own = { schedule: root.fork(11), rr: root.fork(12), model: root.fork(13), motion: root.fork(14), noise: root.fork(15), accel: root.fork(16), wander: root.fork(17) };
  const shared = o.shared ? new Prng(o.shared.seed) : null;
  const sched = buildSchedule(o, own.schedule, shared ? shared.fork(21) : null);
  const rr_ms = buildRr(o, sched.state, own.rr, own.wander, shared ? shared.fork(22) : null);
  const params = resolveParams({});
  const model = new RingPpgModel({ params, rr_ms, duration_s: o.duration_s, no_contact: [] }, own.model);
  const plans = planMotion(sched.bursts, own.motion);
  const noise = new FastNoise(own.noise, o.sample_rate_hz, params.white_noise_counts, params.pink_noise_counts);
  const n = Math.round(o.duration_s * o.sample_rate_hz);
  const ppg = new Int32Array(n);
  const motion_counts = model.pulse_counts * params.motion_ppg_ratio;
  const cursor = new BurstCursor(plans);
  for (let i = 0; i < n; i++) {
    const t_s = i / o.sample_rate_hz;
    const v = model.cleanAt(t_s) + motionPpgAt(cursor.at(t_s), motion_counts, t_s) + noise.next();
    ppg[i] = Math.min(model.full_scale_counts, Math.max(0, Math.round(v)));
  }
  const truth_s = model.truthPeaks(n / o.sample_rate_hz);
  const f: Fixture = {
    format_version: FIXTURE_FORMAT_VERSION,
    meta: {
      record: o.record,
      source: `synth:daylife/${DAYLIFE_MODEL_VERSION} seed=${o.seed} nights=${o.nights}` + (o.shared ? ` shared=${o.shared.seed}:${o.shared.coupling}` : ''),
      license: 'generated by ring-sim (no third-party data)',
      sample_rate_hz: o.sample_rate_hz,
      ppg_units: `ADC counts of a ${params.adc_bits}-bit AFE, inverted channel`,
      start_time_unix_ms: o.day0_unix_ms + o.start_clock_s * 1000,
      notes: {
        generator: 'daylife',
        model_version: DAYLIFE_MODEL_VERSION,
        seed: o.seed,
        nights: o.nights,
        rest_hr_bpm: o.rest_hr_bpm,
        duration_s: o.duration_s,
        motion_bursts: plans.length,
        wellness_truth: sched.truth,
      },
    },
    ppg,
    accel: sampleAccel(plans, o, own.accel, params.motion_accel_mg, params.accel_noise_mg),
    events: truthEvents(sched.truth),
    ref_beats_us: Float64Array.from(truth_s, (t) => Math.round(t * TRUTH_NS_PER_S) / 1e3),
    ref_kind: 'synthetic-truth-peaks',
    artifacts: sched.truth.activity.map((a) => ({ start_ms: a.start_ms, end_ms: a.end_ms })),
  };
  checkFixture(f, `daylife "${o.record}"`);
  return f;
}

/** The ground truth a daylife fixture carries, or null for any other recording. */
export function daylifeTruth(f: Fixture): DaylifeTruth | null {
  const t = f.meta.notes?.wellness_truth as DaylifeTruth | undefined;
  return t !== undefined && t !== null && t.generator === 'daylife' ? t : null;
}

type Resolved = Required<Omit<DaylifeOptions, 'shared' | 'duration_s'>> & { shared: DaylifeShared | null; duration_s: number };

function resolve(opts: DaylifeOptions): Resolved {
  const { seed, nights } = opts;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  if (!Number.isInteger(nights) || nights < 1 || nights > DAYLIFE_DAYS_MAX) throw new RangeError(`nights must be 1..${DAYLIFE_DAYS_MAX}, got ${nights}`);
  const start_clock_s = opts.start_clock_s ?? 20 * 3600;
  const end_clock_s = opts.end_clock_s ?? 20 * 3600;
  if (!(start_clock_s >= 12 * 3600 && start_clock_s <= 22 * 3600)) throw new RangeError('start_clock_s must be 12:00..22:00 (the recording starts before the first night)');
  if (!(end_clock_s >= 9 * 3600 && end_clock_s <= 22 * 3600)) throw new RangeError('end_clock_s must be 09:00..22:00 (the last night ends first)');
  const sample_rate_hz = opts.sample_rate_hz ?? 25;
  if (![25, 50, 100].includes(sample_rate_hz)) throw new RangeError(`sample_rate_hz must be 25, 50 or 100, got ${sample_rate_hz}`);
  const rest_hr_bpm = opts.rest_hr_bpm ?? 68;
  if (!(rest_hr_bpm >= 50 && rest_hr_bpm <= 90)) throw new RangeError(`rest_hr_bpm must be 50..90, got ${rest_hr_bpm}`);
  const shared = opts.shared ?? null;
  const full_s = nights * DAY_S - start_clock_s + end_clock_s;
  const duration_s = opts.duration_s ?? full_s;
  if (!(Number.isInteger(duration_s) && duration_s >= 3600 && duration_s <= full_s)) throw new RangeError(`duration_s must be an integer in 3600..${full_s}, got ${duration_s}`);
  if (shared && !(shared.coupling >= 0 && shared.coupling <= 1)) throw new RangeError(`shared.coupling must be 0..1, got ${shared.coupling}`);
  return {
    seed, nights, start_clock_s, end_clock_s, sample_rate_hz, rest_hr_bpm, shared,
    record: opts.record ?? `daylife-${seed}`,
    day0_unix_ms: opts.day0_unix_ms ?? DEFAULT_DAY0_UNIX_MS,
    duration_s,
  };
}

function uniform(p: Prng, lo: number, hi: number): number {
  return lo + (hi - lo) * p.nextUnit();
}

/**
 * Who does what when, per second. Bedtimes come from the shared stream when there is one
 * (a couple goes to bed within minutes of each other), with a few minutes of one's own.
 */
function buildSchedule(o: Resolved, p: Prng, shared: Prng | null): Schedule {
  const dur = o.duration_s;
  const state = new Uint8Array(dur);
  const bed = shared ?? p;
  const truth: DaylifeTruth = { generator: 'daylife', model_version: DAYLIFE_MODEL_VERSION, seed: o.seed, start_clock_s: o.start_clock_s, sleeps: [], stress: [], activity: [], shared: o.shared };
  const fill = (a: number, b: number, s: number): void => {
    for (let t = Math.max(0, Math.floor(a)); t < Math.min(dur, Math.floor(b)); t++) state[t] = s;
  };
  // Recording second of clock time `clock_s` on day d.
  const at = (d: number, clock_s: number): number => d * DAY_S + clock_s - o.start_clock_s;
  const own_jitter_s = shared ? 600 : 0;
  const bursts: MotionBurst[] = [];
  for (let d = 0; d < o.nights; d++) {
    const onset = Math.round(at(d, 23 * 3600 + uniform(bed, -2700, 2700)) + uniform(p, -own_jitter_s, own_jitter_s));
    const wake = Math.round(at(d + 1, 7 * 3600 + uniform(bed, -2400, 2400)) + uniform(p, -own_jitter_s, own_jitter_s));
    fill(onset, wake, STATE_SLEEP);
    const awake: TruthSpan[] = [];
    const awake_count = p.nextInt(1, 2);
    for (let k = 0; k < awake_count; k++) {
      // One awakening in each half of the night, away from its ends.
      const half = (wake - onset) / awake_count;
      const a = Math.round(onset + k * half + uniform(p, 3600, half - 1200));
      const len = Math.round(uniform(p, 300, 720));
      fill(a, a + len, STATE_NIGHT_AWAKE);
      awake.push({ start_ms: a * 1000, end_ms: (a + len) * 1000 });
      // Getting up: the hand moves for most of it.
      bursts.push({ start_s: a + 10, duration_s: Math.round(len * 0.3), intensity: 0.8 });
      bursts.push({ start_s: a + len - 10 - Math.round(len * 0.3), duration_s: Math.round(len * 0.3), intensity: 0.8 });
    }
    const awake_ms = awake.reduce((s, x) => s + x.end_ms - x.start_ms, 0);
    truth.sleeps.push({ onset_ms: onset * 1000, wake_ms: wake * 1000, awake, asleep_ms: (wake - onset) * 1000 - awake_ms });
    // Rollovers: a short movement every 20..70 min of sleep.
    for (let t = onset + uniform(p, 1200, 4200); t < wake - 600; t += uniform(p, 1200, 4200)) {
      if (state[Math.floor(t)] === STATE_SLEEP) bursts.push({ start_s: Math.round(t), duration_s: Math.round(uniform(p, 2, 5)), intensity: 0.4 });
    }
  }
  // Daytime: activity bouts and stress episodes, 08:30..20:30 of each day after a night.
  for (let d = 1; d <= o.nights; d++) {
    const day_start = Math.max(at(d, 8.5 * 3600), truth.sleeps[d - 1].wake_ms / 1000 + 1800);
    const day_end = Math.min(at(d, 20.5 * 3600), dur - 1800);
    if (day_end - day_start < 3600) continue;
    const busy: TruthSpan[] = [];
    const place = (len: number, gap: number): number => {
      for (let tries = 0; tries < 50; tries++) {
        const s = Math.round(uniform(p, day_start, day_end - len));
        if (busy.every((b) => s + len + gap <= b.start_ms / 1000 || s >= b.end_ms / 1000 + gap)) {
          busy.push({ start_ms: s * 1000, end_ms: (s + len) * 1000 });
          return s;
        }
      }
      return -1;
    };
    const bouts = p.nextInt(1, 2);
    for (let k = 0; k < bouts; k++) {
      const len = Math.round(uniform(p, 1200, 2700));
      const s = place(len, 2400);
      if (s < 0) continue;
      fill(s, s + len, STATE_ACTIVITY);
      truth.activity.push({ start_ms: s * 1000, end_ms: (s + len) * 1000 });
      bursts.push({ start_s: s, duration_s: len, intensity: uniform(p, 1.5, 2.5) });
    }
    const episodes = Math.min(3, Math.max(1, Math.floor((day_end - day_start) / 14400) + 1));
    for (let k = 0; k < episodes; k++) {
      const len = Math.round(uniform(p, 720, 1500));
      const s = place(len, 2400);
      if (s < 0) continue;
      fill(s, s + len, STATE_STRESS);
      truth.stress.push({ start_ms: s * 1000, end_ms: (s + len) * 1000 });
    }
  }
  const inside = (x: TruthSpan): boolean => x.start_ms >= 0 && x.end_ms <= dur * 1000;
  truth.activity = truth.activity.filter(inside).sort((a, b) => a.start_ms - b.start_ms);
  truth.stress = truth.stress.filter(inside).sort((a, b) => a.start_ms - b.start_ms);
  truth.sleeps = truth.sleeps.filter((x) => inside({ start_ms: x.onset_ms, end_ms: x.wake_ms }));
  // Hand movements while awake (not during bouts, which move all the time): every 40..200 s
  // at rest, less often while stressed (seated, at a desk).
  for (let t = uniform(p, 20, 120); t < dur - 10; ) {
    const s = state[Math.floor(t)];
    if (s === STATE_WAKE || s === STATE_STRESS) {
      const len = Math.round(uniform(p, 2, 8));
      const end = Math.floor(t) + len;
      if (end < dur && state[Math.min(dur - 1, end)] === s) bursts.push({ start_s: Math.floor(t), duration_s: len, intensity: uniform(p, 0.3, 0.9) });
      t += s === STATE_STRESS ? uniform(p, 90, 300) : uniform(p, 40, 200);
    } else {
      t += 30;
    }
  }
  bursts.sort((a, b) => a.start_s - b.start_s);
  // Keep bursts apart (the sampler looks at one at a time).
  const kept: MotionBurst[] = [];
  for (const b of bursts) {
    const prev = kept[kept.length - 1];
    if (prev && b.start_s < prev.start_s + prev.duration_s + 1) continue;
    if (b.start_s + b.duration_s >= dur) continue;
    kept.push(b);
  }
  return { state, truth, bursts: kept };
}

/**
 * An Ornstein-Uhlenbeck process per second (mean 0, standard deviation sd, correlation
 * time tau_s): the slow heart-rate fluctuation a couple may share.
 */
function ouSeries(p: Prng, n: number, tau_s: number, sd: number): Float64Array {
  const out = new Float64Array(n);
  const a = Math.exp(-1 / tau_s);
  const b = sd * Math.sqrt(1 - a * a);
  let x = sd * p.nextGaussian();
  for (let i = 0; i < n; i++) {
    x = a * x + b * p.nextGaussian();
    out[i] = x;
  }
  return out;
}

/** Beat-to-beat intervals following the schedule's targets, smoothed per second. */
function buildRr(o: Resolved, state: Uint8Array, p: Prng, wander_p: Prng, shared: Prng | null): Float64Array {
  const n = state.length + 10;
  const c = o.shared ? o.shared.coupling : 0;
  const own = ouSeries(wander_p, n, 240, 3);
  const common = shared ? ouSeries(shared, n, 240, 3) : null;
  const hr = new Float64Array(n);
  const rsa = new Float64Array(n);
  const mayer = new Float64Array(n);
  const jitter = new Float64Array(n);
  const resp = new Float64Array(n);
  let t0 = TARGETS[state[0]];
  let h = o.rest_hr_bpm + t0.hr_delta_bpm;
  let v = [t0.rsa_ms, t0.mayer_ms, t0.jitter_ms, t0.resp_hz];
  for (let i = 0; i < n; i++) {
    const tg = TARGETS[state[Math.min(i, state.length - 1)]];
    h += (o.rest_hr_bpm + tg.hr_delta_bpm - h) / TAU_HR_S;
    const want = [tg.rsa_ms, tg.mayer_ms, tg.jitter_ms, tg.resp_hz];
    v = v.map((x, k) => x + (want[k] - x) / TAU_VAR_S);
    const w = common ? c * common[i] + Math.sqrt(1 - c * c) * own[i] : own[i];
    hr[i] = h + w;
    [rsa[i], mayer[i], jitter[i], resp[i]] = v;
  }
  const rr: number[] = [];
  let t = 0;
  let resp_phase = 2 * Math.PI * p.nextUnit();
  const mayer_phase = 2 * Math.PI * p.nextUnit();
  while (t < state.length + 5) {
    const i = Math.floor(t);
    const base = 60000 / hr[i];
    const x = base + (rsa[i] / 2) * Math.sin(resp_phase) + (mayer[i] / 2) * Math.sin(2 * Math.PI * 0.1 * t + mayer_phase) + jitter[i] * p.nextGaussian();
    const ms = Math.min(2000, Math.max(300, x));
    rr.push(ms);
    resp_phase += 2 * Math.PI * resp[i] * (ms / 1000);
    t += ms / 1000;
  }
  return Float64Array.from(rr);
}

/** Hands the motion sampler the one burst in progress (bursts are sorted and apart). */
class BurstCursor {
  private i = 0;
  private readonly one: MotionPlan[] = [];
  private readonly none: MotionPlan[] = [];
  constructor(private readonly plans: MotionPlan[]) {}
  at(t_s: number): MotionPlan[] {
    while (this.i < this.plans.length && this.plans[this.i].end_s <= t_s) this.i++;
    const p = this.plans[this.i];
    if (p === undefined || p.start_s > t_s) return this.none;
    this.one[0] = p;
    return this.one;
  }
}

function sampleAccel(plans: MotionPlan[], o: Resolved, p: Prng, accel_mg: number, noise_mg: number): Accel {
  const rate = 25;
  const count = Math.round(o.duration_s * rate);
  const axes = [new Int16Array(count), new Int16Array(count), new Int16Array(count)];
  const tx = 0.3 * p.nextGaussian();
  const ty = 0.3 * p.nextGaussian();
  const norm = Math.hypot(tx, ty, 1);
  const gravity = [(GRAVITY_MG * tx) / norm, (GRAVITY_MG * ty) / norm, -GRAVITY_MG / norm];
  const a = new Float64Array(3);
  const cursor = new BurstCursor(plans);
  for (let j = 0; j < count; j++) {
    const t_s = j / rate;
    a.set(gravity);
    addMotionAccel(cursor.at(t_s), accel_mg, t_s, a);
    for (let k = 0; k < 3; k++) axes[k][j] = Math.min(16000, Math.max(-16000, Math.round(a[k] + noise_mg * fastNormal(p))));
  }
  return { sample_rate_hz: rate, x_mg: axes[0], y_mg: axes[1], z_mg: axes[2] };
}

const SQRT6 = Math.sqrt(6);

/**
 * A zero-mean, unit-variance deviate from two uniforms (triangular): days of samples need
 * tens of millions of draws, and the sensor noise's exact shape does not matter here.
 */
function fastNormal(p: Prng): number {
  return (p.nextU32() / 0x100000000 + p.nextU32() / 0x100000000 - 1) * SQRT6;
}

/** White noise plus two first-order processes (slow and fast), as noise.ts with cheaper draws. */
class FastNoise {
  private readonly a: number[];
  private readonly b: number[];
  private readonly x: number[];
  constructor(private readonly p: Prng, rate_hz: number, private readonly white: number, pink: number) {
    const corners_hz = [0.05, 1];
    this.a = corners_hz.map((c) => Math.exp((-2 * Math.PI * Math.min(c, rate_hz / 4)) / rate_hz));
    this.b = this.a.map((a) => (pink / Math.SQRT2) * Math.sqrt(1 - a * a));
    this.x = [0, 0];
  }
  next(): number {
    const x0 = (this.x[0] = this.a[0] * this.x[0] + this.b[0] * fastNormal(this.p));
    const x1 = (this.x[1] = this.a[1] * this.x[1] + this.b[1] * fastNormal(this.p));
    return this.white * fastNormal(this.p) + x0 + x1;
  }
}

function truthEvents(t: DaylifeTruth): FixtureEvent[] {
  const ev = (s: Span, kind: string, text: string): FixtureEvent => ({ time_ms: s.start_ms, kind, duration_ms: s.end_ms - s.start_ms, text });
  return [
    ...t.sleeps.map((s) => ev({ start_ms: s.onset_ms, end_ms: s.wake_ms }, 'sleep', 'true sleep period (onset to wake)')),
    ...t.sleeps.flatMap((s) => s.awake.map((a) => ev(a, 'awake', 'true awakening inside the sleep period'))),
    ...t.stress.map((s) => ev(s, 'stress', 'true stress episode (HR up, HRV down, seated)')),
    ...t.activity.map((s) => ev(s, 'activity', 'true activity bout (sustained motion, high HR)')),
  ].sort((a, b) => a.time_ms - b.time_ms);
}
