import {
  type R1Command,
  type R1Control,
  R1Ranges,
  type R1StateName,
  type R1Targets,
} from '@roast-operator/r1';
import { seconds } from '../durations.ts';
import type { JobOutcome, Reading } from './reading.ts';

// The level commands in progress and the steps on their way. A level command is a target; the driver sends
// one step at a time toward it. A step is not repeated until a block shows it applied, shows the level
// changed some other way, or `stepSettleMs` has passed — so a step whose confirmation was lost, or that the
// roaster applies a moment later, never becomes two. A target ends when a block shows it (succeeded), at
// its deadline, or as soon as it cannot make progress: steps that leave the level where it was (the roaster
// does not take that control in its state: no heater while off, for one), or no valid block to judge by.
// Either way it never holds up the commands behind it for the whole of its deadline.

export const stepTimings = {
  /** A step not seen applied within this time is deemed lost and may be sent again. */
  stepSettleMs: 1000,
  /** This many steps in a row that left the level where it was: the target cannot be reached now. */
  unmovedSteps: 3,
  /** A target with no valid block to judge it by for this long ends: nothing can be said of it. */
  blindMs: 5000,
} as const;

type LevelJob = {
  readonly target: number;
  readonly deadline: number;
  readonly settle: (o: JobOutcome) => void;
  /** Steps in a row that settled without moving the level, and when the first of them went out. */
  unmoved: number;
  unmovedSince: number | undefined;
  /** The latest valid block seen while it ran (its start before any). */
  seenAt: number;
};

/** A step on its way: not repeated until a block shows `to`, shows something else, or it settles. */
type PendingStep = { readonly from: number; readonly to: number; readonly at: number };

export class LevelTargets {
  readonly #jobs = new Map<R1Control, LevelJob>();
  readonly #pending = new Map<R1Control, PendingStep>();

  /** The targets of the level commands in progress. */
  get targets(): R1Targets {
    return Object.fromEntries([...this.#jobs].map(([control, job]) => [control, job.target]));
  }

  /** A new target for `control`; it supersedes the one in progress. */
  add(control: R1Control, target: number, deadline: number, now: number, settle: (o: JobOutcome) => void) {
    this.#jobs.get(control)?.settle({ outcome: 'aborted', message: `superseded by ${control} ${target}` });
    this.#jobs.set(control, { target, deadline, settle, unmoved: 0, unmovedSince: undefined, seenAt: now });
  }

  /** What to step toward now, from `wanted` (the hold's targets or the commands'): minus steps on their way. */
  open(wanted: R1Targets): R1Targets {
    const targets: Partial<Record<R1Control, number>> = { ...wanted };
    for (const control of this.#pending.keys()) delete targets[control];
    return targets;
  }

  /** A valid block: settles the steps it shows, and the targets it shows reached or out of reach. */
  observe(reading: Reading, now: number): void {
    for (const job of this.#jobs.values()) job.seenAt = now;
    for (const [control, step] of this.#pending) {
      const level = reading[control];
      const moved = level !== step.from;
      if (!moved && now - step.at < stepTimings.stepSettleMs) continue;
      this.#pending.delete(control);
      const job = this.#jobs.get(control);
      if (!job) continue;
      job.unmoved = moved ? 0 : job.unmoved + 1;
      job.unmovedSince = moved ? undefined : (job.unmovedSince ?? step.at);
    }
    for (const [control, job] of this.#jobs) {
      if (reading[control] === job.target && !this.#pending.has(control)) {
        this.#finish(control, { outcome: 'succeeded', message: `${control} at ${job.target}` });
      } else if (job.unmoved >= stepTimings.unmovedSteps) {
        this.#finish(control, { outcome: 'failed', message: unmovedMessage(control, job, reading, now) });
      }
    }
  }

  /** Remembered before the write: a write that times out may still have reached the roaster. */
  sent(command: R1Command, latest: Reading | undefined, now: number): void {
    if (!latest) return;
    if (command.kind === 'heater' || command.kind === 'fan') {
      const from = latest[command.kind];
      this.#pending.set(command.kind, { from, to: from + command.step, at: now });
    } else if (command.kind === 'drum') {
      this.#pending.set('drum', { from: latest.drum, to: command.level, at: now });
    }
  }

  /** The heater level the roaster may be at, counting a step on its way. */
  heaterAtMost(latest: Reading): number {
    return Math.max(latest.heater, this.#pending.get('heater')?.to ?? 0);
  }

  /** Heater-down steps went out blind: the blocks that follow tell whether every step landed. */
  sentHeaterDown(latest: Reading, now: number): void {
    this.#pending.set('heater', { from: latest.heater, to: R1Ranges.heater.min, at: now });
  }

  /** Ends the targets past their deadline, and those with no valid block for too long. */
  expire(now: number, latest: Reading | undefined): void {
    for (const [control, job] of this.#jobs) {
      const level = latest?.[control] ?? 'unknown';
      if (job.deadline <= now) {
        this.#finish(control, {
          outcome: 'failed',
          message: `${control} not at ${job.target} by the deadline (at ${level})`,
        });
      } else if (now - job.seenAt >= stepTimings.blindMs) {
        this.#finish(control, {
          outcome: 'failed',
          message: `no valid status block from the roaster for ${seconds(now - job.seenAt)}: ${control} left at ${level}, not ${job.target}`,
        });
      }
    }
  }

  abortAll(message: string): void {
    for (const job of this.#jobs.values()) job.settle({ outcome: 'aborted', message });
    this.#jobs.clear();
  }

  #finish(control: R1Control, outcome: JobOutcome): void {
    const job = this.#jobs.get(control);
    this.#jobs.delete(control);
    job?.settle(outcome);
  }
}

function unmovedMessage(control: R1Control, job: LevelJob, reading: Reading, now: number): string {
  const state: R1StateName | number = reading.state ?? reading.stateCode;
  const over = seconds(now - (job.unmovedSince ?? now));
  return `${control} did not move: ${job.unmoved} steps over ${over} left it at ${reading[control]}, not ${job.target}, while the roaster is ${state}`;
}
