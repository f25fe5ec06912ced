// Progress for multi-record runs: one rewritten line on stderr, only when it is a TTY.

import path from 'node:path';

export class Progress {
  private index = 0;
  private readonly enabled: boolean;

  constructor(private readonly total: number) {
    this.enabled = Boolean(process.stderr.isTTY) && total > 1;
  }

  update(item: string): void {
    this.index++;
    if (!this.enabled) return;
    process.stderr.write(`\r\x1b[K[${this.index}/${this.total}] ${path.basename(item)}`);
  }

  done(): void {
    if (this.enabled) process.stderr.write(`\r\x1b[K${this.total} records done\n`);
  }
}
