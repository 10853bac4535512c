import { R1State } from '@roast-operator/r1';
import { rateOfRise } from '@roast-operator/roast';
import { parseRecording } from '@roast-operator/roast/recordings';
import { describe, expect, it } from 'vitest';
import { bt, log, noMarks } from '../testing/recording.ts';
import { replayOf } from './replay.ts';

describe('replayOf', () => {
  it('sends the recorded BT, ET on bytes 8–11 and the logger RoR, and says so', () => {
    const replay = replayOf(parseRecording(log(), 'a'));
    expect(replay.frames.map((f) => f.t)).toEqual(bt.map((_, i) => 10 + 2 * i));
    expect(replay.frames.map((f) => f.status.bt)).toEqual(bt);
    expect(replay.frames.map((f) => f.status.dt)).toEqual(bt.map((v) => v + 40));
    expect(replay.frames.map((f) => f.status.btRor)).toEqual(bt.map((_, i) => i));
    expect(replay.channels).toMatchObject({
      bt: { origin: 'recorded' },
      ibts: { origin: 'recorded' },
      btRor: { origin: 'recorded' },
      exhaust: { origin: 'derived' },
      heater: { origin: 'derived' },
      state: { origin: 'derived' },
      clock: { origin: 'derived' },
    });
  });

  it('derives the state code and the roaster clock from CHARGE and DROP', () => {
    const frames = replayOf(parseRecording(log(), 'a')).frames;
    const { charge, roasting, cooling } = R1State;
    expect(frames.map((f) => f.status.state)).toEqual([
      ...[charge, charge],
      ...Array(10).fill(roasting),
      ...[cooling, cooling],
    ]);
    expect(frames.map((f) => f.status.clockMinutes * 60 + f.status.clockSeconds)).toEqual([
      0, 0, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
    ]);
  });

  it('plays a roast without marks as roasting throughout', () => {
    const frames = replayOf(parseRecording(log({ events: noMarks }), 'a')).frames;
    expect(new Set(frames.map((f) => f.status.state))).toEqual(new Set([R1State.roasting]));
  });

  it('maps Artisan’s R1 sliders onto levels: the first value before it, the lowest level without any', () => {
    const replay = replayOf(parseRecording(log(), 'a'));
    // Burner 50 of 0–90 → 5 from the start; Air 30 of 10–120 → 3, then 100 → 10 from sample 6; Drum 70
    // of 10–90 → 7.
    expect(replay.frames.map((f) => f.status.heater)).toEqual(Array(bt.length).fill(5));
    expect(replay.frames.map((f) => f.status.fan)).toEqual([...Array(6).fill(3), ...Array(8).fill(10)]);
    expect(replay.frames.map((f) => f.status.drum)).toEqual(Array(bt.length).fill(7));
    const none = replayOf(parseRecording(log({ specialevents: [] }), 'a'));
    expect(none.frames.every((f) => f.status.heater === 0 && f.status.fan === 1 && f.status.drum === 1)).toBe(
      true,
    );
    expect(none.channels.fan.from).toBe('not logged: held at 1');
  });

  it.each([
    ['scottjames/coffee-roasting', 'Burner', 100, 'Air', 50, [9, 7]],
    ['jacciz/coffee_roasting_profiles', 'Drum', 9, 'Air', 5, [9, 7]],
  ])('maps %s’s controls onto R1 levels', (repo, heat, heatValue, fan, fanValue, [heater, fanLevel]) => {
    const replay = replayOf(
      parseRecording(
        log({
          source: { repo, path: 'a.alog', license: 'MIT' },
          specialevents: [
            { idx: 0, type: heat, value_pct: heatValue, label: '' },
            { idx: 0, type: fan, value_pct: fanValue, label: '' },
          ],
        }),
        'a',
      ),
    );
    expect(replay.frames[0]?.status).toMatchObject({ heater, fan: fanLevel, drum: 1 });
    expect(replay.channels.heater.from).toMatch(new RegExp(`^${heat} events`));
  });

  it('sends −1 for a missing BT and copies BT where ET was not recorded, deriving the rate of rise', () => {
    const withGap = bt.map((v, i) => (i === 5 ? -1 : v));
    const replay = replayOf(parseRecording(log({ bt: withGap, et: bt.map(() => 0), extras: null }), 'a'));
    expect(replay.frames.map((f) => f.status.bt)).toEqual(withGap);
    expect(replay.frames.map((f) => f.status.dt)).toEqual(withGap);
    expect(replay.channels.ibts).toEqual({ origin: 'derived', from: 'BT: the recording has no ET' });
    expect(replay.channels.btRor.origin).toBe('derived');
    // The analysis's rate of rise of the same readings; none (NaN) until its window holds enough of them.
    const rates = rateOfRise(replay.frames.map((f) => ({ t: f.t, value: f.status.bt })));
    expect(rates.length).toBeGreaterThan(0);
    expect(replay.frames.map((f) => f.status.btRor)).toEqual(
      replay.frames.map((f) => rates.find((r) => r.t === f.t)?.ror ?? Number.NaN),
    );
    expect(replay.frames[0]?.status.btRor).toBeNaN();
  });

  it('refuses a recording without samples', () => {
    const empty = log({ timex: [], bt: [], et: [], extras: null, specialevents: [], events: noMarks });
    expect(() => replayOf(parseRecording(empty, 'a'))).toThrow(/no samples/);
  });
});
