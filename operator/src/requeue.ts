import { delayUntil } from '@roast-operator/clock';
import type { ReconcileResult } from '@roast-operator/kube';

// Looking again within the hour is cheap, and keeps a far-off wake-up from hanging on one long timer.
const maxRequeueMs = 3_600_000;

/** A reconcile result that looks at the key again at `wakeAt` (ms since the epoch), at most an hour ahead. */
export function requeueAt(wakeAt: number | undefined, now: number): ReconcileResult {
  const delay = delayUntil(wakeAt, now, maxRequeueMs);
  return delay === undefined ? {} : { requeueAfter: delay };
}
