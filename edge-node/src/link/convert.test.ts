import { type Command, ConnectRequest, Outcome } from '@roast-operator/proto';
import { describe, expect, it } from 'vitest';
import type { AgentReading } from '../edge-link.ts';
import { latchMessages, type Parsed, parseCommand, pushedLimits, resultMessage, sample } from './convert.ts';

const command = (fields: Partial<Command>): Command => ({
  proposalUid: 'p-1',
  type: 'SetHeater',
  deadlineMs: 5000,
  ...fields,
});

describe('parseCommand', () => {
  it.each<[string, Partial<Command>, Parsed]>([
    [
      'a level',
      { target: 7 },
      { ok: true, draft: { uid: 'p-1', kind: 'set', control: 'heater', target: 7 } },
    ],
    [
      'the fan',
      { type: 'SetFan', target: 0 },
      { ok: true, draft: { uid: 'p-1', kind: 'set', control: 'fan', target: 0 } },
    ],
    [
      'a press from its state',
      { type: 'Charge', fromState: 'ReadyToCharge' },
      { ok: true, draft: { uid: 'p-1', kind: 'press', fromState: 'charge' } },
    ],
    [
      'an emergency stop, without a deadline',
      { type: 'EmergencyStop', deadlineMs: 0, latchId: 'op-1' },
      { ok: true, draft: { uid: 'p-1', kind: 'emergency-stop', latchId: 'op-1' } },
    ],
    [
      'an emergency stop without a latch id',
      { type: 'EmergencyStop', latchId: '' },
      { ok: true, draft: { uid: 'p-1', kind: 'emergency-stop', latchId: undefined } },
    ],
    [
      'a reset',
      { type: 'ResetLatch', latchId: 'L-1', deadlineMs: 0 },
      { ok: true, draft: { uid: 'p-1', kind: 'reset', latchId: 'L-1' } },
    ],
    ['a level without a target', {}, { ok: false, reason: 'SetHeater needs a target' }],
    [
      'a level without a deadline',
      { target: 3, deadlineMs: 0 },
      { ok: false, reason: expect.stringMatching(/deadline/) },
    ],
    [
      'a press named for another state',
      { type: 'Cool', fromState: 'Roasting' },
      { ok: false, reason: 'Cool is pressed from Cooling, not Roasting' },
    ],
    [
      'a press without its state',
      { type: 'Preheat' },
      { ok: false, reason: 'Preheat is pressed from Off, not no state' },
    ],
    ['a reset without a latch', { type: 'ResetLatch' }, { ok: false, reason: 'ResetLatch needs a latch_id' }],
    ['no UID', { proposalUid: '', target: 1 }, { ok: false, reason: 'proposal_uid is empty' }],
    ['an unknown type', { type: 'Explode' }, { ok: false, reason: 'unknown command type "Explode"' }],
  ])('%s', (_, fields, parsed) => {
    expect(parseCommand(command(fields))).toEqual(parsed);
  });
});

describe('resultMessage', () => {
  it.each([
    ['succeeded', Outcome.OUTCOME_SUCCEEDED, 'done'],
    ['expired', Outcome.OUTCOME_EXPIRED, 'done'],
    ['aborted', Outcome.OUTCOME_FAILED, 'aborted: done'],
    ['unknown', Outcome.OUTCOME_UNSPECIFIED, 'done'],
  ] as const)('maps %s', (outcome, wire, message) => {
    expect(resultMessage({ uid: 'p-1', outcome, message: 'done', latencyMs: 12.6 }, true)).toEqual({
      proposalUid: 'p-1',
      outcome: wire,
      message,
      latencyMs: 13,
      alreadyDone: true,
    });
  });
});

describe('sample', () => {
  it('leaves out a temperature the roaster did not read, and stamps it on the device’s time base', () => {
    const reading = {
      at: 1000,
      deviceAt: 20_000.4,
      bt: -1,
      ibts: Number.NaN,
      exhaust: 180.5,
      btRor: -1,
      heater: 3,
      fan: 4,
      drum: 5,
    };
    expect(sample({ ...reading, stateCode: 6 } as AgentReading)).toEqual({
      timeMs: 20_000,
      beanTemp: undefined,
      ibtsTemp: undefined,
      exhaustTemp: 180.5,
      beanRor: -1,
      heater: 3,
      fan: 4,
      drum: 5,
      stateCode: 6,
    });
  });
});

describe('pushedLimits', () => {
  it('maps the bean ceiling to the roasting state and keeps what is absent absent', () => {
    expect(pushedLimits({ fan: { min: 2, max: 9 }, maxBeanTemp: 230 })).toEqual({
      heater: undefined,
      fan: { min: 2, max: 9 },
      drum: undefined,
      temperatureCeilingsCelsius: { roasting: 230 },
      exhaustCeilingCelsius: undefined,
    });
  });
});

describe('latchMessages', () => {
  it('sends whole milliseconds, so a latch from a time-scaled simulator still encodes', () => {
    const [latch] = latchMessages(
      [{ id: 'l-1', cause: 'emergency-stop', detail: 'stop', since: 1_795_490_540_850.5552 }],
      [],
    );
    expect(latch?.sinceMs).toBe(1_795_490_540_851);
    const bytes = ConnectRequest.encode({ body: { $case: 'latch', value: { latches: [latch!] } } }).finish();
    expect(ConnectRequest.decode(bytes).body).toEqual({ $case: 'latch', value: { latches: [latch] } });
  });
});
