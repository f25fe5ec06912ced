// Bad input to `ring ci`: a missing folder, a malformed manifest or shard result. The CLI
// prints it as one line and exits 2.

export class CiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CiError';
  }
}
