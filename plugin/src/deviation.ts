// A roast against the RoastProfile it follows, in words: what the operator wrote in status.deviation (bean
// temperature against the reference at the same time, the rate of rise of both, the lag, first crack and
// drop against their targets). Pure; `watch` prints the lines and the console shows them under its curve.
import type { ProfileDeviation, RoastSession } from '@roast-operator/api';
import { celsius, roastClock } from './text.ts';

const signed = (v: number, unit: string) => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(1)}${unit}`;
const rate = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));

type Projection = ProfileDeviation['firstCrack'];

function projection(name: string, e: Projection): string {
  if (!e) return `${name}: no target`;
  if (e.projectedSeconds === undefined)
    return `${name}: target ${roastClock(e.targetSeconds)}, not projected yet`;
  const offset =
    e.offsetSeconds === undefined
      ? []
      : [`${e.offsetSeconds >= 0 ? '+' : '-'}${Math.abs(e.offsetSeconds).toFixed(0)} s`];
  const verdict = e.onTarget === undefined ? [] : [e.onTarget ? 'on target' : 'OFF target'];
  const notes = [...offset, ...verdict];
  return `${name} ${e.reached ? 'at' : 'projected'} ${roastClock(e.projectedSeconds)} vs ${roastClock(e.targetSeconds)}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** The lines for a session: none without a profile; a sentence while the operator has written no deviation. */
export function deviationLines(session: RoastSession): string[] {
  const name = session.spec.profileRef?.name;
  if (name === undefined) return [];
  const d = session.status?.deviation;
  if (!d)
    return [
      `profile ${name}: no deviation yet (the operator writes it while the roast runs; a profile that does not exist gets none)`,
    ];
  const lag =
    d.lagSeconds === undefined
      ? ''
      : `, ${Math.abs(d.lagSeconds).toFixed(0)} s ${d.lagSeconds >= 0 ? 'behind' : 'ahead'}`;
  const offset = d.beanOffsetCelsius === undefined ? '' : ` (${signed(d.beanOffsetCelsius, ' °C')})`;
  return [
    `profile ${d.profile} at ${roastClock(d.secondsSinceCharge)}: BT ${celsius(d.beanCelsius)} vs ${celsius(d.referenceBeanCelsius)}${offset}, RoR ${rate(d.rateOfRiseCelsiusPerMinute)} vs ${rate(d.referenceRateOfRiseCelsiusPerMinute)} °C/min${lag}`,
    `${projection('first crack', d.firstCrack)}; ${projection('drop', d.drop)}`,
  ];
}
