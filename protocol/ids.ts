// The wire protocol's single source of truth: version, ops, groups, commands, error
// codes and limits. Firmware (in the subset) and host both import this file, so it holds
// integer and string constants only, plus the load-time checks at the bottom.
// The written spec is protocol/PROTOCOL.md; a change here is a change there.
//
// Frame layout (SMP, see PROTOCOL.md section 2): 8-byte big-endian header
//   byte 0 = reserved(3b) | version(2b) | op(3b); byte 1 flags; bytes 2-3 body length;
//   bytes 4-5 group; byte 6 sequence; byte 7 command; then a CBOR body.

// ---------------------------------------------------------------------------------------
// Version, ops, flags

/** Header version field (2 bits). 1 = this spec; the SMP "version 2" header value. */
export const PROTOCOL_VERSION = 1;
export const PROTOCOL_VERSION_MAX = 3; // the field is 2 bits wide

/** SMP operations (3 bits). Requests are even, their responses are request + 1. */
export const OP_READ = 0;
export const OP_READ_RSP = 1;
export const OP_WRITE = 2;
export const OP_WRITE_RSP = 3;
export const OP_MAX = 3; // 4..7 are reserved and rejected with ERR_BAD_OP
export const OP_FIELD_MAX = 7; // the field is 3 bits wide

/** Header flags (byte 1). Unknown bits are rejected with ERR_BAD_FRAME. */
export const FLAG_UNSOLICITED = 0x01; // device-initiated frame (stream data), not a response
export const FLAGS_KNOWN = 0x01;

// ---------------------------------------------------------------------------------------
// Groups (bytes 4-5). SMP reserves 0..63 for its standard groups; 64+ are application groups.

export const GROUP_SMP_OS = 0; // reserved: SMP OS management, not implemented in v1
export const GROUP_SMP_IMAGE = 1; // reserved: SMP image management (firmware update), later
export const GROUP_APP_FIRST = 64;
export const GROUP_DEVICE = 64; // device information
export const GROUP_TIME = 65; // wall-clock time
export const GROUP_CONFIG = 66; // measurement configuration
export const GROUP_STREAM = 67; // live data subscriptions and their notifications
export const GROUP_HISTORY = 68; // stored records, paged by sequence number
export const GROUP_BATTERY = 69; // battery state
export const GROUP_AUTH = 70; // pairing, sessions, sharing (section 11)
export const GROUP_APP_LAST = 70;

// ---------------------------------------------------------------------------------------
// Commands (byte 7), per group. The op says get (read) or set (write).

export const CMD_DEVICE_INFO = 0; // read

export const CMD_TIME = 0; // read = get, write = set

export const CMD_CONFIG = 0; // read = get, write = set (partial, atomic)

export const CMD_STREAM_SUBSCRIBE = 0; // write
export const CMD_STREAM_UNSUBSCRIBE = 1; // write
export const CMD_STREAM_STATUS = 2; // read
/** Stream notifications: op read-rsp, FLAG_UNSOLICITED, device-owned sequence. */
export const CMD_STREAM_BEATS = 16;
export const CMD_STREAM_HR = 17;
export const CMD_STREAM_HRV = 18;
export const CMD_STREAM_PPG = 19;

export const CMD_HISTORY_READ = 0; // read
export const CMD_HISTORY_ERASE = 1; // write, privileged: erases the whole log

export const CMD_BATTERY = 0; // read

// Image management (firmware update, PROTOCOL.md section 8.7), in SMP's image group.
export const GROUP_IMAGE = GROUP_SMP_IMAGE;
export const CMD_IMAGE_STATE = 0; // read: slots, update state, upload progress
export const CMD_IMAGE_UPLOAD = 1; // write, privileged: one chunk at an offset
export const CMD_IMAGE_BEGIN = 2; // write, privileged: start or resume an upload (erases, with progress)
export const CMD_IMAGE_TEST = 3; // write, privileged: boot the uploaded image on trial at the next reset
export const CMD_IMAGE_CONFIRM = 4; // write, privileged: keep the image running on trial
export const CMD_IMAGE_REVERT = 5; // write, privileged: end the trial, back to the confirmed image
export const CMD_IMAGE_RESET = 6; // write, privileged: reset the ring after the response
/** Slot sectors a begin request erases at most (bounds its time: 4 x 85 ms on nRF52840). */
export const IMAGE_ERASE_SECTORS_PER_REQ = 4;

/**
 * Privileged commands, (group << 8) | command: they change or destroy what the ring holds,
 * or who may read it. On a ring with an owner they need the owner's session (section 11);
 * request_privileged adds the write ops of commands whose read is not privileged.
 */
export const PRIVILEGED_COMMAND_COUNT = 10;
export function command_privileged(group: number, cmd: number): boolean {
  const key = (group << 8) | cmd;
  if (group === GROUP_IMAGE) return cmd >= CMD_IMAGE_UPLOAD && cmd <= CMD_IMAGE_RESET;
  if (group === GROUP_AUTH) return cmd === CMD_AUTH_GRANT || cmd === CMD_AUTH_REVOKE || cmd === CMD_AUTH_FACTORY_RESET;
  return key === ((GROUP_HISTORY << 8) | CMD_HISTORY_ERASE);
}

/** Stream kinds, a bitmask in subscribe/unsubscribe/status bodies. */
export const STREAM_BEATS = 0x01;
export const STREAM_HR = 0x02;
export const STREAM_HRV = 0x04;
export const STREAM_PPG = 0x08;
export const STREAM_ALL = 0x0f;

/** History record kinds (same numbers as firmware/output.ts OUT_KIND_*). */
export const RECORD_BEAT = 1;
export const RECORD_HR = 2;
export const RECORD_HRV = 3;
export const RECORD_STATUS = 4;
export const RECORD_KIND_MAX = 4;

/** Device capability bits (device info "caps"). */
export const CAP_STREAM_BEATS = 0x0001;
export const CAP_STREAM_HR = 0x0002;
export const CAP_STREAM_HRV = 0x0004;
export const CAP_STREAM_PPG = 0x0008;
export const CAP_HISTORY = 0x0010;
export const CAP_TIME_SET = 0x0020;
export const CAP_HRS = 0x0040; // standard Heart Rate Service
export const CAP_BATTERY = 0x0080;
export const CAP_KNOWN = 0x00ff;

// ---------------------------------------------------------------------------------------
// Error codes (rc). On the wire rc is a positive uint in an error response body
// {"rc": rc, ...}; device functions return -rc. 0 is success. Names and descriptions for
// humans live in protocol/host/errors.ts (a test checks every code here has one).

export const ERR_OK = 0;
export const ERR_UNKNOWN = 1; // unexpected failure with no better code
export const ERR_NO_MEMORY = 2; // a fixed pool, queue or buffer is exhausted
export const ERR_BAD_FRAME = 3; // header malformed: short, reserved bits, unknown flags, length mismatch
export const ERR_BAD_VERSION = 4; // header version is not PROTOCOL_VERSION
export const ERR_BAD_OP = 5; // op 4..7, a response op sent as a request, or an op the command lacks
export const ERR_UNKNOWN_GROUP = 6;
export const ERR_UNKNOWN_COMMAND = 7;
export const ERR_TOO_LARGE = 8; // beyond a limit or a buffer: frame, fragment, string, output
export const ERR_MISSING_FIELD = 9; // a required map key is absent
export const ERR_BAD_VALUE = 10; // right type, value out of range or not allowed
export const ERR_BAD_TYPE = 11; // a field or body has the wrong CBOR type
export const ERR_UNKNOWN_FIELD = 12; // a request map has a key the command does not define
export const ERR_BUSY = 13; // the request conflicts with work in progress; retry later
export const ERR_TIMEOUT = 14; // a partial frame went stale during reassembly
export const ERR_INTERLEAVED = 15; // fragment boundaries disagree with the frame's declared length
export const ERR_NOT_SUPPORTED = 16; // known command, but this op or capability is absent
// Image management (section 8.7): 24..28.
export const ERR_IMAGE_STATE = 24; // the command does not fit the update state (no upload, incomplete, other hash, not on trial)
export const ERR_IMAGE_INVALID = 25; // the uploaded image's header is malformed or disagrees with its size
export const ERR_IMAGE_TARGET = 26; // the image is built for another target
export const ERR_IMAGE_DOWNGRADE = 27; // security counter below the ring's minimum
export const ERR_FLASH = 28; // a flash operation failed
// CBOR decoding (device codec, protocol/device/cbor.ts)
export const ERR_BAD_CBOR = 32; // not well-formed: stray break, ai 31 on major 0/1, duplicate key
export const ERR_CBOR_TRUNCATED = 33; // input ends inside an item
export const ERR_CBOR_RESERVED = 34; // additional information 28..30
export const ERR_CBOR_INDEFINITE = 35; // indefinite-length string, array or map
export const ERR_CBOR_TAG = 36; // major type 6 (tags, including bignums)
export const ERR_CBOR_FLOAT = 37; // half, single or double float
export const ERR_CBOR_SIMPLE = 38; // simple value other than false/true/null (undefined too)
export const ERR_CBOR_INT_RANGE = 39; // integer outside -(2^53-1) .. 2^53-1
export const ERR_CBOR_DEPTH = 40; // containers nested deeper than CBOR_DEPTH_MAX
export const ERR_CBOR_TRAILING = 41; // bytes left after the body's one top-level item
export const ERR_CODE_MAX = 41;

// ---------------------------------------------------------------------------------------
// Pairing, sessions and consent-scoped sharing (PROTOCOL.md section 11)

export const CMD_AUTH_PAIR = 0; // write: become an owner (pairing window only)
export const CMD_AUTH_SESSION = 1; // write: open a session (one round trip)
export const CMD_AUTH_STATUS = 2; // read, public: owned, pairing window, this connection's session
export const CMD_AUTH_GRANT = 3; // write, privileged: add or change a host, its role and scopes
export const CMD_AUTH_REVOKE = 4; // write, privileged: a host's key stops working
export const CMD_AUTH_LIST = 5; // read, owner: the host table
export const CMD_AUTH_FACTORY_RESET = 6; // write, privileged: forget every host and the log; pairing window opens

/** The write ops of these commands are privileged too (their reads are not). */
export function request_privileged(group: number, cmd: number, op: number): boolean {
  if (command_privileged(group, cmd)) return true;
  if (op !== OP_WRITE) return false;
  return (group === GROUP_TIME && cmd === CMD_TIME) || (group === GROUP_CONFIG && cmd === CMD_CONFIG);
}

/** Roles of a paired host. */
export const ROLE_OWNER = 1; // everything, including grant / revoke
export const ROLE_VIEWER = 2; // reads within its scopes, time range and expiry
/** Scopes of a viewer, a bitmask. */
export const SCOPE_HR_SUMMARY = 0x01; // heart-rate records (history kind 2, stream hr)
export const SCOPE_HRV_SUMMARY = 0x02; // HRV windows (history kind 3, stream hrv)
export const SCOPE_SLEEP_SUMMARY = 0x04; // rest and sleep periods, interruptions (history kinds 16, 17)
export const SCOPE_STRESS_SUMMARY = 0x08; // stress episodes and the 15-minute stress level (history kinds 18, 19)
export const SCOPE_ALL = 0x0f;

/** Sizes of identifiers, nonces, keys and MACs on the wire. */
export const AUTH_HOST_ID_BYTES = 8;
export const AUTH_RING_ID_BYTES = 8;
export const AUTH_NONCE_BYTES = 16;
export const AUTH_KEY_BYTES = 32;
export const AUTH_MAC_BYTES = 16; // HMAC-SHA256 truncated (RFC 2104 section 5: at least half)
/** Paired hosts the ring holds at most (owner included). */
export const AUTH_HOSTS_MAX = 8;
/** Failed authentications before the ring refuses AUTH for a while, and that while. */
export const AUTH_FAILS_FREE = 3;
export const AUTH_BACKOFF_MS_BASE = 1000; // doubles per failure beyond the free ones
export const AUTH_BACKOFF_MS_MAX = 600000;
/** Device clock "never" for grant times: 2100-01-01. */
export const AUTH_TIME_MAX_MS = 4102444800000;
/** MAC input labels: the first byte says the direction, so no frame is valid both ways. */
export const AUTH_DIR_HOST_TO_RING = 0x51;
export const AUTH_DIR_RING_TO_HOST = 0x52;

/** History record kind of audit records: pair, grant, revoke, refused requests. */
export const RECORD_AUDIT = 20;
export const AUDIT_PAIR = 1;
export const AUDIT_GRANT = 2;
export const AUDIT_REVOKE = 3;
export const AUDIT_REFUSED = 4; // detail: (group << 16) | (cmd << 8) | rc
export const AUDIT_AUTH_FAILED = 5; // detail: rc
export const AUDIT_FACTORY_RESET = 6;

export const ERR_AUTH_REQUIRED = 17; // the ring has an owner: this request needs a session
export const ERR_NOT_PERMITTED = 18; // the session's role or scopes do not allow it
export const ERR_AUTH_FAILED = 19; // unknown host, or a session proof that does not verify
export const ERR_REPLAY = 20; // a counter not above the last one accepted
export const ERR_BAD_MAC = 21; // the MAC does not verify over this header and body
export const ERR_RATE_LIMITED = 22; // too many failures: retry after the back-off
export const ERR_PAIRING_CLOSED = 23; // pairing outside the window (owned and off the charger)
export const ERR_REVOKED = 29; // the host's access was revoked
export const ERR_EXPIRED = 30; // the host's grant has expired

// ---------------------------------------------------------------------------------------
// Limits

export const FRAME_HEADER_SIZE = 8;
/** Largest frame (header + body) either side sends or accepts: one 1 KiB reassembly buffer. */
export const FRAME_SIZE_MAX = 1024;
export const FRAME_BODY_MAX = 1016; // FRAME_SIZE_MAX - FRAME_HEADER_SIZE
export const FRAME_LENGTH_FIELD_MAX = 0xffff; // the body length field is 16 bits
/** Receive buffers the device holds: how many requests a host may have in flight. */
export const RX_BUFFER_COUNT = 2;

/** ATT MTU range (Bluetooth Core: 23 is the default and minimum, 517 the largest useful). */
export const ATT_MTU_MIN = 23;
export const ATT_MTU_MAX = 517;
export const ATT_HEADER_SIZE = 3; // opcode + handle: a write/notification carries MTU - 3
export const FRAGMENT_PAYLOAD_MIN = 20; // ATT_MTU_MIN - ATT_HEADER_SIZE
export const FRAGMENT_PAYLOAD_MAX = 514; // ATT_MTU_MAX - ATT_HEADER_SIZE
/** Most fragments one frame needs: ceil(FRAME_SIZE_MAX / FRAGMENT_PAYLOAD_MIN). */
export const FRAGMENTS_PER_FRAME_MAX = 52;
/** A partial frame with no new fragment for longer than this is dropped (ERR_TIMEOUT). */
export const REASM_TIMEOUT_MS = 5000;
export const BLE_CONN_INTERVAL_MAX_MS = 4000; // Bluetooth Core: 4 s is the longest interval

/** CBOR: containers nested deeper than this are rejected (a top-level map is depth 1). */
export const CBOR_DEPTH_MAX = 8;
/** CBOR: longest text string the device decodes, in bytes (keys, names, versions). */
export const CBOR_TEXT_MAX = 64;
/** CBOR: longest byte string the device decodes, in bytes. */
export const CBOR_BYTES_MAX = 1016; // = FRAME_BODY_MAX
/** Largest integer magnitude the codecs carry: 2^53 - 1, exact in an IEEE double. */
export const CBOR_INT_MAX = 9007199254740991;

/** Message-level bounds (PROTOCOL.md section 6). */
export const FW_VERSION_LEN_MAX = 32;
export const BUILD_HASH_LEN_MIN = 4;
export const BUILD_HASH_LEN_MAX = 32;
export const HISTORY_PAGE_RECORDS_MAX = 64;
export const PPG_BATCH_SAMPLES_MAX = 128;
export const PPG_SAMPLE_SIZE = 4; // int32 little-endian in the "samples" byte string
/** Time set accepts 2020-01-01T00:00:00Z .. 2100-01-01T00:00:00Z, ms since the Unix epoch. */
export const TIME_EPOCH_MS_MIN = 1577836800000;
export const TIME_EPOCH_MS_MAX = 4102444800000;
export const DRIFT_PPM_X10_LIMIT = 10000000; // drift estimates are clamped to +-1e6 ppm
/** Time set by adjustment (8.2, "adjust_ms"): how far one set may move the clock, either way. */
export const TIME_ADJUST_MS_MAX = 4102444800000; // = TIME_EPOCH_MS_MAX: from uptime to any valid UTC

/** Config value sets and ranges. */
export const SAMPLE_RATE_HZ_25 = 25;
export const SAMPLE_RATE_HZ_50 = 50;
export const SAMPLE_RATE_HZ_100 = 100;
export const SAMPLE_RATE_HZ_DEFAULT = 25;
export const HRV_SHORT_S_MIN = 30;
export const HRV_SHORT_S_MAX = 120;
export const HRV_SHORT_S_DEFAULT = 60;
export const HRV_LONG_S_MIN = 120;
export const HRV_LONG_S_MAX = 300; // the ring keeps 300 s of intervals at 220 bpm
export const HRV_LONG_S_DEFAULT = 300;
export const HRV_WINDOW_STEP_S = 30; // window lengths are multiples of 30 s
export const PPG_DECIMATION_MIN = 1;
export const PPG_DECIMATION_MAX = 4;
export const PPG_BATCH_MIN = 1;
export const HR_PERIOD_S_MAX = 60; // 0 = one HR notification per beat
export const BATTERY_MV_MAX = 5000;

// ---------------------------------------------------------------------------------------
// GATT (PROTOCOL.md section 8). 16-bit SIG assigned numbers and our 128-bit UUIDs.

export const RING_SERVICE_UUID = '7a3e0001-5b1c-4c6e-9d2f-52494e475349';
export const RING_FRAME_CHAR_UUID = '7a3e0002-5b1c-4c6e-9d2f-52494e475349';
export const UUID16_HEART_RATE_SERVICE = 0x180d;
export const UUID16_HEART_RATE_MEASUREMENT = 0x2a37;
export const UUID16_BODY_SENSOR_LOCATION = 0x2a38;
export const UUID16_BATTERY_SERVICE = 0x180f;
export const UUID16_BATTERY_LEVEL = 0x2a19;
export const UUID16_DEVICE_INFORMATION_SERVICE = 0x180a;
export const UUID16_MODEL_NUMBER = 0x2a24;
export const UUID16_SERIAL_NUMBER = 0x2a25;
export const UUID16_FIRMWARE_REVISION = 0x2a26;
export const UUID16_HARDWARE_REVISION = 0x2a27;
export const UUID16_SOFTWARE_REVISION = 0x2a28;
export const UUID16_MANUFACTURER_NAME = 0x2a29;
export const BODY_SENSOR_LOCATION_FINGER = 3;

/** Heart Rate Measurement (0x2A37) flags byte. */
export const HRM_FLAG_HR_U16 = 0x01;
export const HRM_FLAG_CONTACT_DETECTED = 0x02;
export const HRM_FLAG_CONTACT_SUPPORTED = 0x04;
export const HRM_FLAG_ENERGY_PRESENT = 0x08;
export const HRM_FLAG_RR_PRESENT = 0x10;
export const HRM_RR_UNITS_PER_S = 1024; // RR-intervals are in 1/1024 s
export const HRM_RR_MS_MAX = 63999; // largest interval whose 1/1024 s value fits u16
export const HRM_ENERGY_KJ_MAX = 65535;

// ---------------------------------------------------------------------------------------
// Relations between the constants above, checked once at load. A failure is a build bug,
// so it throws at boot and never at run time.

function assert_const(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error('protocol/ids.ts constant check failed: ' + what);
  }
}

assert_const(PROTOCOL_VERSION >= 0 && PROTOCOL_VERSION <= PROTOCOL_VERSION_MAX, 'version fits 2 bits');
assert_const(OP_READ_RSP === OP_READ + 1 && OP_WRITE_RSP === OP_WRITE + 1, 'response op = request op + 1');
assert_const(OP_MAX < OP_FIELD_MAX && OP_WRITE_RSP === OP_MAX, 'ops fit 3 bits');
assert_const((FLAGS_KNOWN & 0xff) === FLAGS_KNOWN && (FLAG_UNSOLICITED & FLAGS_KNOWN) !== 0, 'flags fit byte 1');
assert_const(GROUP_APP_FIRST === 64 && GROUP_DEVICE >= GROUP_APP_FIRST, 'application groups start at 64');
assert_const(GROUP_AUTH === GROUP_APP_LAST && GROUP_APP_LAST <= 0xffff, 'groups fit 16 bits');
assert_const(CMD_STREAM_PPG <= 0xff && CMD_STREAM_BEATS > CMD_STREAM_STATUS, 'commands fit a byte');
assert_const(STREAM_ALL === (STREAM_BEATS | STREAM_HR | STREAM_HRV | STREAM_PPG), 'stream mask');
assert_const(CAP_KNOWN === 0xff, 'capability mask');
assert_const(ERR_CODE_MAX === ERR_CBOR_TRAILING && ERR_CODE_MAX < 128, 'error codes fit a small uint');
assert_const(FRAME_BODY_MAX === FRAME_SIZE_MAX - FRAME_HEADER_SIZE, 'body max = frame max - header');
assert_const(FRAME_BODY_MAX <= FRAME_LENGTH_FIELD_MAX, 'body max fits the length field');
assert_const(FRAGMENT_PAYLOAD_MIN === ATT_MTU_MIN - ATT_HEADER_SIZE, 'fragment payload min');
assert_const(FRAGMENT_PAYLOAD_MAX === ATT_MTU_MAX - ATT_HEADER_SIZE, 'fragment payload max');
assert_const(FRAGMENT_PAYLOAD_MIN >= FRAME_HEADER_SIZE, 'a whole header fits in the first fragment');
assert_const(
  FRAGMENTS_PER_FRAME_MAX === Math.floor((FRAME_SIZE_MAX + FRAGMENT_PAYLOAD_MIN - 1) / FRAGMENT_PAYLOAD_MIN),
  'fragments per frame',
);
assert_const(REASM_TIMEOUT_MS > BLE_CONN_INTERVAL_MAX_MS, 'reassembly outlasts the longest connection interval');
assert_const(REASM_TIMEOUT_MS < 0x40000000, 'timeouts are measured in wrapping int32 ms');
assert_const(CBOR_DEPTH_MAX >= 3 && CBOR_DEPTH_MAX <= 16, 'depth: bodies nest map > array > record');
assert_const(CBOR_TEXT_MAX <= CBOR_BYTES_MAX && CBOR_BYTES_MAX === FRAME_BODY_MAX, 'string limits');
assert_const(CBOR_INT_MAX === 0x1fffff * 4294967296 + 0xffffffff, 'CBOR_INT_MAX = 2^53 - 1');
assert_const(FW_VERSION_LEN_MAX <= CBOR_TEXT_MAX, 'fw version is a decodable text');
assert_const(BUILD_HASH_LEN_MIN <= BUILD_HASH_LEN_MAX && BUILD_HASH_LEN_MAX <= CBOR_BYTES_MAX, 'build hash');
// A PPG notification: header, map with seven small fields (< 64 bytes), samples.
assert_const(PPG_BATCH_SAMPLES_MAX * PPG_SAMPLE_SIZE + 64 <= FRAME_BODY_MAX, 'a PPG batch fits one frame');
assert_const(HISTORY_PAGE_RECORDS_MAX <= 255, 'page size fits a one-byte CBOR uint');
assert_const(TIME_EPOCH_MS_MIN < TIME_EPOCH_MS_MAX && TIME_EPOCH_MS_MAX < CBOR_INT_MAX, 'time range');
assert_const(
  SAMPLE_RATE_HZ_25 < SAMPLE_RATE_HZ_50 && SAMPLE_RATE_HZ_50 < SAMPLE_RATE_HZ_100 &&
    SAMPLE_RATE_HZ_DEFAULT === SAMPLE_RATE_HZ_25,
  'sample rates',
);
assert_const(
  HRV_SHORT_S_MIN <= HRV_SHORT_S_DEFAULT && HRV_SHORT_S_DEFAULT <= HRV_SHORT_S_MAX &&
    HRV_SHORT_S_MAX <= HRV_LONG_S_MIN && HRV_LONG_S_MIN <= HRV_LONG_S_DEFAULT &&
    HRV_LONG_S_DEFAULT <= HRV_LONG_S_MAX,
  'HRV windows: short <= long, defaults in range',
);
assert_const(
  HRV_SHORT_S_MIN % HRV_WINDOW_STEP_S === 0 && HRV_SHORT_S_DEFAULT % HRV_WINDOW_STEP_S === 0 &&
    HRV_LONG_S_MIN % HRV_WINDOW_STEP_S === 0 && HRV_LONG_S_DEFAULT % HRV_WINDOW_STEP_S === 0 &&
    HRV_SHORT_S_MAX % HRV_WINDOW_STEP_S === 0 && HRV_LONG_S_MAX % HRV_WINDOW_STEP_S === 0,
  'HRV window bounds are multiples of the step',
);
assert_const(PPG_DECIMATION_MIN >= 1 && PPG_BATCH_MIN <= PPG_BATCH_SAMPLES_MAX, 'stream option ranges');
assert_const(
  Math.floor((HRM_RR_MS_MAX * HRM_RR_UNITS_PER_S + 500) / 1000) === 0xffff &&
    Math.floor(((HRM_RR_MS_MAX + 1) * HRM_RR_UNITS_PER_S + 500) / 1000) > 0xffff,
  'HRM_RR_MS_MAX is the largest interval that fits u16 after conversion',
);
// A Heart Rate Measurement at the minimum MTU carries flags, u16 HR, energy and >= 1 RR.
assert_const(1 + 2 + 2 + 2 <= FRAGMENT_PAYLOAD_MIN, 'HRM fits the minimum MTU');

// ---------------------------------------------------------------------------------------
// Wellness summaries (issue 17; PROTOCOL.md section "Wellness records"). History record
// kinds the ring derives from its own signals (firmware/wellness/); a history read returns
// them as [seq, kind, fields...] with times in the ring's ms since boot. Field layouts:
// firmware/wellness/records.ts.
export const RECORD_SLEEP = 16; // a rest or sleep period with its nightly summary
export const RECORD_SLEEP_GAP = 17; // an interruption inside a sleep period
export const RECORD_STRESS = 18; // a daytime stress episode
export const RECORD_STRESS_LEVEL = 19; // the stress indicator over the last 15 minutes
export const RECORD_WELLNESS_FIRST = 16;
export const RECORD_WELLNESS_LAST = 19;
