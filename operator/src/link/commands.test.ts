import { describe, expect, it } from 'vitest';
import { mayReport } from './commands.ts';

const command = { namespace: 'roastery', name: 'p', uid: 'p-uid', roasterUid: 'r1' };

describe('mayReport', () => {
  it.each([
    ['the stream of the roaster and boot it was sent to', { ...command, bootEpoch: 'b1' }, 'r1', 'b1', true],
    [
      'another boot of that roaster: not the edge it went to',
      { ...command, bootEpoch: 'b1' },
      'r1',
      'b2',
      false,
    ],
    ["another roaster's stream", { ...command, bootEpoch: 'b1' }, 'r2', 'b1', false],
    [
      'any boot of the roaster, for a command asked about or sent by a predecessor',
      command,
      'r1',
      'b9',
      true,
    ],
    ["another roaster's stream, for one asked about", command, 'r2', 'b9', false],
    ['a proposal of no roaster this stream serves', { ...command, roasterUid: '' }, 'r1', 'b1', false],
  ] as const)('%s', (_, c, roasterUid, bootEpoch, allowed) => {
    expect(mayReport(c, { roasterUid, bootEpoch })).toBe(allowed);
  });
});
