// The names of a viewer's scopes (PROTOCOL.md section 11.4), as `ring share grant --scope`
// takes them and every command prints them.
import { SCOPE_HR_SUMMARY, SCOPE_HRV_SUMMARY, SCOPE_SLEEP_SUMMARY, SCOPE_STRESS_SUMMARY } from '../../protocol/ids.js';

export const SCOPE_NAMES: Readonly<Record<string, number>> = {
  'hr-summary': SCOPE_HR_SUMMARY,
  'hrv-summary': SCOPE_HRV_SUMMARY,
  'sleep-summary': SCOPE_SLEEP_SUMMARY,
  'stress-summary': SCOPE_STRESS_SUMMARY,
};

/** The names of the bits set in a scope mask, in the table's order. */
export function scopeNames(bits: number): string[] {
  return Object.entries(SCOPE_NAMES).filter(([, b]) => (bits & b) !== 0).map(([n]) => n);
}
