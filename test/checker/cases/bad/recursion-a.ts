// Mutual recursion across modules (with recursion-b.ts).
import { pong } from "./recursion-b.js";

export function ping(n: number): number {
  if (n <= 0) return 0;
  return pong(n - 1); // expect: no-recursion
}
