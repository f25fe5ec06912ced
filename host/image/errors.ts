// Named image errors: every way an image can be refused has its own code, the same on the
// host (ring image verify) and in the boot stage's REJECT records (reason numbers below).

export type ImageErrorCode =
  | 'IMAGE_TRUNCATED'
  | 'IMAGE_BAD_MAGIC'
  | 'IMAGE_BAD_FORMAT'
  | 'IMAGE_BAD_HASH'
  | 'IMAGE_UNSIGNED'
  | 'IMAGE_UNKNOWN_KEY'
  | 'IMAGE_BAD_SIGNATURE'
  | 'IMAGE_WRONG_TARGET'
  | 'IMAGE_DOWNGRADE'
  | 'IMAGE_TOO_LARGE';

/** Reason numbers in the update state's REJECT records (firmware/cmd/image-state.ts). */
export const REJECT_REASONS: readonly ImageErrorCode[] = [
  'IMAGE_TRUNCATED', // 16
  'IMAGE_BAD_MAGIC',
  'IMAGE_BAD_FORMAT',
  'IMAGE_BAD_HASH',
  'IMAGE_UNSIGNED', // 20
  'IMAGE_UNKNOWN_KEY',
  'IMAGE_BAD_SIGNATURE',
  'IMAGE_WRONG_TARGET',
  'IMAGE_DOWNGRADE',
  'IMAGE_TOO_LARGE', // 25
];
export const REJECT_REASON_BASE = 16;

export function rejectReason(code: ImageErrorCode): number {
  return REJECT_REASON_BASE + REJECT_REASONS.indexOf(code);
}

export function rejectCode(reason: number): ImageErrorCode | null {
  return REJECT_REASONS[reason - REJECT_REASON_BASE] ?? null;
}

/** Why a trial ended (the update state's REVERT records). */
export const REVERT_REASON_NAMES: Record<number, string> = {
  1: 'NOT_CONFIRMED', 2: 'REVERT_REQUESTED', 3: 'WATCHDOG', 4: 'FAULT', 5: 'SELF_TEST_FAILED',
};

export class ImageError extends Error {
  constructor(readonly code: ImageErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ImageError';
  }
}
