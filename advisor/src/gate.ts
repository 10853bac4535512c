// Whether the advisor may propose to a roaster now: never a second open proposal, not while it backs off
// after a person rejected one, never while the roaster's stop latch holds. Pure.
import type { Hold } from './metrics.ts';

export interface RoasterGate {
  /** The advisor's own proposal to this roaster that has not ended yet. */
  readonly openProposal?: string;
  /** Epoch ms until which the advisor keeps quiet after a rejection. */
  readonly backoffUntilMs?: number;
  /** The roaster's emergency-stop latch is set. */
  readonly latched: boolean;
}

/** Why the advisor holds back, or undefined when it may propose. The latch is checked first: it is safety. */
export function holdOf(gate: RoasterGate, nowMs: number): Hold | undefined {
  if (gate.latched) return 'latched';
  if (gate.openProposal !== undefined) return 'openProposal';
  if (gate.backoffUntilMs !== undefined && nowMs < gate.backoffUntilMs) return 'backingOff';
  return undefined;
}

/** A recommendation overtakes the open proposal when it names another control or level, or none at all. */
export function overtakes(
  open: { readonly control: string; readonly to: number },
  now: { readonly control: string; readonly to: number } | null,
): boolean {
  return now === null || now.control !== open.control || now.to !== open.to;
}
