import type { CommandProposal, ProposalPhase } from '@roast-operator/api';
import { Logger } from '@roast-operator/log';
import { describe, expect, it } from 'vitest';
import type { Dispatcher, DispatchReceipt, DispatchRequest } from '../dispatch.ts';
import { now, proposal, stop } from '../testing/objects.ts';
import { type StopAction, StopLane, stopAction } from './stop-lane.ts';

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

describe('StopLane', () => {
  /** A link that counts what it is given and hands out receipts when told to. */
  function countingLink() {
    const pending: ((r: DispatchReceipt) => void)[] = [];
    const link: Dispatcher & { given: number; answer(): void } = {
      given: 0,
      isConnected: () => true,
      dispatch() {
        link.given++;
        return new Promise((resolve) => pending.push(resolve));
      },
      answer() {
        for (const resolve of pending.splice(0)) resolve({ sentAt: new Date(now) });
      },
    };
    return link;
  }
  const request = (p: CommandProposal): DispatchRequest => ({
    roaster: { namespace: 'roastery', name: 'bullet-1', uid: 'r' },
    proposal: { namespace: 'roastery', name: p.metadata.name ?? '' },
    proposalUid: p.metadata.uid ?? '',
    command: p.spec.command,
    deadline: new Date(now + 60_000),
  });

  it('sends a stop once when its arrival and its reconcile send it at the same time', async () => {
    const link = countingLink();
    const lane = new StopLane(link);
    const p = proposal(stop);
    const signal = new AbortController().signal;
    const both = Promise.all([lane.send(p, request(p), signal), lane.send(p, request(p), signal)]);
    link.answer();
    const [first, second] = await both;
    expect(link.given).toBe(1);
    expect([first.sent, second.sent].sort()).toEqual([false, true]);
    expect(second.receipt).toBe(first.receipt);
    expect(lane.next(p)).toBe('record');
  });

  it('hands every new stop to the link at once: none waits for another still being written', async () => {
    const link = countingLink();
    const lane = new StopLane(link);
    const stops = [proposal(stop), proposal(stop)];
    const signal = new AbortController().signal;
    const sending = lane.sendFromCache(
      stops,
      () => ({ kind: 'dispatch' }),
      request,
      new Logger({ level: 'error' }),
      signal,
    );
    // Neither write has finished, and both stops are with the link.
    await Promise.resolve();
    expect(link.given).toBe(2);
    link.answer();
    await sending;
    expect(stops.map((p) => lane.next(p))).toEqual(['record', 'record']);
  });

  it('counts the stops that arrive per roaster, so bulk work can tell one came', () => {
    const lane = new StopLane(countingLink());
    expect(lane.arrivals('roastery/bullet-1')).toBe(0);
    lane.arrived('roastery/bullet-1');
    expect(lane.arrivals('roastery/bullet-1')).toBe(1);
    expect(lane.arrivals('roastery/bullet-2')).toBe(0);
  });
});
