import type { R1StateName } from '@roast-operator/r1';

// Where one press of the PRS button takes an R1, from each state the edge presses it in. The R1 driver
// keeps no state model; Artisan's R1 alarms imply CHARGE → ROASTING → COOLING → SHUTDOWN, and the R2's
// PRS sequence adds OFF → PREHEATING (aillio-bullet-protocol.md §4). A press in any other state is
// refused: its effect is not known well enough to verify.

export const prsTransitions: Readonly<Partial<Record<R1StateName, R1StateName>>> = {
  off: 'preheating',
  charge: 'roasting',
  roasting: 'cooling',
  cooling: 'shutdown',
};

/** The state a press from `from` leads to, or undefined when the edge does not press there. */
export function pressTarget(from: R1StateName): R1StateName | undefined {
  return prsTransitions[from];
}
