import type { RoasterSpec } from '@roast-operator/api';
import { type CommandResult, type Instant, toMs } from './inputs.ts';

export type BreakerPolicy = RoasterSpec['circuitBreaker'];

export interface BreakerState {
  readonly open: boolean;
  /** Results inside the window, simulated and replayed ones left out. */
  readonly counted: number;
  /** Of those, commands that failed or whose outcome is unknown. */
  readonly failed: number;
}

/**
 * The circuit breaker over the roaster's recent results. It opens when at least `minCommands` results fall
 * in the window and the share that failed reaches the threshold, and closes again as soon as the share falls
 * below it (failures leave the window or successes dilute them): no hysteresis, so the state is a pure
 * function of the window. An Unknown outcome counts as a failure: the link was lost after sending, which
 * is what the breaker guards against.
 */
export function evaluateBreaker(
  policy: BreakerPolicy,
  results: readonly CommandResult[],
  now: Instant,
): BreakerState {
  const t = toMs(now);
  const windowMs = policy.windowSeconds * 1000;
  const counted = results.filter((r) => !r.simulated && t - toMs(r.at) < windowMs);
  const failed = counted.filter((r) => r.outcome !== 'Succeeded').length;
  const open = counted.length >= policy.minCommands && failed / counted.length >= policy.failureRateThreshold;
  return { open, counted: counted.length, failed };
}

export function breakerReason(state: BreakerState, policy: BreakerPolicy): string {
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  return `The circuit breaker is open: ${state.failed} of the last ${state.counted} commands within ${policy.windowSeconds} s failed or ended unknown (${percent(state.failed / state.counted)}, threshold ${percent(policy.failureRateThreshold)}), so autonomy is at most ${policy.degradeTo} until fewer fail.`;
}
