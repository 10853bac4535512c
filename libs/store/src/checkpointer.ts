import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@roast-operator/log';
import type { CheckpointWorkerData, FromCheckpointWorker, ToCheckpointWorker } from './checkpoint-worker.ts';

export interface CheckpointerOptions {
  path: string;
  intervalMs: number;
  /** Past this many log frames (pages), writes pause until the log is fully checkpointed. */
  maxLogFrames: number;
}

/** How the checkpointer steers the store's writer. */
export interface CheckpointerHooks {
  /** Stop committing: the log must be drained. The event loop stays free; only acks wait. */
  pause(): void;
  resume(): void;
  /** The thread died: the writer must checkpoint by itself from now on. */
  lost(): void;
}

/**
 * Runs WAL checkpoints on a worker thread. Left to itself, SQLite checkpoints inside the commit that finds
 * the log past wal_autocheckpoint pages; with one synchronous connection that puts the copy and the fsyncs
 * of the database file on the event loop (at 50 roasters such commits took 12–29 ms where others took
 * 2–5; with the threshold at 64 MiB, over 100 ms).
 * So the writer's own checkpoints are off while this thread runs, and a second connection does the work
 * concurrently with the writer.
 *
 * The log restarts from its beginning only when a write finds it fully checkpointed. Under saturated
 * ingest the writer appends faster than a checkpoint finishes and the log would grow by the whole burst;
 * past maxLogFrames the writer pauses (acks wait, the event loop does not) until one more checkpoint has
 * caught up, and the next commit restarts the log.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #maxLogFrames: number;
  readonly #hooks: CheckpointerHooks;
  #draining = false;
  /** The checkpoint asked for while draining; only its answer can end the drain. */
  #request = 0;
  #stopping = false;

  constructor(options: CheckpointerOptions, log: Logger, hooks: CheckpointerHooks) {
    const workerData: CheckpointWorkerData = { path: options.path, intervalMs: options.intervalMs };
    this.#maxLogFrames = options.maxLogFrames;
    this.#hooks = hooks;
    this.#worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), { workerData });
    this.#worker.on('message', (message: FromCheckpointWorker) => {
      if (message.type === 'checkpointed') return this.#checkpointed(message);
      log.warn('background checkpoint failed', { err: message.message });
      // Writes resume: a log that keeps growing is better than acks held for as long as checkpoints fail.
      this.#endDrain();
    });
    this.#worker.on('error', (error) => log.error('checkpointer failed', { err: error }));
    this.#worker.on('exit', () => {
      if (this.#stopping) return;
      log.error('checkpointer thread exited: the writer checkpoints from now on');
      this.#endDrain();
      hooks.lost();
    });
    // An open store that was never closed must not keep the process alive.
    this.#worker.unref();
  }

  #checkpointed(report: Extract<FromCheckpointWorker, { type: 'checkpointed' }>): void {
    // A report that crosses stop() must not start a drain (nor unref the thread stop() waits for).
    if (this.#stopping) return;
    if (this.#draining) {
      // A timer's checkpoint may have begun before the pause, with the writer still appending behind it.
      if (report.request !== this.#request) return;
      if (report.checkpointedFrames >= report.logFrames) this.#endDrain();
      else this.#askCheckpoint();
    } else if (report.logFrames > this.#maxLogFrames) {
      this.#draining = true;
      // Paused appends wait on this thread's answer: it must keep the process alive until then.
      this.#worker.ref();
      this.#hooks.pause();
      this.#askCheckpoint();
    }
  }

  #askCheckpoint(): void {
    this.#send({ type: 'checkpoint', request: ++this.#request });
  }

  #endDrain(): void {
    if (!this.#draining) return;
    this.#draining = false;
    this.#worker.unref();
    this.#hooks.resume();
  }

  #send(message: ToCheckpointWorker): void {
    this.#worker.postMessage(message);
  }

  /** Stops checkpointing and closes the worker's connection. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#endDrain();
    if (this.#worker.threadId === -1) return; // it already exited
    const exited = once(this.#worker, 'exit');
    // Waiting for the exit must keep the process alive.
    this.#worker.ref();
    this.#send({ type: 'stop' });
    await exited;
  }
}
