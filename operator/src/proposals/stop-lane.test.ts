import { CommandProposal, type ProposalPhase } from '@roast-operator/api';
import { Logger } from '@roast-operator/log';
import { describe, expect, it } from 'vitest';
import type { Dispatcher, DispatchReceipt, DispatchRequest } from '../dispatch.ts';
import { now, proposal, stop } from '../testing/objects.ts';
import { type StopAction, type StopHeld, StopLane, stopAction } from './stop-lane.ts';

// Every phase a stop can be in, with and without a receipt held: the whole protocol.
const table: [ProposalPhase, StopHeld, StopAction][] = [
  ['Pending', 'nothing', 'send'],
  ['Pending', 'receipt', 'record'],
  ['Pending', 'recorded', 'none'],
  ['Approved', 'nothing', 'send'],
  ['Approved', 'receipt', 'record'],
  ['Approved', 'recorded', 'none'],
  ['Dispatched', 'receipt', 'forget'],
  ['Dispatched', 'recorded', 'none'],
  ['Dispatched', 'nothing', 'none'],
  ['Succeeded', 'receipt', 'forget'],
  ['Failed', 'receipt', 'forget'],
  ['Expired', 'receipt', 'forget'],
  ['Aborted', 'receipt', 'forget'],
  ['Blocked', 'receipt', 'forget'],
  ['Rejected', 'nothing', 'none'],
  ['AwaitingApproval', 'nothing', 'none'],
];

describe('the stop lane', () => {
  it.each(table)('a stop %s, holding %s: %s', (phase, held, action) => {
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

  it('never sends a stop again from a cache behind its record, and forgets it once the cache catches up', async () => {
    const link = countingLink();
    const lane = new StopLane(link);
    const p = proposal(stop);
    const sending = lane.send(p, request(p), new AbortController().signal);
    link.answer();
    await sending;
    const recorded = CommandProposal.parse({ ...p, status: { ...p.status, phase: 'Dispatched' } });
    lane.settle(recorded);
    // The cache still shows the stop Pending: it went out already.
    expect(lane.next(p)).toBe('none');
    expect(link.given).toBe(1);
    // Once the cache shows the record, the lane keeps nothing of the stop.
    lane.cached(p.metadata.uid ?? '', recorded);
    expect(lane.next(p)).toBe('send');
  });

  it('counts the stops that arrive per roaster, so bulk work can tell one came', () => {
    const lane = new StopLane(countingLink());
    expect(lane.arrivals('roastery/bullet-1')).toBe(0);
    lane.arrived('roastery/bullet-1');
    expect(lane.arrivals('roastery/bullet-1')).toBe(1);
    expect(lane.arrivals('roastery/bullet-2')).toBe(0);
  });
});
