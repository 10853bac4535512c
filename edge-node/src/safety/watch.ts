import type { R1StateName } from '@roast-operator/r1';
import type { Reading } from '../driver/reading.ts';
import type { SafetyConfig } from './config.ts';
import {
  activeConditions,
  type Condition,
  type InterlockCause,
  isHeating,
  RiseWindow,
} from './interlocks.ts';
import { implausibility, type Temperatures } from './plausibility.ts';

// What the interlocks watch, kept from reading to reading: the last block's state and heater, the last
// believable temperatures and the rise-rate window, why the newest block was not believable, since when the
// roaster has been watched and the link has been down, and whether the first block showed a roast nobody
// accounts for. The agent feeds it readings and link changes; `evaluate` turns it into the conditions
// present now (activeConditions, a pure function of it).

export class InterlockWatch {
  #watchingSince: number | undefined;
  #state: R1StateName | undefined;
  #heater: number | undefined;
  #trusted: Temperatures | undefined;
  #latestIssue: string | undefined;
  readonly #rise: RiseWindow;
  #startCheck: 'pending' | 'roasting-without-session' | 'done' = 'pending';
  #linkDownSince: number | undefined;
  #conditions: Condition[] = [];

  /** No link yet at `now`: the link watchdog counts from the start. */
  constructor(riseWindowSeconds: number, now: number) {
    this.#rise = new RiseWindow(riseWindowSeconds);
    this.#linkDownSince = now;
  }

  /** The conditions found by the latest `evaluate`. */
  get conditions(): readonly Condition[] {
    return this.#conditions;
  }

  get linkIsUp(): boolean {
    return this.#linkDownSince === undefined;
  }

  /** Whether the roaster may be adding heat, by the last block (assumed before any). */
  get heating(): boolean {
    return isHeating(this.#state, this.#heater);
  }

  /** A roaster is connected: staleness counts from its first connection until a reading arrives. */
  watchFrom(now: number): void {
    this.#watchingSince ??= now;
  }

  linkUp(): void {
    this.#linkDownSince = undefined;
  }

  /** True when the link was up until now. */
  linkDown(now: number): boolean {
    if (this.#linkDownSince !== undefined) return false;
    this.#linkDownSince = now;
    return true;
  }

  /** A trusted block; returns why its temperatures are not believable, if so. */
  observe(reading: Reading, sessionKnown: boolean): string | undefined {
    const issue = implausibility(reading, this.#trusted);
    this.#latestIssue = issue;
    this.#state = reading.state;
    this.#heater = reading.heater;
    if (issue === undefined) {
      const { at, deviceAt, stateCode, bt, ibts, exhaust } = reading;
      this.#trusted = { at, deviceAt, stateCode, bt, ibts, exhaust };
      this.#rise.add(deviceAt, Math.max(bt, ibts));
    }
    // Only the first block after start can show a roast nobody accounts for; it lasts until that ends.
    const unaccounted = reading.state === 'roasting' && !sessionKnown;
    if (this.#startCheck === 'pending') this.#startCheck = unaccounted ? 'roasting-without-session' : 'done';
    else if (this.#startCheck === 'roasting-without-session' && !unaccounted) this.#startCheck = 'done';
    return issue;
  }

  /** The conditions present now, given the causes already latched; none before a roaster is watched. */
  evaluate(now: number, latched: ReadonlySet<InterlockCause>, config: SafetyConfig): readonly Condition[] {
    if (this.#watchingSince === undefined) return this.#conditions;
    this.#conditions = activeConditions(
      {
        now,
        state: this.#state,
        heater: this.#heater,
        trusted: this.#trusted,
        latestIssue: this.#latestIssue,
        watchingSince: this.#watchingSince,
        riseCPerMin: this.#rise.rate(),
        linkDownSince: this.#linkDownSince,
        roastingWithoutSession: this.#startCheck === 'roasting-without-session',
        latched,
      },
      config,
    );
    return this.#conditions;
  }
}
