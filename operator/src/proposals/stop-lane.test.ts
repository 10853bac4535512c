import type { ProposalPhase } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { type StopAction, stopAction } from './stop-lane.ts';

// Every phase a stop can be in, with and without a receipt held: the whole protocol.
const table: [ProposalPhase, boolean, StopAction][] = [
  ['Pending', false, 'send'],
  ['Pending', true, 'record'],
  ['Approved', false, 'send'],
  ['Approved', true, 'record'],
  ['Dispatched', true, 'forget'],
  ['Dispatched', false, 'none'],
  ['Succeeded', true, 'forget'],
  ['Failed', true, 'forget'],
  ['Expired', true, 'forget'],
  ['Aborted', true, 'forget'],
  ['Blocked', true, 'forget'],
  ['Rejected', false, 'none'],
  ['AwaitingApproval', false, 'none'],
];

describe('the stop lane', () => {
  it.each(table)('a stop %s with a receipt held: %s → %s', (phase, held, action) => {
    expect(stopAction(phase, held)).toBe(action);
  });
});
