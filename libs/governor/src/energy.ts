import type { Command, RoasterStatus } from '@roast-operator/api';

/** Which way a command moves the energy going into the beans. */
export type EnergyEffect = 'raises' | 'lowers' | 'holds';

export type Levels = NonNullable<RoasterStatus['levels']>;

type Change = 'up' | 'down' | 'same' | 'unknown';

function change(target: number | undefined, current: number | undefined): Change {
  if (target === undefined || current === undefined) return 'unknown';
  if (target > current) return 'up';
  return target < current ? 'down' : 'same';
}

// An unknown current level could hide a raise, so it counts as one.
const heaterEffect: Readonly<Record<Change, EnergyEffect>> = {
  up: 'raises',
  down: 'lowers',
  same: 'holds',
  unknown: 'raises',
};

// Less air carries less heat out of the drum: slowing the fan raises the energy the beans get.
const fanEffect: Readonly<Record<Change, EnergyEffect>> = {
  up: 'lowers',
  down: 'raises',
  same: 'holds',
  unknown: 'raises',
};

/**
 * Whether a command raises, lowers or holds the energy going into the beans, against the levels the roaster
 * last reported. Drum speed mixes the beans but adds no heat, so drum changes hold. Preheat and Charge start
 * heating (the empty drum, then the beans); Drop, Cool and EmergencyStop take heat away.
 */
export function energyEffect(command: Command, levels: Levels | undefined): EnergyEffect {
  switch (command.type) {
    case 'SetHeater':
      return heaterEffect[change(command.target, levels?.heater)];
    case 'SetFan':
      return fanEffect[change(command.target, levels?.fan)];
    case 'Preheat':
    case 'Charge':
      return 'raises';
    case 'Drop':
    case 'Cool':
    case 'EmergencyStop':
      return 'lowers';
    case 'SetDrum':
    case 'ResetLatch':
      return 'holds';
  }
}
