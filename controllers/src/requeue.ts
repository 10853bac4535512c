import type { ReconcileResult } from '@roast-operator/kube';

// Timers longer than about 24 days overflow to an immediate fire; looking again within the hour is cheap.
const maxRequeueMs = 3_600_000;

/** A reconcile result that looks at the key again at `wakeAt` (ms since the epoch), at most an hour ahead. */
export function requeueAt(wakeAt: number | undefined, now: number): ReconcileResult {
  if (wakeAt === undefined || !Number.isFinite(wakeAt)) return {};
  return { requeueAfter: Math.min(Math.max(1, wakeAt - now), maxRequeueMs) };
}
