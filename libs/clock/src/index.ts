// Everything that waits (work-queue delays, backoff, leases, the edge's poll loop and watchdog, the simulated
// roaster's physics) goes through a Clock, so in-process tests run on virtual time and never wait for real
// time, and a simulator can run faster than the wall clock while watchdogs keep real seconds.

export * from './backoff.ts';

/** A cancellable timer handle. */
export type Timer = { cancel(): void };

export interface TimerOptions {
  /** The process waits for this timer: work it owes, such as a pending commit. */
  keepAlive?: boolean;
}

export interface Clock {
  /** Milliseconds since the Unix epoch; monotonic, so only differences between readings matter to timers. */
  now(): number;
  /** Runs `fn` after `ms`; a timer keeps the process alive only when asked to. */
  setTimer(fn: () => void, ms: number, options?: TimerOptions): Timer;
}

/** The longest delay Node's timers take (about 24.8 days): a longer one would fire at once. */
export const maxTimerMs = 2 ** 31 - 1;

/**
 * The wait from `now` until `at`, for a timer: at least 1 ms and at most `maxMs`, so that a wake-up far
 * ahead never overflows a timer and one already past never spins; undefined when there is nothing to wait
 * for. A caller that caps it below `maxTimerMs` (an hour, say) just looks again sooner.
 */
export function delayUntil(at: number | undefined, now: number, maxMs = maxTimerMs): number | undefined {
  if (at === undefined || !Number.isFinite(at)) return undefined;
  return Math.min(Math.max(1, at - now), maxMs, maxTimerMs);
}

/**
 * Wall time anchored at process start and advanced by the monotonic clock, so an NTP step neither trips
 * nor delays a watchdog, while timestamps stay comparable with other processes' epoch milliseconds.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(fn, ms, options) {
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), maxTimerMs));
    if (!options?.keepAlive) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Runs `fn` every `ms` on `clock` until cancelled; each run is armed before the previous one's `fn` runs. */
export function every(clock: Clock, ms: number, fn: () => void): Timer {
  if (!(ms > 0)) throw new RangeError(`a repeating timer needs a period above 0 ms, not ${ms}`);
  let timer: Timer;
  const run = () => {
    timer = clock.setTimer(run, ms);
    fn();
  };
  timer = clock.setTimer(run, ms);
  return { cancel: () => timer.cancel() };
}

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves after `ms` on `clock`, or early, with `true`, when `wake` is called. */
export function wakeableSleep(clock: Clock, ms: number): { done: Promise<boolean>; wake(): void } {
  let settle: (woken: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  const timer = clock.setTimer(() => settle(false), ms);
  return {
    done,
    wake() {
      timer.cancel();
      settle(true);
    },
  };
}

/**
 * A clock running `factor` times faster than `base`, the two agreeing at `origin` (by default the moment it
 * is made), for a simulated roaster or a replayed recording. The edge's own loop and watchdog never use it.
 */
export function scaledClock(base: Clock, factor: number, origin = base.now()): Clock {
  if (!(factor > 0)) throw new RangeError(`time scale ${factor}`);
  return {
    now: () => origin + (base.now() - origin) * factor,
    setTimer: (fn, ms, options) => base.setTimer(fn, ms / factor, options),
  };
}

type PendingTimer = { at: number; seq: number; fn: () => void };

/** Resolves on the next turn of the event loop, once pending continuations, I/O and immediates have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Virtual time: timers fire only when `advance` moves the clock past them. */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<PendingTimer>();

  /** Starts at 2026-01-01T00:00:00Z unless told otherwise, so timestamps look like real ones. */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting each one's work settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let next = this.#earliest(target); next; next = this.#earliest(target)) {
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /**
   * Advances in `stepMs` steps until `done()` holds; throws when it does not within `limitMs`, so a test
   * waiting for something that never happens fails instead of hanging.
   */
  async until(done: () => boolean, limitMs: number, stepMs = 100): Promise<void> {
    const deadline = this.#now + limitMs;
    while (!done()) {
      if (this.#now >= deadline) throw new Error(`condition not met within ${limitMs} ms of virtual time`);
      await this.advance(stepMs);
    }
  }

  #earliest(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    return best;
  }
}
