// The CommandProposal controller on a real API server, with the chart's RBAC and admission policies: how
// agents' and people's proposals are governed at each autonomy level, presence, the L4 envelope, one
// roaster's proposals governed one at a time, sessions, a disconnected roaster, and what `kubectl describe`
// shows. The link is the test operator's loopback link; the test writes what the edge would answer.
import { join } from 'node:path';
import { eventually } from '@roast-operator/control-plane';
import { rules } from '@roast-operator/governor';
import { sessionOfAnotherRoaster } from '@roast-operator/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespace, Roastery, userName } from '../support/roastery.ts';
import { governDelayAnnotation, governedMessage } from './fixtures/slow-governor.ts';

let roastery: Roastery;

const capped = ['capped-approvals', 'capped-unnamed', 'capped-ghost'] as const;

const heater = (target: number) => ({ type: 'SetHeater' as const, target });

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'operator-governance',
    script: join(import.meta.dirname, 'fixtures/operator.ts'),
    operatorArgs: ['--canary-period=30s', '--workers=4'],
  });
  const levels = {
    l1: 'L1',
    l2: 'L2',
    l3: 'L3',
    l4: 'L4',
    'l4-alone': 'L4',
    l5: 'L5',
    'l5-alone': 'L5',
  } as const;
  const roasters = { ...levels, 'slow-a': 'L3', 'slow-b': 'L3', offline: 'L3', stormy: 'L3' } as const;
  for (const [name, level] of Object.entries(roasters)) {
    await roastery.roaster(name, { autonomy: { level } });
    await roastery.link(name);
  }
  for (const name of capped) {
    await roastery.roaster(name, { autonomy: { level: 'L3' }, limits: { maxCommandsPerSession: 3 } });
    await roastery.link(name);
  }
});

afterAll(() => roastery?.stop());

describe('agent proposals', () => {
  it.each([
    ['l1', 'L1', rules.observeOnly],
    ['l2', 'L2', rules.adviceOnly],
  ])('end Blocked on %s, the rule in status', async (roaster, level, rule) => {
    await roastery.propose('advisor', `advice-${roaster}`, roaster, heater(6));
    const blocked = await roastery.phase(`advice-${roaster}`, 'Blocked');
    expect(blocked.status?.governor).toMatchObject({ decision: 'Deny', rule, level });
    expect(blocked.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Blocked' }),
    );
  });

  it('wait for a human at L3, who approves; the command is sent and succeeds', async () => {
    await roastery.propose('advisor', 'supervised', 'l3', heater(6));
    const waiting = await roastery.phase('supervised', 'AwaitingApproval');
    expect(waiting.status).toMatchObject({
      governor: { decision: 'RequireApproval', rule: rules.agentNeedsApproval, level: 'L3' },
      approvalPolicy: { selfApprovalAllowed: false },
      expiresAt: expect.any(String),
    });
    await roastery.decide('bob', 'supervised');
    const sent = await roastery.phase('supervised', 'Dispatched');
    await roastery.operator.logged((l) => l.msg === 'test link: sent' && l.uid === sent.metadata.uid);
    // Recorded Dispatched before the send; where it went is filled in once the send returns.
    await eventually(async () => {
      const { status } = await roastery.get('proposal', 'supervised');
      expect(status?.dispatch).toMatchObject({ node: 'roast-node-1', pod: 'roast-edge-test' });
    });
    await roastery.result('supervised', 'Succeeded');
    const done = await roastery.phase('supervised', 'Succeeded');
    expect(done.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    );
  });

  it('at L4, one step inside the envelope goes on its own; a larger one or a second pending step waits', async () => {
    // A human marks being at the roaster; the Roaster's effective level shows the operator saw it.
    await roastery.session('l4-roast', 'l4', 'alice', { marks: ['present'] });
    await eventually(async () => {
      expect((await roastery.get('roaster', 'l4')).status?.effectiveAutonomy?.level).toBe('L4');
    });
    await roastery.propose('advisor', 'l4-step', 'l4', heater(6));
    const step = await roastery.phase('l4-step', 'Dispatched');
    expect(step.status?.governor).toMatchObject({ decision: 'Allow', rule: rules.envelope, level: 'L4' });

    await roastery.propose('advisor', 'l4-second', 'l4', { type: 'SetFan', target: 7 });
    await roastery.propose('advisor', 'l4-larger', 'l4', heater(8));
    for (const name of ['l4-second', 'l4-larger']) {
      const held = await roastery.phase(name, 'AwaitingApproval');
      expect(held.status?.governor).toMatchObject({
        decision: 'RequireApproval',
        rule: rules.outsideEnvelope,
      });
    }
    expect((await roastery.get('proposal', 'l4-second')).status?.governor?.reasons?.join(' ')).toContain(
      'not finished yet',
    );
    expect((await roastery.get('proposal', 'l4-larger')).status?.governor?.reasons?.join(' ')).toContain(
      '3 steps',
    );
  });

  it.each([['l4-alone'], ['l5-alone']])(
    'on %s, raise energy only with a human seen in the last 5 minutes',
    async (roaster) => {
      await roastery.propose('advisor', `${roaster}-raise`, roaster, heater(6));
      const held = await roastery.phase(`${roaster}-raise`, 'AwaitingApproval');
      expect(held.status?.governor).toMatchObject({ rule: rules.presenceRequired, level: 'L3' });
      await roastery.condition(roaster, 'AutonomyDegraded', 'True', 'NoHumanPresent');
    },
  );

  it('at L5 with a human present, go on their own and the people at the roaster are told', async () => {
    await roastery.propose('alice', 'l5-by-alice', 'l5', { type: 'SetDrum', target: 6 });
    await roastery.phase('l5-by-alice', 'Dispatched');
    await roastery.propose('advisor', 'l5-step', 'l5', heater(7));
    const auto = await roastery.phase('l5-step', 'Dispatched');
    expect(auto.status?.governor).toMatchObject({ decision: 'Allow', rule: rules.autonomous, level: 'L5' });
    await eventually(async () => {
      const told = (await roastery.events('l5')).find((e) => e.reason === 'AutonomousCommand');
      expect(told?.note).toContain('l5-step');
    });
  });
});

describe('serial governing', () => {
  it('never governs two proposals of one roaster at the same time, while other roasters go side by side', async () => {
    const slow = { annotations: { [governDelayAnnotation]: '400' } };
    const names = ['slow-a', 'slow-b'].flatMap((r) => [1, 2, 3].map((i) => [r, `${r}-${i}`] as const));
    await Promise.all(names.map(([r, name]) => roastery.propose('advisor', name, r, heater(6), slow)));
    for (const [, name] of names) await roastery.phase(name, 'AwaitingApproval');

    const runs = roastery.operator.logs
      .filter((l) => l.msg === governedMessage)
      .map((l) => ({ roaster: l.roaster as string, began: l.began as number, ended: l.ended as number }));
    expect(runs).toHaveLength(6);
    const overlap = (a: (typeof runs)[number], b: (typeof runs)[number]) =>
      a.began < b.ended && b.began < a.ended;
    const pairs = runs.flatMap((a, i) => runs.slice(i + 1).map((b) => [a, b] as const));
    const sameRoaster = pairs.filter(([a, b]) => a.roaster === b.roaster);
    expect(sameRoaster.filter(([a, b]) => overlap(a, b))).toEqual([]);
    // The check can fail: different roasters were governed at the same time.
    expect(pairs.some(([a, b]) => a.roaster !== b.roaster && overlap(a, b))).toBe(true);
  });
});

describe('sessions', () => {
  it("owns its roaster's proposals, and a proposal naming another roaster's session is Blocked", async () => {
    const session = await roastery.session('l3-roast', 'l3', 'alice');
    await roastery.propose('advisor', 'own-session', 'l3', heater(6), { sessionRef: { name: 'l3-roast' } });
    await eventually(async () => {
      const owned = await roastery.get('proposal', 'own-session');
      expect(owned.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'RoastSession',
          name: 'l3-roast',
          uid: session.metadata.uid,
          controller: true,
        }),
      ]);
    });
    await roastery.propose('advisor', 'other-session', 'l4', heater(6), { sessionRef: { name: 'l3-roast' } });
    const blocked = await roastery.phase('other-session', 'Blocked');
    expect(blocked.status?.governor).toMatchObject({ decision: 'Deny', rule: sessionOfAnotherRoaster });
    expect(blocked.metadata.ownerReferences ?? []).toEqual([]);
  });
});

describe('the per-session command maximum (3)', () => {
  /** alice plans a session on the roaster, and the operator makes it the running one. */
  async function running(roaster: string): Promise<string> {
    const name = `${roaster}-roast`;
    await roastery.session(name, roaster, 'alice');
    await eventually(async () => {
      expect((await roastery.get('roaster', roaster)).status?.activeSession?.name).toBe(name);
    });
    return name;
  }

  const sent = (proposal: string) =>
    roastery.operator.logs.filter((l) => l.msg === 'test link: sent' && l.proposal === proposal).length;

  it('holds against approvals beyond it: bob approves 5 of the advisor’s commands, 3 are sent', async () => {
    const session = await running('capped-approvals');
    const names = [1, 2, 3, 4, 5].map((i) => `capped-approved-${i}`);
    for (const name of names) {
      await roastery.propose('advisor', name, 'capped-approvals', heater(6), {
        sessionRef: { name: session },
      });
      await roastery.phase(name, 'AwaitingApproval');
    }
    // Every approval lands before anything is sent: the link drops while bob approves, and comes back.
    await roastery.link('capped-approvals', { phase: 'Disconnected' });
    for (const name of names) {
      await roastery.decide('bob', name);
      await roastery.phase(name, 'Approved');
    }
    await roastery.link('capped-approvals');
    const ended = await Promise.all(names.map((n) => roastery.phase(n, ['Dispatched', 'Aborted'])));
    expect(ended.map((p) => p.status?.phase)).toEqual([
      'Dispatched',
      'Dispatched',
      'Dispatched',
      'Aborted',
      'Aborted',
    ]);
    const refusal = ended[3]!.status?.conditions?.find((c) => c.type === 'Ready');
    expect(refusal?.message).toContain('has already sent 3 of its 3 commands');
    expect(refusal?.message).toContain('spec.limits.maxCommandsPerSession');
    await eventually(() => expect(names.map(sent)).toEqual([1, 1, 1, 0, 0]));
  });

  it.each([
    ['leave sessionRef out', 'capped-unnamed', undefined],
    ['name a session that does not exist', 'capped-ghost', 'no-such-session'],
  ])(
    'holds against proposals that %s: alice’s 4th command is Blocked, a stop and a reset still go',
    async (_, roaster, names) => {
      await running(roaster);
      const extra = names === undefined ? {} : { sessionRef: { name: names } };
      for (const i of [1, 2, 3]) {
        await roastery.propose('alice', `${roaster}-${i}`, roaster, heater(4 + i), extra);
        await roastery.phase(`${roaster}-${i}`, 'Dispatched');
      }
      await roastery.propose('alice', `${roaster}-4`, roaster, heater(8), extra);
      const blocked = await roastery.phase(`${roaster}-4`, 'Blocked');
      expect(blocked.status?.governor).toMatchObject({ decision: 'Deny', rule: rules.maxPerSession });
      expect(blocked.status?.governor?.reasons?.join(' ')).toContain(`${roaster}-roast has used 3 of its 3`);

      // The maximum never refuses the safe direction, nor the reset that follows it.
      await roastery.propose('alice', `${roaster}-stop`, roaster, { type: 'EmergencyStop' }, extra);
      await roastery.phase(`${roaster}-stop`, 'Dispatched');
      const latched = await roastery.condition(roaster, 'EmergencyStopLatched', 'True');
      await roastery.result(`${roaster}-stop`, 'Succeeded');
      const latchId = latched.status!.latch!.id;
      await roastery.propose('alice', `${roaster}-reset`, roaster, { type: 'ResetLatch', latchId }, extra);
      const reset = await roastery.phase(`${roaster}-reset`, 'Dispatched');
      expect(reset.status?.governor?.rule).toBe(rules.resetAllowed);
    },
  );
});

describe('a disconnected roaster', () => {
  it('keeps an approved proposal waiting, then expires it with that reason', async () => {
    await roastery.propose('advisor', 'offline-step', 'offline', heater(6), { ttlSeconds: 6 });
    await roastery.phase('offline-step', 'AwaitingApproval');
    await roastery.link('offline', { phase: 'Disconnected' });
    await roastery.decide('bob', 'offline-step');
    const waiting = await roastery.phase('offline-step', 'Approved');
    await eventually(async () => {
      const p = await roastery.get('proposal', 'offline-step');
      expect(p.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'Reconciling', status: 'True', reason: 'Disconnected' }),
      );
    });
    expect(waiting.status?.dispatch).toBeUndefined();
    const expired = await roastery.phase('offline-step', 'Expired', 15_000);
    const ready = expired.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'Expired' });
    expect(ready?.message).toContain('not connected to its edge agent');
    expect(
      roastery.operator.logs.some((l) => l.msg === 'test link: sent' && l.proposal === 'offline-step'),
    ).toBe(false);
  });
});

describe('a label storm', () => {
  it('cannot delay a deadline: an approver relabelling the proposal in a tight loop, it still expires within a second', async () => {
    await roastery.propose('advisor', 'stormed', 'stormy', heater(6), { ttlSeconds: 5 });
    const waiting = await roastery.phase('stormed', 'AwaitingApproval');
    const expiresAt = Date.parse(waiting.status?.expiresAt ?? '');
    let storming = true;
    let patches = 0;
    const storm = (async () => {
      // bob's own credentials, as fast as the API server answers, until the proposal has ended.
      while (storming) {
        await roastery
          .api('proposal', 'bob')
          .patch(
            namespace,
            'stormed',
            { metadata: { labels: { storm: String(patches++) } } },
            { type: 'merge' },
          );
      }
    })();
    try {
      let endedAt = 0;
      await eventually(async () => {
        const p = await roastery.get('proposal', 'stormed');
        expect(p.status?.phase).toBe('Expired');
        endedAt = Date.now();
      }, 15_000);
      expect(patches).toBeGreaterThan(10);
      // Observed by polling every 100 ms: the expiry itself came earlier than this.
      expect(endedAt - expiresAt).toBeLessThanOrEqual(1000);
    } finally {
      storming = false;
      await storm;
    }
  });
});

describe('kubectl describe', () => {
  it('shows every transition of a proposal: conditions and Events', async () => {
    const text = await roastery.describe('commandproposal', 'supervised');
    expect(text).toMatch(/Reason:\s+Succeeded\s+Status:\s+True\s+Type:\s+Ready/);
    expect(text).toMatch(/Reason:\s+Succeeded\s+Status:\s+False\s+Type:\s+Reconciling/);
    for (const reason of ['AwaitingApproval', 'Approved', 'Dispatched', 'Succeeded'])
      expect(text).toContain(reason);
    expect(text).toMatch(/Normal\s+Succeeded/);
    expect(text).toContain(`${userName('advisor')}`);
  });

  it("shows a roaster's autonomy conditions and their Events", async () => {
    const text = await roastery.describe('roaster', 'l4-alone');
    expect(text).toContain('AutonomyDegraded');
    expect(text).toMatch(/Warning\s+AutonomyDegraded/);
    expect(text).toContain('Effective autonomy is L3, below L4');
  });
});
