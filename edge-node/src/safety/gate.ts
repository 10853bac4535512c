import type { EdgeCommand } from '../commands.ts';
import { pressTarget } from '../presses.ts';
import type { Latch } from './latches.ts';
import { levelRefusal, type SafetyLimits } from './limits.ts';

// What the edge refuses whatever sent it. An emergency stop acts in the safe direction and is never
// refused; a reset is judged against its latch separately.

export type GateContext = {
  readonly now: number;
  readonly connected: boolean;
  readonly linkUp: boolean;
  readonly latches: readonly Latch[];
  readonly limits: SafetyLimits;
};

/** Why `command` may not run now, or undefined when it may. */
export function refusal(command: EdgeCommand, ctx: GateContext): string | undefined {
  if (command.kind === 'emergency-stop' || command.kind === 'reset') return undefined;
  if (!ctx.linkUp) return 'the link is down: the edge holds the current levels and takes no new commands';
  if (ctx.latches.length > 0) return `latched (${ctx.latches.map((l) => `${l.id}: ${l.cause}`).join(', ')})`;
  if (!ctx.connected) return 'no roaster connected';
  if (command.deadline <= ctx.now) return 'the deadline has passed';
  if (command.kind === 'set') return levelRefusal(ctx.limits, command.control, command.target);
  if (pressTarget(command.fromState) === undefined)
    return `the edge does not press PRS from ${command.fromState}`;
  return undefined;
}
