/** Stops a subscription. */
export type Unsubscribe = () => void;

/**
 * A synchronous typed event stream. Listeners run in subscription order; one that throws does not stop
 * the others or the publisher, since a broken consumer must never stall the roaster's control loop.
 */
export class Topic<T> {
  readonly #listeners = new Set<(value: T) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  subscribe(listener: (value: T) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
