// The dispatch contract on a real API server: a command is recorded Dispatched, with a compare-and-swap on
// the proposal's resourceVersion, before the link is given it; an EmergencyStop is given to the link first
// and recorded after; and two operators acting at once — no leader election between them, as after a
// split brain — still send every command once, because only the one whose write won sends.
import { join } from 'node:path';
import { eventually } from '@roast-operator/control-plane';
import type { LogLine, OperatorProcess } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Roastery } from '../support/roastery.ts';

let roastery: Roastery;
let operators: OperatorProcess[];

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'operator-dispatch',
    script: join(import.meta.dirname, 'fixtures/operator.ts'),
    operatorArgs: ['--no-leader-elect', '--canary-period=30s'],
  });
  const second = roastery.spawnOperator();
  await second.waitUntilReady();
  operators = [roastery.operator, second];
  for (const name of ['racy', 'stopper']) {
    await roastery.roaster(name, { autonomy: { level: 'L3' } });
    await roastery.link(name);
  }
});

afterAll(() => roastery?.stop());

const sends = (uid: string | undefined): LogLine[] =>
  operators
    .flatMap((o) => o.logs.filter((l) => l.msg === 'test link: sent' && l.uid === uid))
    .sort((a, b) => Date.parse(String(a.time)) - Date.parse(String(b.time)));

/** The link logs a send once it has it; the phase may be recorded a moment before. */
async function sent(uid: string | undefined): Promise<LogLine[]> {
  await eventually(() => expect(sends(uid).length).toBeGreaterThan(0));
  return sends(uid);
}

describe('dispatch', () => {
  it('records a command Dispatched before the link has it', async () => {
    const created = await roastery.propose('alice', 'recorded-first', 'racy', { type: 'SetDrum', target: 6 });
    await roastery.phase('recorded-first', 'Dispatched');
    const [first, ...again] = await sent(created.metadata.uid);
    expect(again).toEqual([]);
    expect(first?.recordedPhase).toBe('Dispatched');
  });

  it('gives an EmergencyStop to the link before recording it', async () => {
    const created = await roastery.propose('alice', 'sent-first', 'stopper', { type: 'EmergencyStop' });
    await roastery.phase('sent-first', 'Dispatched');
    // The first send came before any record. The other operator may send it again after reading the
    // record late: a stop is absolute and idempotent, so that is allowed.
    const [first] = await sent(created.metadata.uid);
    expect(first?.recordedPhase).not.toBe('Dispatched');
  });

  it('sends every command once while two operators race for it', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `race-${i}`);
    const created = await Promise.all(
      names.map((name, i) =>
        roastery.propose('alice', name, 'racy', { type: 'SetFan', target: 1 + (i % 12) }),
      ),
    );
    for (const name of names) await roastery.phase(name, 'Dispatched');
    for (const p of created) expect(await sent(p.metadata.uid), p.metadata.name).toHaveLength(1);
    // They did race: a write lost its compare-and-swap, or each operator sent some of the commands.
    const lost = operators.flatMap((o) =>
      o.logs.filter((l) => l.msg === 'proposal changed while governed; reading again'),
    );
    const senders = operators.filter((o) =>
      o.logs.some((l) => l.msg === 'test link: sent' && String(l.proposal).startsWith('race-')),
    );
    expect(lost.length + (senders.length === 2 ? 1 : 0)).toBeGreaterThan(0);
  });
});
