import type { Reading } from '../driver/reading.ts';
import { seconds } from '../durations.ts';
import { selfHeating } from './interlocks.ts';

// What the safe state (heater 0, fan up, held) achieved, in words a person can act on. It sets the heater
// level; it cannot stop the heat the R1 adds by itself while preheating or holding for a charge, where its
// own thermostat heats toward the preheat setpoint whatever the heater level says. Pressing PRS would not
// help from there (it leads on toward a roast) and an emergency stop never presses PRS, so the person
// must stop the preheat on the roaster itself. The API's outcomes (Succeeded, Failed, Unknown) have no
// word for "done, and the roaster still heats": the message carries it.

export type SafeStateReport = {
  /** A block showed heater 0: the edge's safe state is in force. */
  readonly confirmed: boolean;
  /** Confirmed, and the roaster is not heating by itself either. */
  readonly safe: boolean;
  readonly message: string;
};

/** The report once the safe state was entered: `shown` is the first block with heater 0, if one came. */
export function safeStateReport(shown: Reading | undefined, waitedMs: number): SafeStateReport {
  if (shown === undefined) {
    return {
      confirmed: false,
      safe: false,
      message: `heater 0 not confirmed within ${seconds(waitedMs)}; still holding`,
    };
  }
  const held = `heater 0, fan ${shown.fan}`;
  if (!selfHeating(shown.state)) return { confirmed: true, safe: true, message: held };
  const doing = shown.state === 'charge' ? 'holding its charge temperature' : 'preheating';
  return {
    confirmed: true,
    safe: false,
    message:
      `${held}, but the roaster is ${doing} and still heating: its own thermostat heats toward ` +
      `${shown.preheatSetpoint} °C whatever the heater level, and a stop never presses PRS. Stop the preheat ` +
      'on the roaster itself (its panel or power switch); the interlocks stay armed, and the latch holds ' +
      'until it is reset',
  };
}
