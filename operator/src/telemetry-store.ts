// The telemetry store as a leader-only runnable: only the leader may hold the SQLite file open, so it opens
// when leadership starts and closes when it ends. The gateway commits to it; sessions, retention and the
// read API read it. A user that must finish with it before it closes (the gateway draining its streams)
// holds it.
import type { Manager, Runnable } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { TelemetryStore } from '@roast-operator/store';

export class LeaderTelemetryStore implements Runnable {
  readonly name = 'telemetry-store';
  readonly needLeaderElection = true;
  readonly #open: () => TelemetryStore;
  readonly #log: Logger;
  #store: TelemetryStore | undefined;
  #holders = 0;
  #released: (() => void) | undefined;

  /** Added to the manager here: it runs while this process leads. */
  constructor(manager: Manager, open: () => TelemetryStore) {
    this.#open = open;
    this.#log = manager.log.child({ component: 'telemetry-store' });
    manager.add(this);
  }

  /** The store while this process leads; undefined otherwise. */
  get current(): TelemetryStore | undefined {
    return this.#store;
  }

  /** Keeps the store open on the way out until `release` is called. */
  hold(): () => void {
    this.#holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holders === 0) this.#released?.();
    };
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#store = this.#open();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (this.#holders > 0) await new Promise<void>((resolve) => (this.#released = resolve));
    const store = this.#store;
    this.#store = undefined;
    await store.close();
    this.#log.info('telemetry store closed');
  }
}
