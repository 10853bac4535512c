import { describe, expect, it } from 'vitest';
import type { R1Command } from './commands.ts';
import { nextStep, type R1Settings, type R1Targets } from './step.ts';

const at: R1Settings = { heater: 7, fan: 2, drum: 9 };

function apply(levels: R1Settings, command: R1Command): R1Settings {
  switch (command.kind) {
    case 'heater':
    case 'fan':
      return { ...levels, [command.kind]: levels[command.kind] + command.step };
    case 'drum':
      return { ...levels, drum: command.level };
    default:
      throw new Error(`nextStep sent ${command.kind}`);
  }
}

describe('nextStep', () => {
  it.each<[string, R1Settings, R1Targets, R1Command | undefined]>([
    ['nothing asked', at, {}, undefined],
    ['every target reached', at, { heater: 7, fan: 2, drum: 9 }, undefined],
    ['heater up', at, { heater: 9 }, { kind: 'heater', step: 1 }],
    ['heater down', at, { heater: 0 }, { kind: 'heater', step: -1 }],
    ['fan up', at, { fan: 12 }, { kind: 'fan', step: 1 }],
    ['fan down', at, { fan: 1 }, { kind: 'fan', step: -1 }],
    ['drum set absolutely', at, { drum: 1 }, { kind: 'drum', level: 1 }],
    ['heater before fan and drum', at, { heater: 0, fan: 12, drum: 1 }, { kind: 'heater', step: -1 }],
    [
      'fan before drum once the heater is there',
      at,
      { heater: 7, fan: 12, drum: 1 },
      { kind: 'fan', step: 1 },
    ],
    [
      'a level reported out of range stepped back',
      { heater: 12, fan: 0, drum: 9 },
      { heater: 9 },
      { kind: 'heater', step: -1 },
    ],
  ])('%s', (_, current, targets, command) => {
    expect(nextStep(current, targets)).toEqual(command);
  });

  it('reaches any target one command per valid block', () => {
    // A roaster that applies each command before its next block: heater and fan take |Δ| steps, drum one.
    let levels: R1Settings = { heater: 0, fan: 12, drum: 1 };
    const targets = { heater: 9, fan: 1, drum: 9 };
    const sent: R1Command[] = [];
    for (
      let command = nextStep(levels, targets);
      command && sent.length < 50;
      command = nextStep(levels, targets)
    ) {
      sent.push(command);
      levels = apply(levels, command);
    }
    expect(levels).toEqual(targets);
    expect(sent).toHaveLength(9 + 11 + 1);
  });

  it.each<[string, R1Targets]>([
    ['heater 10', { heater: 10 }],
    ['heater -1', { heater: -1 }],
    ['fan 0', { fan: 0 }],
    ['fan 13', { fan: 13 }],
    ['drum 0', { drum: 0 }],
    ['drum 4.5', { drum: 4.5 }],
  ])('refuses the unreachable target %s', (_, targets) => {
    expect(() => nextStep(at, targets)).toThrow(RangeError);
  });
});
