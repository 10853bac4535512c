import { describe, expect, it } from 'vitest';
import { commandFromWords, describeCommand, proposalBody } from './proposals.ts';
import { UsageError } from './refusal.ts';

describe('commandFromWords', () => {
  it.each([
    [['heater', '7'], { type: 'SetHeater', target: 7 }],
    [['HEATER', '0'], { type: 'SetHeater', target: 0 }],
    [['fan', '12'], { type: 'SetFan', target: 12 }],
    [['drum', '1'], { type: 'SetDrum', target: 1 }],
    [['preheat'], { type: 'Preheat', fromState: 'Off' }],
    [['charge'], { type: 'Charge', fromState: 'ReadyToCharge' }],
    [['drop'], { type: 'Drop', fromState: 'Roasting' }],
    [['cool'], { type: 'Cool', fromState: 'Cooling' }],
  ])('reads %j', (words, command) => {
    expect(commandFromWords(words, 'AillioBulletR1')).toEqual(command);
  });

  it.each([
    [['heater', '10'], 'the heater level on a AillioBulletR1 must be a whole number from 0 to 9, not 10'],
    [['fan', '0'], 'from 1 to 12, not 0'],
    [['drum', '4.5'], 'not 4.5'],
    [['heater'], 'give one level after heater'],
    [['heater', '3', '4'], 'give one level after heater'],
    [['charge', '3'], 'charge takes no level'],
    [['boost'], 'boost is not a command: propose one of heater, fan, drum, preheat, charge, drop, cool'],
    [[], 'nothing is not a command'],
  ])('refuses %j', (words, says) => {
    expect(() => commandFromWords(words, 'AillioBulletR1')).toThrow(UsageError);
    expect(() => commandFromWords(words, 'AillioBulletR1')).toThrow(says);
  });
});

describe('describeCommand', () => {
  it.each([
    [{ type: 'SetFan', target: 9 }, 'SetFan 9'],
    [{ type: 'Drop', fromState: 'Roasting' }, 'Drop from Roasting'],
    [{ type: 'ResetLatch', latchId: 'stop-1' }, 'ResetLatch stop-1'],
    [{ type: 'EmergencyStop' }, 'EmergencyStop'],
  ] as const)('%j is %s', (command, text) => expect(describeCommand(command)).toBe(text));
});

describe('proposalBody', () => {
  it('names the roaster, the proposer, the session and the rationale, and lets the server pick a name', () => {
    expect(
      proposalBody({
        namespace: 'roastery',
        roaster: 'bullet-1',
        command: { type: 'SetHeater', target: 7 },
        proposedBy: 'alice',
        rationale: 'more energy',
        session: 'guji-1',
      }),
    ).toEqual({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'CommandProposal',
      metadata: { generateName: 'bullet-1-setheater-', namespace: 'roastery' },
      spec: {
        roasterRef: { name: 'bullet-1' },
        sessionRef: { name: 'guji-1' },
        command: { type: 'SetHeater', target: 7 },
        proposedBy: 'alice',
        rationale: 'more energy',
        ttlSeconds: 60,
      },
    });
  });

  it('keeps a generated name within 253 characters for the longest roaster name', () => {
    const body = proposalBody({
      namespace: 'n',
      roaster: 'r'.repeat(253),
      command: { type: 'EmergencyStop' },
      proposedBy: 'a',
    });
    expect(body.metadata.generateName!.length + 5).toBeLessThanOrEqual(253);
  });
});
