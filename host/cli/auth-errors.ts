// The ring's answers about sessions and permissions (PROTOCOL.md section 11) are about what
// the user asked for: `error: ...` and exit 2, never "a bug".
import {
  ERR_AUTH_FAILED,
  ERR_AUTH_REQUIRED,
  ERR_EXPIRED,
  ERR_NOT_PERMITTED,
  ERR_PAIRING_CLOSED,
  ERR_RATE_LIMITED,
  ERR_REVOKED,
} from '../../protocol/ids.js';

export const AUTH_USER_ERROR_CODES: readonly number[] = [
  ERR_AUTH_REQUIRED, ERR_NOT_PERMITTED, ERR_AUTH_FAILED, ERR_RATE_LIMITED, ERR_PAIRING_CLOSED, ERR_REVOKED, ERR_EXPIRED,
];
