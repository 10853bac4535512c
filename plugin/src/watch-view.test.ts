import { proposal } from '@roast-operator/analytics/testing';
import { Roaster } from '@roast-operator/api';
import { SessionTelemetry } from '@roast-operator/telemetry-client';
import { describe, expect, it } from 'vitest';
import { eventLines, readingLine, renderWatch, sparkline } from './watch-view.ts';

const point = (t: number, bt: number | undefined) => ({
  t,
  time: new Date(Date.UTC(2026, 11, 7, 10, 0, 0) + (t + 30) * 1000).toISOString(),
  ...(bt !== undefined && { beanTemperatureCelsius: bt }),
  exhaustTemperatureCelsius: 190,
  beanRateOfRiseCelsiusPerMinute: 12.34,
  heater: 7,
  fan: 3,
  drum: 6,
  stateCode: 6,
});

const telemetry = SessionTelemetry.parse({
  apiVersion: 'telemetry.roasting.simcorp.io/v1alpha1',
  kind: 'RoastSessionTelemetry',
  session: { namespace: 'roastery', name: 'guji-1', uid: 'u', roaster: 'bullet-1', phase: 'Maillard' },
  events: {
    charge: {
      time: point(0, 0).time,
      secondsSinceCharge: 0,
      beanTemperatureCelsius: 200,
      source: 'StateCode',
    },
    dryEnd: {
      time: point(185, 0).time,
      secondsSinceCharge: 185.4,
      beanTemperatureCelsius: 150.26,
      source: 'Inferred',
    },
  },
  more: false,
  points: [point(-1, 200), point(60, 100), point(120, 120), point(185, 150.2)],
});

const latched = Roaster.parse({
  apiVersion: 'roasting.simcorp.io/v1alpha1',
  kind: 'Roaster',
  metadata: { name: 'bullet-1' },
  spec: { model: 'AillioBulletR1', binding: { nodeName: 'n' } },
  status: { latch: { id: 'stop-1', cause: 'EmergencyStopProposal', since: '2026-12-07T10:03:00Z' } },
});

describe('the watch view', () => {
  it('says the events in roast order with their time since charge and BT', () => {
    expect(eventLines(telemetry)).toEqual(['charge at 0:00, BT 200.0 °C', 'dry end at 3:05, BT 150.3 °C']);
  });

  it('shows the latest reading, and a reading before charge with a minus', () => {
    expect(readingLine(telemetry.points.at(-1))).toBe(
      '3:05  BT 150.2 °C  ET 190.0 °C  RoR 12.3 °C/min  heater 7 fan 3 drum 6',
    );
    expect(readingLine(telemetry.points[0])).toMatch(/^-0:01 {2}BT 200\.0 °C/);
    expect(readingLine(undefined)).toBe('no readings yet');
  });

  it.each([
    [4, '█▁▂▅'],
    [2, '▁█'],
    [100, '█▁▂▅'],
  ])('draws the BT curve in at most %d columns', (width, line) => {
    expect(sparkline(telemetry.points, width)).toBe(line);
  });

  it('skips missing readings and draws nothing without any', () => {
    expect(sparkline([point(0, undefined), point(1, 5)], 10)).toBe('▁');
    expect(sparkline([], 10)).toBe('');
  });

  it('shows the latch and the pending approvals, escaped and cut to the terminal width', () => {
    const pending = [proposal({ name: 'p\u001b[2J', type: 'Charge', phase: 'AwaitingApproval', age: 0 })];
    const view = renderWatch({ telemetry, roaster: latched, pending }, 200);
    expect(view.split('\n')).toEqual([
      'RoastSession guji-1 on bullet-1: Maillard',
      '3:05  BT 150.2 °C  ET 190.0 °C  RoR 12.3 °C/min  heater 7 fan 3 drum 6',
      '█▁▂▅',
      '  charge at 0:00, BT 200.0 °C',
      '  dry end at 3:05, BT 150.3 °C',
      'LATCHED stop-1 (EmergencyStopProposal) since 2026-12-07T10:03:00Z: kubectl roast reset bullet-1',
      'awaiting approval: p\\u001b[2J Charge by alice — kubectl roast approve p\\u001b[2J',
    ]);
    const narrow = renderWatch({ telemetry, roaster: undefined, pending: [] }, 30);
    expect(narrow.split('\n').every((l) => l.length <= 30)).toBe(true);
    expect(narrow).toContain('no proposals awaiting approval');
  });

  it('with keys, marks the selected proposal and shows the status line and the keys', () => {
    const pending = ['p-1', 'p-2'].map((name) =>
      proposal({ name, type: 'Charge', phase: 'AwaitingApproval', age: 0 }),
    );
    const view = renderWatch(
      { telemetry, roaster: undefined, pending, keys: { selected: 1, status: 'Approve Charge (p-2)? y/N' } },
      200,
    );
    expect(view.split('\n').slice(-4)).toEqual([
      '  awaiting approval: p-1 Charge by alice',
      '> awaiting approval: p-2 Charge by alice',
      'Approve Charge (p-2)? y/N',
      'keys: a approve · r reject · f first crack · n next · q quit',
    ]);
  });
});
