export {
  type CommandRate,
  createdMs,
  type FailedCommand,
  notCounted,
  type PendingApproval,
  type Summary,
  summarize,
  type Totals,
  windows,
} from './summary.ts';
