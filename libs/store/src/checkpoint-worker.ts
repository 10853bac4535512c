// The checkpointer's thread (see checkpointer.ts): its own connection to the store's file copies the
// write-ahead log back into the database every intervalMs, or at once when asked, and reports how far it
// got; it stops when told.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { every, systemClock } from '@roast-operator/clock';

export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

/** `request` numbers a checkpoint asked for, so its answer can be told from the timer's. */
export type ToCheckpointWorker = { type: 'checkpoint'; request: number } | { type: 'stop' };

export type FromCheckpointWorker =
  /** Frames in the log, and how many of them are now in the database file. */
  | { type: 'checkpointed'; request: number | undefined; logFrames: number; checkpointedFrames: number }
  | { type: 'failed'; message: string };

const { path, intervalMs } = workerData as CheckpointWorkerData;
const port = parentPort!;
const db = new DatabaseSync(path);
const checkpointStatement = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

function report(message: FromCheckpointWorker): void {
  port.postMessage(message);
}

// PASSIVE copies what it can without waiting for the writer or readers, and the writer goes on appending
// to the log meanwhile; the fsyncs of synchronous=NORMAL happen here, off the event loop.
function checkpoint(request?: number): void {
  try {
    const { log, checkpointed } = checkpointStatement.get() as { log: number; checkpointed: number };
    report({ type: 'checkpointed', request, logFrames: log, checkpointedFrames: checkpointed });
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

const timer = every(systemClock, intervalMs, () => checkpoint());

port.on('message', (message: ToCheckpointWorker) => {
  if (message.type === 'checkpoint') return checkpoint(message.request);
  // With the timer cancelled and the port closed, the thread exits.
  timer.cancel();
  db.close();
  port.close();
});
