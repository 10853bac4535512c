export {
  type CommandRate,
  createdMs,
  type FailedCommand,
  type PendingApproval,
  type Summary,
  summarize,
  type Totals,
  windows,
} from './summary.ts';
