import { describe, expect, it } from 'vitest';
import { agent, ago, human, now } from './fixtures.ts';
import {
  killSwitchLatchId,
  type Latch,
  type LatchFacts,
  nextLatch,
  type StopRequest,
  stopLatched,
  stopLatchId,
  unresolvedStops,
} from './latch.ts';

const roaster = { uid: '0d4a2f1e-7c55-4b1a-9a61-3f0c2b7e9d10', generation: 4 };
const stop = (uid: string, secondsAgo: number, by = human): StopRequest => ({
  uid,
  name: `stop-${secondsAgo}`,
  proposedBy: by,
  createdAt: ago(secondsAgo),
});
const older = stop('aaaaaaaa-0000-4000-8000-000000000001', 30);
const newer = stop('bbbbbbbb-0000-4000-8000-000000000002', 10, agent);

const facts = (f: Partial<LatchFacts> = {}): LatchFacts => ({
  roaster,
  killSwitch: false,
  stops: [],
  resets: [],
  edgeInterlocksClear: true,
  ...f,
});

const latched = (id: string, cause: Latch['cause'] = 'EmergencyStopProposal'): Latch => ({
  id,
  cause,
  since: new Date(ago(60)).toISOString(),
});

describe('nextLatch', () => {
  it('stays clear with nothing to latch', () => {
    expect(nextLatch(undefined, facts(), now)).toBeUndefined();
  });

  it("latches on Git's kill switch, under an id of the Roaster's uid and generation", () => {
    expect(nextLatch(undefined, facts({ killSwitch: true }), now)).toEqual({
      id: 'git-0d4a2f1e-4',
      cause: 'SpecEmergencyStop',
      message: expect.stringContaining('spec.emergencyStop'),
      since: new Date(now).toISOString(),
    });
  });

  it('latches on an EmergencyStop proposal, naming it and its proposer', () => {
    expect(nextLatch(undefined, facts({ stops: [older] }), now)).toEqual({
      id: 'stop-aaaaaaaa',
      cause: 'EmergencyStopProposal',
      message: `EmergencyStop proposal ${older.name} by ${human}`,
      since: new Date(now).toISOString(),
    });
  });

  it('keeps a latch when spec.emergencyStop turns false: only a reset clears it', () => {
    const current = latched(killSwitchLatchId(roaster), 'SpecEmergencyStop');
    expect(nextLatch(current, facts(), now)).toBe(current);
  });

  it('keeps a latch that a reset names another latch', () => {
    const current = latched(stopLatchId(older.uid));
    expect(nextLatch(current, facts({ stops: [older], resets: ['stop-ffffffff'] }), now)).toBe(current);
  });

  it.each([
    ['the kill switch is on', { killSwitch: true }],
    ['the edge reports an interlock tripped', { edgeInterlocksClear: false }],
    ['the edge has not reported its interlocks', { edgeInterlocksClear: undefined }],
  ])('keeps a latch a reset names while %s', (_why, f: Partial<LatchFacts>) => {
    const current = latched('git-0d4a2f1e-4', 'SpecEmergencyStop');
    expect(nextLatch(current, facts({ resets: [current.id], ...f }), now)).toBe(current);
  });

  it('clears a latch a reset names, and does not latch again on the stop it dealt with', () => {
    const current = latched(stopLatchId(older.uid));
    expect(nextLatch(current, facts({ stops: [older], resets: [current.id] }), now)).toBeUndefined();
  });

  it('latches anew on a stop newer than the latch a reset clears', () => {
    const current = latched(stopLatchId(older.uid));
    const next = nextLatch(current, facts({ stops: [older, newer], resets: [current.id] }), now);
    expect(next?.id).toBe(stopLatchId(newer.uid));
  });

  it('replaces an older latch with a newer stop, so a reset of the older one clears nothing', () => {
    const current = latched(killSwitchLatchId(roaster), 'SpecEmergencyStop');
    const next = nextLatch(current, facts({ killSwitch: true, stops: [newer] }), now);
    expect(next?.id).toBe(stopLatchId(newer.uid));
    expect(nextLatch(next, facts({ stops: [newer], resets: [current.id] }), now)).toBe(next);
  });

  it('takes the newest of several stops, whatever order they come in', () => {
    expect(nextLatch(undefined, facts({ stops: [newer, older] }), now)?.id).toBe(stopLatchId(newer.uid));
  });
});

describe('unresolvedStops', () => {
  it('counts a reset of a stop as dealing with every older stop too', () => {
    expect(unresolvedStops(facts({ stops: [newer, older], resets: [stopLatchId(newer.uid)] }))).toEqual([]);
    expect(unresolvedStops(facts({ stops: [newer, older], resets: [stopLatchId(older.uid)] }))).toEqual([
      newer,
    ]);
  });
});

describe('stopLatched', () => {
  const both = facts({ stops: [older, newer] });

  it('holds an EmergencyStop back until the latch in status is its own or a newer one', () => {
    expect(stopLatched(older, undefined, both)).toBe(false);
    expect(stopLatched(older, latched('git-0d4a2f1e-4', 'SpecEmergencyStop'), both)).toBe(false);
    expect(stopLatched(older, latched(stopLatchId(older.uid)), both)).toBe(true);
    expect(stopLatched(older, latched(stopLatchId(newer.uid)), both)).toBe(true);
    expect(stopLatched(newer, latched(stopLatchId(older.uid)), both)).toBe(false);
  });

  it('lets a stop a reset dealt with end, latched or not', () => {
    expect(stopLatched(older, undefined, facts({ stops: [older], resets: [stopLatchId(older.uid)] }))).toBe(
      true,
    );
  });
});
