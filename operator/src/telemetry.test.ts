import { describe, expect, it } from 'vitest';
import { sessionSource } from './telemetry.ts';

const device = { serial: '', firmware: '', sourceDetail: '' };

describe('sessionSource', () => {
  it.each([
    [
      'a simulated roaster by its seed',
      { model: 'Simulated', sourceDetail: 'seed 42' },
      { type: 'Simulated', seed: 42 },
    ],
    [
      'a simulated roaster without a readable seed still as simulated',
      { model: 'Simulated', sourceDetail: 'seed ?' },
      { type: 'Simulated', seed: 0 },
    ],
    [
      'a replay by its recording',
      { model: 'Replay', sourceDetail: '25-08-17_1612.alog' },
      { type: 'Replay', file: '25-08-17_1612.alog' },
    ],
    [
      'a physical R1 by serial and firmware',
      { model: 'AillioBulletR1V2', serial: 'R1-0042', firmware: '281' },
      { type: 'Device', serial: 'R1-0042', firmware: '281' },
    ],
    [
      'a physical R1 without a firmware string',
      { model: 'AillioBulletR1', serial: 'R1-7' },
      { type: 'Device', serial: 'R1-7' },
    ],
  ])('names %s', (_, hello, source) => {
    expect(sessionSource({ ...device, ...hello })).toEqual(source);
  });
});
