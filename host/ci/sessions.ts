// The sessions of a CI run: recordings found under a folder, or listed in a manifest with
// their own options, each paired with its golden file in a folder that mirrors them.
//
// A session's id is its recording's path relative to the folder (or the manifest's
// folder), '/'-separated, without the extension, unless the manifest names it; its golden
// is <golden_dir>/<id>.ndjson. Ids are what shards, summaries and JUnit test names use,
// so they never depend on where the library was checked out.

import fs from 'node:fs';
import path from 'node:path';
import { listFixtures } from '../../sim/fixture/load.js';
import type { ReplayConfig } from '../../sim/replay-types.js';
import { ConfigError, mergeReplayConfig, parseReplayConfig } from '../replay/config.js';
import { CiError } from './errors.js';

export const GOLDEN_EXT = '.ndjson';
/** Bounds a golden folder listing, as fixture listings are bounded. */
const GOLDEN_FILES_MAX = 100_000;
const MANIFEST_KEYS = ['golden_dir', 'rate_hz', 'seed', 'config', 'sessions'];
const SESSION_KEYS = ['recording', 'id', 'rate_hz', 'seed', 'config'];
const RATES_HZ = [25, 50, 100];

export interface SessionSpec {
  id: string;
  /** The recording, as a path the run can open. */
  recording: string;
  golden: string;
  rate_hz: number;
  seed: number;
  /** The ring's configuration, set over the link before the replay streams (host/replay/config.ts). */
  config?: ReplayConfig;
  /** Size of the recording file: a cheap stand-in for its length when ordering work. */
  size_bytes: number;
}

export interface SessionDefaults {
  rate_hz: number;
  seed: number;
  /** Golden folder given on the command line (overrides the manifest's). */
  golden_dir?: string;
}

export interface Library {
  sessions: SessionSpec[];
  golden_dir: string;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');
const stripExt = (p: string): string => p.slice(0, p.length - path.extname(p).length);

/** A folder of recordings or a manifest (.json with a "sessions" list). */
export function loadLibrary(source: string, defaults: SessionDefaults): Library {
  if (!fs.existsSync(source)) throw new CiError(`no such folder or manifest: ${source}`);
  return fs.statSync(source).isDirectory() ? folderLibrary(source, defaults) : manifestLibrary(source, defaults);
}

function folderLibrary(dir: string, defaults: SessionDefaults): Library {
  if (defaults.golden_dir === undefined) throw new CiError('--golden <dir> is required with a folder of recordings');
  const golden_dir = defaults.golden_dir;
  const files = listFixtures([dir]);
  const sessions = files.map((file) => spec(stripExt(toPosix(path.relative(dir, file))), file, golden_dir, defaults.rate_hz, defaults.seed));
  return { sessions: checkUnique(sessions, dir), golden_dir };
}

function manifestLibrary(file: string, defaults: SessionDefaults): Library {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CiError(`${file}: not a JSON manifest (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { sessions?: unknown }).sessions)) {
    throw new CiError(`${file}: a manifest is a JSON object with a "sessions" list (a folder of recordings works too)`);
  }
  const m = doc as Record<string, unknown>;
  checkKeys(m, MANIFEST_KEYS, file);
  const base = path.dirname(file);
  const golden_dir = defaults.golden_dir ?? (typeof m.golden_dir === 'string' ? path.join(base, m.golden_dir) : undefined);
  if (golden_dir === undefined) throw new CiError(`${file}: no "golden_dir" in the manifest and no --golden <dir>`);
  const rate_hz = m.rate_hz === undefined ? defaults.rate_hz : rate(m.rate_hz, `${file}: rate_hz`);
  const seed = m.seed === undefined ? defaults.seed : seedOf(m.seed, `${file}: seed`);
  const base_config = m.config === undefined ? undefined : configOf(m.config, file);
  if (m.rate_hz !== undefined && base_config?.sample_rate_hz !== undefined && base_config.sample_rate_hz !== m.rate_hz) {
    throw new CiError(`${file}: rate_hz ${String(m.rate_hz)} and config.sample_rate_hz ${base_config.sample_rate_hz} differ (give one)`);
  }
  const sessions = (m.sessions as unknown[]).map((entry, i) => {
    const where = `${file}: sessions[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new CiError(`${where} must be an object {recording, id?, rate_hz?, seed?, config?}`);
    const e = entry as Record<string, unknown>;
    checkKeys(e, SESSION_KEYS, where);
    if (typeof e.recording !== 'string' || e.recording === '') throw new CiError(`${where}: "recording" must be a path`);
    const recording = path.join(base, e.recording);
    if (!fs.existsSync(recording) || fs.statSync(recording).isDirectory()) throw new CiError(`${where}: no such recording ${recording}`);
    const id = e.id === undefined ? stripExt(toPosix(path.normalize(e.recording))) : idOf(e.id, where);
    const named = `${where} (${id})`;
    const config = mergeReplayConfig(base_config, e.config === undefined ? undefined : configOf(e.config, named));
    const session_rate = e.rate_hz === undefined ? undefined : rate(e.rate_hz, `${where}: rate_hz`);
    // The configured sample rate is the rate the ring samples the session at.
    const config_rate = config?.sample_rate_hz;
    if (config_rate !== undefined && session_rate !== undefined && config_rate !== session_rate) {
      throw new CiError(`${named}: rate_hz ${session_rate} and config.sample_rate_hz ${config_rate} differ (give one)`);
    }
    const s = spec(id, recording, golden_dir, session_rate ?? config_rate ?? rate_hz, e.seed === undefined ? seed : seedOf(e.seed, `${where}: seed`));
    return config === undefined ? s : { ...s, config };
  });
  return { sessions: checkUnique(sessions, file), golden_dir };
}

function spec(id: string, recording: string, golden_dir: string, rate_hz: number, seed: number): SessionSpec {
  if (id.startsWith('../') || id.startsWith('/')) throw new CiError(`session id ${id} leaves the golden folder; give it an "id"`);
  return { id, recording, golden: goldenPath(golden_dir, id), rate_hz, seed, size_bytes: fs.statSync(recording).size };
}

export function goldenPath(golden_dir: string, id: string): string {
  return path.join(golden_dir, ...id.split('/')) + GOLDEN_EXT;
}

/** Ids of the golden files under a folder (none when it does not exist yet). */
export function listGoldenIds(golden_dir: string): string[] {
  if (!fs.existsSync(golden_dir)) return [];
  const ids: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(GOLDEN_EXT)) ids.push(toPosix(path.relative(golden_dir, full)).slice(0, -GOLDEN_EXT.length));
      if (ids.length > GOLDEN_FILES_MAX) throw new CiError(`${golden_dir}: more than ${GOLDEN_FILES_MAX} golden files`);
    }
  };
  walk(golden_dir);
  return ids;
}

function checkUnique(sessions: SessionSpec[], where: string): SessionSpec[] {
  const seen = new Map<string, string>();
  for (const s of sessions) {
    const other = seen.get(s.id);
    if (other !== undefined) throw new CiError(`${where}: ${other} and ${s.recording} are both session ${s.id} (one golden each: rename one or give an "id")`);
    seen.set(s.id, s.recording);
  }
  return [...sessions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new CiError(`${where}: unknown key "${k}" (expected ${allowed.join(', ')})`);
}

function rate(v: unknown, where: string): number {
  if (typeof v !== 'number' || !RATES_HZ.includes(v)) throw new CiError(`${where} must be one of ${RATES_HZ.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

function configOf(v: unknown, where: string): ReplayConfig {
  try {
    return parseReplayConfig(v, where);
  } catch (err) {
    if (err instanceof ConfigError) throw new CiError(err.message);
    throw err;
  }
}

function seedOf(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CiError(`${where} must be an integer in 0..4294967295, got ${JSON.stringify(v)}`);
  return v;
}

function idOf(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(v) || v.split('/').some((p) => p === '..' || p === '.')) {
    throw new CiError(`${where}: "id" must be a relative name of letters, digits, . _ - and /, got ${JSON.stringify(v)}`);
  }
  return v;
}
