import { type Clock, systemClock, type Timer } from '@roast-operator/clock';

export interface GroupCommitOptions {
  /** The longest an item waits for its group to be committed (plus the commit itself), unless paused. */
  maxDelayMs: number;
  /** A group this large is committed at once instead of waiting for the timer. */
  maxItems: number;
  /** Default the system clock. */
  clock?: Clock;
}

interface Waiter<T, R> {
  item: T;
  /** The clock's time at submit. */
  since: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces items submitted by many concurrent callers into one commit every maxDelayMs or every maxItems
 * items, whichever comes first. A commit per item would spend its time on transaction overhead; a group
 * shares it while the delay bounds the latency any one caller sees.
 *
 * `commit` runs synchronously and returns one result per item, in order; each submit() resolves only after
 * it returned. When it throws, every item of the group is rejected with that error.
 *
 * A full group is committed on the next turn of the event loop (setImmediate), never inside submit():
 * callers that submit again as soon as they are answered would otherwise chain commits in microtasks and
 * starve timers and I/O (heartbeats, the gRPC streams) for as long as the backlog lasts.
 */
export class GroupCommit<T, R> {
  readonly #commit: (items: T[]) => R[];
  readonly #options: GroupCommitOptions;
  readonly #clock: Clock;
  #waiting: Waiter<T, R>[] = [];
  #timer: Timer | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #paused = false;

  constructor(commit: (items: T[]) => R[], options: GroupCommitOptions) {
    this.#commit = commit;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  submit(item: T): Promise<R> {
    const { promise, resolve, reject } = Promise.withResolvers<R>();
    this.#waiting.push({ item, since: this.#clock.now(), resolve, reject });
    this.#schedule();
    return promise;
  }

  /** Holds commits until resume(); items keep queueing, and flush() still commits them. */
  pause(): void {
    this.#paused = true;
    this.#cancel();
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  #schedule(): void {
    const oldest = this.#waiting[0];
    if (this.#paused || !oldest) return;
    if (this.#waiting.length >= this.#options.maxItems) {
      this.#immediate ??= setImmediate(() => this.#next());
      return;
    }
    // Counted from the oldest item: what is left after a full group, or a pause, has waited already.
    const delay = Math.max(0, this.#options.maxDelayMs - (this.#clock.now() - oldest.since));
    // Callers wait for their commit: the process must not exit before it.
    this.#timer ??= this.#clock.setTimer(() => this.#next(), delay, { keepAlive: true });
  }

  /** Commits one group of at most maxItems, and schedules what is left. */
  #next(): void {
    this.#cancel();
    this.#commitGroup(this.#waiting.splice(0, this.#options.maxItems));
    this.#schedule();
  }

  /** Commits everything waiting now, in groups of at most maxItems. */
  flush(): void {
    this.#cancel();
    while (this.#waiting.length > 0) this.#commitGroup(this.#waiting.splice(0, this.#options.maxItems));
  }

  #cancel(): void {
    this.#timer?.cancel();
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  #commitGroup(group: Waiter<T, R>[]): void {
    if (group.length === 0) return;
    let results: R[];
    try {
      results = this.#commit(group.map((w) => w.item));
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      w.resolve(results[i] as R);
    });
  }
}
