import { proposal } from '@roast-operator/analytics/testing';
import { describe, expect, it } from 'vitest';
import { filterFromFlags, openPhases, selectProposals } from './filters.ts';
import { UsageError } from './refusal.ts';

const proposals = [
  proposal({ name: 'heat-ok', type: 'SetHeater', phase: 'Succeeded', age: 3 }),
  proposal({ name: 'charge-wait', type: 'Charge', phase: 'AwaitingApproval', age: 0.1 }),
  proposal({ name: 'drop-failed', type: 'Drop', phase: 'Failed', age: 1 }),
  proposal({ name: 'heat-blocked', type: 'SetHeater', phase: 'Blocked', age: 2 }),
  proposal({ name: 'stop', type: 'EmergencyStop', phase: 'Dispatched', age: 0.5 }),
];

const names = (flags: Parameters<typeof filterFromFlags>[0], defaults = {}) =>
  selectProposals(proposals, filterFromFlags(flags, defaults)).map((p) => p.metadata.name);

describe('proposal filters', () => {
  it.each([
    { flags: {}, names: ['charge-wait', 'stop', 'drop-failed', 'heat-blocked', 'heat-ok'] },
    { flags: { status: 'failed' }, names: ['drop-failed'] },
    { flags: { status: 'Succeeded,Blocked' }, names: ['heat-blocked', 'heat-ok'] },
    { flags: { type: 'heater' }, names: ['heat-blocked', 'heat-ok'] },
    { flags: { type: 'stop,charge' }, names: ['charge-wait', 'stop'] },
    { flags: { type: 'setheater', status: 'succeeded' }, names: ['heat-ok'] },
    { flags: { limit: '2' }, names: ['charge-wait', 'stop'] },
    {
      flags: { roaster: 'bullet-1' },
      names: ['charge-wait', 'stop', 'drop-failed', 'heat-blocked', 'heat-ok'],
    },
    { flags: { roaster: 'bullet-2' }, names: [] },
    { flags: { session: 'guji-1' }, names: [] },
  ])('selects $names for $flags, newest first', ({ flags, names: expected }) => {
    expect(names(flags)).toEqual(expected);
  });

  it('applies defaults unless a flag overrides them', () => {
    expect(names({}, { phases: openPhases })).toEqual(['charge-wait', 'stop']);
    expect(names({ status: 'failed' }, { phases: openPhases })).toEqual(['drop-failed']);
    expect(names({}, { limit: 1 })).toEqual(['charge-wait']);
  });

  it.each([
    [{ status: 'done' }, '--status done is not one of Pending, Blocked'],
    [{ type: 'boost' }, '--type boost is not one of SetHeater'],
    [{ limit: '0' }, '--limit must be a whole number from 1 to 10000, not 0'],
  ])('refuses %j', (flags, says) => {
    expect(() => filterFromFlags(flags)).toThrow(UsageError);
    expect(() => filterFromFlags(flags)).toThrow(says);
  });
});
