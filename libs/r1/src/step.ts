import type { R1Command } from './commands.ts';
import { isLevel, type R1Control, R1Ranges } from './model.ts';

// The R1 reaches a heater or fan level only by ±1 steps and a drum level by one absolute command
// (aillio-bullet-protocol.md §2.1). Artisan queues all the steps at once from one reading (R1:L280-320);
// here each call looks at the latest valid block instead, so a step the roaster dropped, or a knob
// turned on the panel, is corrected on the next cycle rather than overshooting.

export type R1Settings = Readonly<Record<R1Control, number>>;

/** Absolute targets; a control left out is not driven. */
export type R1Targets = Readonly<Partial<Record<R1Control, number>>>;

/**
 * Heat first: when several controls are off target, the heater step goes out first because heat is
 * what a stop or a ceiling needs to shed soonest.
 */
const order = ['heater', 'fan', 'drum'] as const satisfies readonly R1Control[];

/**
 * The one command that moves the roaster from `current` (the levels of a valid status block) toward
 * `targets`, or undefined when every target is reached. Throws a RangeError for a target outside the
 * model's range, which could never be reached.
 */
export function nextStep(current: R1Settings, targets: R1Targets): R1Command | undefined {
  for (const control of order) {
    const target = targets[control];
    if (target === undefined) continue;
    if (!isLevel(control, target)) {
      const { min, max } = R1Ranges[control];
      throw new RangeError(`${control} target ${target} is not in ${min}–${max}`);
    }
    if (target === current[control]) continue;
    if (control === 'drum') return { kind: 'drum', level: target };
    return { kind: control, step: target > current[control] ? 1 : -1 };
  }
  return undefined;
}
