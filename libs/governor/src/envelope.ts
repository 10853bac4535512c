import { actuatorOf, type Command } from '@roast-operator/api';
import { rangeFinding } from './checks.ts';
import { describeCommand, isSetCommand } from './commands.ts';
import type { GovernedRoaster, History } from './inputs.ts';

export interface EnvelopeCheck {
  readonly inside: boolean;
  readonly reason: string;
}

const outside = (reason: string): EnvelopeCheck => ({ inside: false, reason });

/**
 * The small envelope inside which L4 approves an agent's command on its own: one level step of the heater,
 * fan or drum from the level the roaster reports, inside the model's range and the Roaster's limits, while
 * no other approved command to the roaster is unfinished. One step in flight at a time, whatever the
 * actuator: a queued step would make the next one a second step before anyone saw the first act.
 */
export function checkL4Envelope(command: Command, roaster: GovernedRoaster, history: History): EnvelopeCheck {
  if (!isSetCommand(command.type) || command.target === undefined) {
    return outside(
      `${command.type} is not a level step: at L4 only SetHeater, SetFan and SetDrum steps go without a human.`,
    );
  }
  const actuator = actuatorOf[command.type];
  const current = roaster.status?.levels?.[actuator];
  if (current === undefined) {
    return outside(`The roaster has not reported its ${actuator} level, so the size of the step is unknown.`);
  }
  const steps = Math.abs(command.target - current);
  if (steps > 1) {
    return outside(
      `${describeCommand(command)} is ${steps} steps from the current ${actuator} level ${current}; at L4 one step at a time goes without a human.`,
    );
  }
  const range = rangeFinding(command, roaster);
  if (range) return outside(range.reason);
  const pending = history.commands.find((c) => !c.finished);
  if (pending) {
    return outside(
      `${describeCommand(pending.command)} is approved and not finished yet; at L4 one step at a time goes without a human.`,
    );
  }
  return {
    inside: true,
    reason: `${describeCommand(command)} is at most one step from the current ${actuator} level ${current}, inside the limits, with no other command in flight.`,
  };
}
