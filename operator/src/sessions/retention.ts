// Telemetry retention (leader only): on a schedule, the store drops batches older than the retention period
// and the session windows that ended before it. Sessions themselves go earlier (--retention, by the session
// controller); their curves stay for --telemetry-retention, so a deleted session's data can still be read
// from the store for a while, and a session is never left pointing at missing data.
import { type Clock, sleep } from '@roast-operator/clock';
import type { Runnable } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { OpenStore } from '../telemetry.ts';

export interface TelemetryRetentionOptions {
  store: OpenStore;
  /** How long telemetry is kept. */
  retentionMs: number;
  /** How often old telemetry is deleted. */
  periodMs: number;
  clock: Clock;
  log: Logger;
}

export class TelemetryRetention implements Runnable {
  readonly name = 'telemetry-retention';
  readonly needLeaderElection = true;
  readonly #opts: TelemetryRetentionOptions;

  constructor(opts: TelemetryRetentionOptions) {
    this.#opts = opts;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { clock, periodMs } = this.#opts;
    while (!signal.aborted) {
      try {
        await sleep(clock, periodMs, signal);
      } catch {
        return;
      }
      await this.sweep();
    }
  }

  /**
   * One pass. The cutoff is the operator's clock minus the retention period, compared with sample times on
   * the edge's clock: the one place the two meet, and only days apart matter. (A simulator running faster
   * than real time stamps samples ahead of the wall clock; they are kept longer, never shorter.)
   */
  async sweep(): Promise<void> {
    const { clock, retentionMs, log } = this.#opts;
    const store = this.#opts.store();
    if (store === undefined) return;
    const cutoff = clock.now() - retentionMs;
    try {
      const deleted = await store.deleteBefore(cutoff);
      log.info('deleted old telemetry', { before: new Date(cutoff).toISOString(), ...deleted });
    } catch (err) {
      log.error('deleting old telemetry failed; trying again next period', { err });
    }
  }
}
