// Defaults the CLI shows in --help without loading the BlueZ bindings.

/** How long to look for a ring before giving up, ms. */
export const SCAN_TIMEOUT_MS_DEFAULT = 10_000;
