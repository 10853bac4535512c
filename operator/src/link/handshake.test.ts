import type { Roaster } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { checkBinding, limitsOf, operatorLatch } from './handshake.ts';
import type { CheckedHello } from './validate.ts';

const roaster = (spec: object = {}, status: object = {}) =>
  ({
    metadata: { name: 'r1', namespace: 'roastery', uid: 'u1' },
    spec: { model: 'Simulated', binding: { nodeName: 'node-a', serial: 'SIM-1' }, ...spec },
    status,
  }) as unknown as Roaster;

const hello = (nodeName: string, serial: string, model = 'Simulated') =>
  ({ nodeName, device: { serial, model } }) as unknown as CheckedHello;

describe('checkBinding', () => {
  it.each([
    ['the bound node and device', hello('node-a', 'SIM-1'), undefined],
    ['another node', hello('node-b', 'SIM-1'), /bound to node node-a, not node-b/],
    ['another device', hello('node-a', 'SIM-2'), /bound to device SIM-1, not SIM-2/],
    [
      'another model',
      hello('node-a', 'SIM-1', 'AillioBulletR1'),
      /is a Simulated, the edge drives a AillioBulletR1/,
    ],
  ])('%s', (_, h, refused) => {
    if (refused) expect(() => checkBinding(roaster(), h)).toThrow(refused);
    else expect(() => checkBinding(roaster(), h)).not.toThrow();
  });
});

describe('operatorLatch', () => {
  const since = '2026-11-24T10:00:00Z';
  it.each([
    ['none', undefined, undefined],
    ["the edge's own interlock", { id: 'i', cause: 'EdgeInterlock', since }, undefined],
    [
      'an EmergencyStop',
      { id: 'stop-1', cause: 'EmergencyStop', message: 'm', since },
      {
        id: 'stop-1',
        cause: 'emergencyStop',
        message: 'm',
        sinceMs: Date.parse(since),
        conditionActive: false,
      },
    ],
    [
      'the spec switch, active while it is set',
      { id: 'spec', cause: 'SpecEmergencyStop', since },
      { id: 'spec', cause: 'operator', message: '', sinceMs: Date.parse(since), conditionActive: true },
    ],
  ])('%s', (_, latch, want) => {
    expect(operatorLatch(roaster({}, latch ? { latch } : {}))).toEqual(want);
  });
});

describe('limitsOf', () => {
  it('passes the levels and the roasting ceiling, nothing else', () => {
    const limits = { heater: { max: 7 }, temperatureCeilingsCelsius: { roasting: 225, preheat: 250 } };
    expect(limitsOf(roaster({ limits }))).toEqual({ heater: { max: 7 }, maxBeanTemp: 225 });
    expect(limitsOf(roaster())).toEqual({});
  });
});
