/** metav1.Condition as it appears in `status.conditions`. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  /** RFC 3339, seconds precision (metav1.Time). */
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** A condition to set; the transition time is filled in when the status changes. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime' | 'message'> & {
  message?: string;
  lastTransitionTime?: string;
};

// The validation of metav1.Condition (apimachinery types.go), checked here so a bad condition fails in
// the reconciler that wrote it rather than as an opaque 422 from the status write.
const typePattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const reasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

function validate(c: ConditionUpdate): void {
  if (c.type.length > 316 || !typePattern.test(c.type)) throw new Error(`invalid condition type ${c.type}`);
  if (c.reason.length > 1024 || !reasonPattern.test(c.reason)) throw new Error(`invalid reason ${c.reason}`);
  if ((c.message ?? '').length > 32768) throw new Error(`condition ${c.type}: message too long`);
  if (c.observedGeneration !== undefined && c.observedGeneration < 0) {
    throw new Error(`condition ${c.type}: negative observedGeneration`);
  }
}

/** metav1.Time text: RFC 3339 in UTC without fractional seconds. */
export function metaTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function findStatusCondition(conditions: readonly Condition[] | undefined, type: string) {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition as apimachinery's meta.SetStatusCondition does: `lastTransitionTime` moves only when
 * the status changes; reason, message and observedGeneration are always brought up to date. Returns a
 * new list (the input is not modified) and whether anything changed.
 */
export function setStatusCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
): { conditions: Condition[]; changed: boolean } {
  validate(update);
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const existing = list[index];
  const next: Condition = {
    type: update.type,
    status: update.status,
    ...(update.observedGeneration !== undefined && { observedGeneration: update.observedGeneration }),
    lastTransitionTime: update.lastTransitionTime ?? metaTime(now),
    reason: update.reason,
    message: update.message ?? '',
  };
  if (!existing) return { conditions: [...list, next], changed: true };
  if (existing.status === next.status) next.lastTransitionTime = existing.lastTransitionTime;
  const changed =
    existing.status !== next.status ||
    existing.reason !== next.reason ||
    existing.message !== next.message ||
    existing.observedGeneration !== next.observedGeneration;
  list[index] = next;
  return { conditions: list, changed };
}

/** The two conditions kstatus reads: Ready (True once the goal is reached) and Reconciling (True while at work). */
export interface ReadyAndReconciling {
  ready: boolean;
  readyReason: string;
  reconciling: boolean;
  reconcilingReason: string;
  message: string;
  observedGeneration?: number | undefined;
}

/** Sets Ready and Reconciling together, each with the transition-time rule of `setStatusCondition`. */
export function readyAndReconciling(
  conditions: readonly Condition[] | undefined,
  want: ReadyAndReconciling,
  now: Date,
): Condition[] {
  const { message, observedGeneration } = want;
  const generation = observedGeneration === undefined ? {} : { observedGeneration };
  const status = (b: boolean) => (b ? 'True' : 'False');
  const ready = setStatusCondition(
    conditions,
    { type: 'Ready', status: status(want.ready), reason: want.readyReason, message, ...generation },
    now,
  ).conditions;
  return setStatusCondition(
    ready,
    {
      type: 'Reconciling',
      status: status(want.reconciling),
      reason: want.reconcilingReason,
      message,
      ...generation,
    },
    now,
  ).conditions;
}
