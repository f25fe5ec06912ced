// A file that does not parse is reported, not skipped.
export const OK = 1;
export const BROKEN = ; // expect: syntax-error
