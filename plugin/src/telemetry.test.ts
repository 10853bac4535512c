import { describe, expect, it } from 'vitest';
import { onOrigin } from './telemetry.ts';

const point = (time: string, t: number) => ({ t, time, heater: 7, fan: 1, drum: 1, stateCode: 2 });

describe('points already read when the origin moves', () => {
  const before = [point('2026-12-07T10:00:00.000Z', 0), point('2026-12-07T10:00:30.500Z', 30.5)];
  const first = { time: '2026-12-07T10:00:00.000Z', from: 'firstPoint' as const };
  const charge = { time: '2026-12-07T10:01:00.000Z', from: 'charge' as const };

  it('are put on the charge once there is one, negative before it', () => {
    expect(onOrigin(before, first, charge).map((p) => p.t)).toEqual([-60, -29.5]);
  });

  it('stay as they are while the origin stays, or when the answer names none', () => {
    expect(onOrigin(before, first, first)).toBe(before);
    expect(onOrigin(before, first, undefined)).toBe(before);
  });
});
