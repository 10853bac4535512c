import type { CommandProposal, ProposalPhase } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { governedSession, runningSession } from './governing.ts';
import { ago, connected, heater, iso, proposal, roaster, sessionAt, stop } from './testing/objects.ts';

const running = roaster({}, { ...connected, activeSession: { name: 'batch-2' } });

// batch-1 ran until 600 s ago; batch-2 was planned 900 s ago and has run since batch-1 ended.
const sessions = [sessionAt('batch-1', 1800, 600), sessionAt('batch-2', 900)];

/** A heater command in `phase`, sent `sentSecondsAgo` (none: not sent), naming `names` if given. */
function command(phase: ProposalPhase, sentSecondsAgo?: number, names?: string): CommandProposal {
  return proposal(heater(5), {
    ...(names && { session: names }),
    createdAt: ago((sentSecondsAgo ?? 0) + 1),
    status: {
      phase,
      ...(sentSecondsAgo !== undefined && { dispatch: { time: iso(ago(sentSecondsAgo)) } }),
    },
  });
}

describe('runningSession', () => {
  it('begins when the previous session ended, not when it was planned', () => {
    expect(runningSession(running, sessions)).toEqual({ name: 'batch-2', since: ago(600) });
  });

  it('begins when it was created, after the previous one ended', () => {
    const later = [sessionAt('batch-1', 1800, 600), sessionAt('batch-2', 300)];
    expect(runningSession(running, later)?.since).toBe(ago(300));
  });

  it('is none while the roaster runs no session', () => {
    expect(runningSession(roaster(), sessions)).toBeUndefined();
  });
});

describe('governedSession', () => {
  const governed = proposal(heater(6), { session: 'batch-2' });
  const count = (others: CommandProposal[], p = governed) =>
    governedSession(p, running, [p, ...others], sessions);

  it.each<[string, CommandProposal[], number, number]>([
    ['commands naming the session, sent during it', [command('Succeeded', 60, 'batch-2')], 1, 0],
    ['commands naming no session (sessionRef left out)', [command('Dispatched', 30)], 1, 0],
    ['commands naming a session that does not exist', [command('Failed', 30, 'no-such-batch')], 1, 0],
    ['commands naming the session planned next', [command('Succeeded', 30, 'batch-3')], 1, 0],
    ['commands approved and not sent yet', [command('Approved', undefined, 'ghost')], 0, 1],
    ['not commands sent before the session began', [command('Succeeded', 700, 'batch-2')], 0, 0],
    [
      'not proposals that were never approved',
      [command('AwaitingApproval'), command('Blocked'), command('Rejected'), command('Expired')],
      0,
      0,
    ],
    [
      'not EmergencyStop and ResetLatch',
      [
        proposal(stop, { status: { phase: 'Dispatched', dispatch: { time: iso(ago(5)) } } }),
        proposal(
          { type: 'ResetLatch', latchId: 'latch-1' },
          { by: 'alice', status: { phase: 'Succeeded', dispatch: { time: iso(ago(4)) } } },
        ),
      ],
      0,
      0,
    ],
  ])('counts %s', (_, others, dispatched, awaitingDispatch) => {
    expect(count(others)).toEqual({ name: 'batch-2', dispatched, awaitingDispatch });
  });

  it.each([
    ['no session', proposal(heater(6))],
    ['a session that does not exist', proposal(heater(6), { session: 'ghost' })],
  ])('counts a proposal naming %s against the running session', (_, p) => {
    expect(count([command('Succeeded', 60, 'batch-2')], p)).toEqual({
      name: 'batch-2',
      dispatched: 1,
      awaitingDispatch: 0,
    });
  });

  it('leaves the proposal governed out of its own count', () => {
    const sent = command('Dispatched', 10, 'batch-2');
    expect(governedSession(sent, running, [sent], sessions)?.dispatched).toBe(0);
  });

  it('applies no maximum while the roaster runs no session', () => {
    expect(governedSession(governed, roaster(), [governed], sessions)).toBeUndefined();
  });
});
