// Audit records (history kind RECORD_AUDIT, PROTOCOL.md section 11): who paired, was
// granted or revoked, and which requests the ring refused, for the owner to read.

import {
  AUDIT_AUTH_FAILED,
  AUDIT_FACTORY_RESET,
  AUDIT_GRANT,
  AUDIT_PAIR,
  AUDIT_REFUSED,
  AUDIT_REVOKE,
  RECORD_AUDIT,
} from '../../protocol/ids.js';
import { errorName } from '../../protocol/host/errors.js';
import type { HistoryRecord } from './messages.js';

export interface AuditRecord {
  seq: number;
  time_ms: number;
  event: 'pair' | 'grant' | 'revoke' | 'refused' | 'auth-failed' | 'factory-reset' | `event-${number}`;
  /** The host's id, hex (zeros: no host known). */
  host: string;
  /** refused: group, command and the error; grant: role and scopes; auth-failed: the error. */
  group?: number;
  cmd?: number;
  error?: string;
  role?: number;
  scopes?: number;
}

const EVENTS: Record<number, AuditRecord['event']> = {
  [AUDIT_PAIR]: 'pair', [AUDIT_GRANT]: 'grant', [AUDIT_REVOKE]: 'revoke', [AUDIT_REFUSED]: 'refused',
  [AUDIT_AUTH_FAILED]: 'auth-failed', [AUDIT_FACTORY_RESET]: 'factory-reset',
};

/** The audit record a history record is, or null. */
export function auditOf(r: HistoryRecord): AuditRecord | null {
  if (r.type !== 'other' || r.kind !== RECORD_AUDIT || r.fields.length < 5 || !r.fields.every((v) => typeof v === 'number')) return null;
  const [time_ms, event, hi, lo, detail] = r.fields as number[];
  const host = hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
  const out: AuditRecord = { seq: r.seq, time_ms, event: EVENTS[event] ?? `event-${event}`, host };
  if (event === AUDIT_REFUSED) {
    out.group = detail >>> 16;
    out.cmd = (detail >>> 8) & 0xff;
    out.error = errorName(detail & 0xff);
  } else if (event === AUDIT_GRANT || event === AUDIT_PAIR) {
    out.role = event === AUDIT_PAIR ? detail : detail >>> 8;
    if (event === AUDIT_GRANT) out.scopes = detail & 0xff;
  } else if (event === AUDIT_AUTH_FAILED) {
    out.error = errorName(detail);
  }
  return out;
}
