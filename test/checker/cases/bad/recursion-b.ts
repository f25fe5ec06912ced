// Mutual recursion across modules (with recursion-a.ts), through a namespace import.
import * as a from "./recursion-a.js";

export function pong(n: number): number {
  return a.ping(n - 1) + 1; // expect: no-recursion
}
