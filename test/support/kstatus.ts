// kstatus' rules for a custom resource (sigs.k8s.io/cli-utils/pkg/kstatus/status: Compute,
// checkGenericProperties, checkGeneration, checkReadyCondition), the status Flux's kustomize-controller and
// helm-controller wait on. kstatus is Go; these are its rules in TypeScript, so the suites can check what
// Flux makes of the operator's real status objects.
export type KStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

interface Obj {
  metadata?: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; message?: string }[] };
}

export function kstatus(object: unknown): { status: KStatus; message: string } {
  const obj = object as Obj;
  // Generic properties, in kstatus' order: deletion, then generation, then Reconciling and Stalled.
  if (obj.metadata?.deletionTimestamp)
    return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const generation = obj.metadata?.generation;
  const observed = obj.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed !== generation) {
    return {
      status: 'InProgress',
      message: `generation is ${generation}, but latest observed generation is ${observed}`,
    };
  }
  const conditions = obj.status?.conditions ?? [];
  for (const c of conditions) {
    if (c.type === 'Reconciling' && c.status === 'True')
      return { status: 'InProgress', message: c.message ?? '' };
    if (c.type === 'Stalled' && c.status === 'True') return { status: 'Failed', message: c.message ?? '' };
  }
  // No built-in rules for a custom resource; then the Ready fallback of current kstatus.
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { status: 'Current', message: 'Resource is Ready' };
  if (ready?.status === 'False' || ready?.status === 'Unknown') {
    return { status: 'InProgress', message: ready.message ?? '' };
  }
  return { status: 'Current', message: 'Resource is current' };
}
