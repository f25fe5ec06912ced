// Partition map of the ring's 1 MB internal flash (nRF52840 class: 256 sectors of 4 KB).
// The boot stage and the image slots belong to firmware updates; the log to firmware/store.
//
//   0x00000  24 KB  boot stage (the native loader: verifies and starts a slot)
//   0x06000   8 KB  auth state (firmware/auth/auth-store.ts: ring secret, paired hosts; two sectors)
//   0x08000 224 KB  image slot A (primary: the running firmware)
//   0x40000 224 KB  image slot B (secondary: an upload lands here)
//   0x78000  32 KB  update state (slot trailers: test / confirmed / security counter)
//   0x80000 512 KB  history log (firmware/store/log-store.ts)

export const FLASH_SIZE_BYTES = 0x100000;
export const FLASH_SECTOR_BYTES = 4096;

export const PART_BOOT_ADDR = 0x00000;
export const PART_BOOT_BYTES = 0x06000;
export const PART_AUTH_ADDR = 0x06000;
export const PART_AUTH_BYTES = 0x02000;
export const PART_SLOT_A_ADDR = 0x08000;
export const PART_SLOT_B_ADDR = 0x40000;
export const PART_SLOT_BYTES = 0x38000;
export const PART_UPDATE_STATE_ADDR = 0x78000;
export const PART_UPDATE_STATE_BYTES = 0x08000;
export const PART_LOG_ADDR = 0x80000;
export const PART_LOG_BYTES = 0x80000;
