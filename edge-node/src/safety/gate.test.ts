import { describe, expect, it } from 'vitest';
import type { EdgeCommand } from '../commands.ts';
import { defaultSafetyConfig } from './config.ts';
import { type GateContext, refusal } from './gate.ts';

const now = 1_000_000;
const open: GateContext = {
  now,
  connected: true,
  linkUp: true,
  latches: [],
  limits: defaultSafetyConfig.limits,
};
const latched: GateContext = {
  ...open,
  latches: [{ id: 'L1', cause: 'over-temperature', detail: '', since: 0 }],
};
const deadline = now + 30_000;
const heater7: EdgeCommand = { uid: 'u1', kind: 'set', control: 'heater', target: 7, deadline };
const charge: EdgeCommand = { uid: 'u2', kind: 'press', fromState: 'charge', deadline };
const stop: EdgeCommand = { uid: 'u3', kind: 'emergency-stop' };
const reset: EdgeCommand = { uid: 'u4', kind: 'reset', latchId: 'L1' };

describe('refusal', () => {
  it.each<[string, EdgeCommand, GateContext, string | undefined]>([
    ['a level inside the limits', heater7, open, undefined],
    ['a press from a state the edge presses in', charge, open, undefined],
    [
      'a level above the model',
      { ...heater7, target: 10 },
      open,
      'heater target 10 is outside the limits 0–9',
    ],
    [
      'a fan of 0',
      { ...heater7, control: 'fan', target: 0 },
      open,
      'fan target 0 is outside the limits 1–12',
    ],
    [
      'a level above a tightened limit',
      heater7,
      { ...open, limits: { ...open.limits, levels: { ...open.limits.levels, heater: { min: 0, max: 6 } } } },
      'heater target 7 is outside the limits 0–6',
    ],
    [
      'a press from preheating',
      { ...charge, fromState: 'preheating' },
      open,
      'the edge does not press PRS from preheating',
    ],
    ['a past deadline', { ...heater7, deadline: now }, open, 'the deadline has passed'],
    [
      'anything but a stop while the link is down',
      heater7,
      { ...open, linkUp: false },
      'the link is down: the edge holds the current levels and takes no new commands',
    ],
    ['anything but a stop while latched', charge, latched, 'latched (L1: over-temperature)'],
    ['no roaster', heater7, { ...open, connected: false }, 'no roaster connected'],
    ['an emergency stop, always', stop, { ...latched, linkUp: false, connected: false }, undefined],
    ['a reset, judged by its latch', reset, { ...latched, linkUp: false }, undefined],
  ])('%s', (_, command, ctx, reason) => {
    expect(refusal(command, ctx)).toBe(reason);
  });
});
