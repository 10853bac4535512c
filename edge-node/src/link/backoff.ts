// Reconnect delays: exponential, with jitter, so the edges that lost the gateway together (a leader
// change, an operator restart) do not all come back in the same instant.

export type Backoff = { readonly initialMs: number; readonly maxMs: number };

/**
 * The wait after `failures` attempts in a row that did not reach a welcome: a uniform draw between half and
 * all of min(maxMs, initialMs · 2^failures).
 */
export function backoffDelay(backoff: Backoff, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** failures);
  return ceiling / 2 + random() * (ceiling / 2);
}
