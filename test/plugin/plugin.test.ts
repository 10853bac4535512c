// kubectl roast against a real API server, through kubectl's own plugin mechanism, as alice (proposer and
// attendant) and bob (approver) with their own kubeconfigs: what the plugin does is what RBAC and the
// admission policies let each of them do, and a refusal reads as the policy's sentence.
import { join } from 'node:path';
import { CommandProposal, RoastSession } from '@roast-operator/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespace, Roastery } from '../support/roastery.ts';
import { KubectlRoast } from './testing/kubectl-roast.ts';

let roastery: Roastery;
let plugin: KubectlRoast;
const roaster = 'bullet-1';

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'plugin',
    script: join(import.meta.dirname, '../operator/fixtures/operator.ts'),
  });
  plugin = await KubectlRoast.install(roastery.plane);
  // At L3 a press needs a second person's approval; a person's own level change does not.
  await roastery.roaster(roaster, { autonomy: { level: 'L3' } });
  await roastery.link(roaster, { phase: 'Off' });
});

afterAll(async () => {
  await plugin?.[Symbol.asyncDispose]();
  await roastery?.stop();
});

const roast = (user: 'alice' | 'bob', args: readonly string[], input?: string) =>
  plugin.run(user, [...args, '-n', namespace], input);

/** alice proposes through the plugin; returns the name the API server gave the proposal. */
async function propose(words: readonly string[], rationale: string): Promise<string> {
  const proposed = await roast('alice', ['propose', roaster, ...words, '--rationale', rationale]);
  expect(proposed, proposed.stderr).toMatchObject({ code: 0 });
  const name = /: (bullet-1-[a-z]+-[a-z0-9]{5})\./.exec(proposed.stdout)?.[1];
  expect(name, proposed.stdout).toBeDefined();
  return name!;
}

describe('approvals', () => {
  it("shows the safety panel, refuses a rationale that could rewrite a terminal and alice's own approval with the policies' sentences, and records bob's", async () => {
    await roastery.grant('alice', 'roast-approver');
    const spoofing = await roast('alice', [
      'propose',
      roaster,
      'preheat',
      '--rationale',
      'warm up\u001b[2J for the first batch',
    ]);
    expect(spoofing.code).toBe(1);
    expect(spoofing.stderr).toContain('rationale must be one line of printable text');
    expect(spoofing.stderr).not.toContain('\u001b');
    const name = await propose(['preheat'], 'warm up for the first batch');
    await roastery.phase(name, 'AwaitingApproval');

    const own = await roast('alice', ['approve', name, '--yes']);
    expect(own.code).toBe(1);
    expect(own.stdout).toContain('Command:     Preheat from Off');
    expect(own.stdout).toContain('Rationale:   warm up for the first batch');
    expect(own.stdout).toMatch(/Governor:\s+RequireApproval by rule \S+ at L3/);
    expect(own.stderr.trim()).toBe(
      `Approving CommandProposal ${name} was refused by the admission policy roast-proposal-decision: separation of duties: alice proposed ${name} and may not decide it; another approver must (Roaster ${roaster} does not allow self-approval: spec.approvalPolicy.allowSelfApprovalForHumans). If you should be allowed, ask whoever administers the roastery for what the policy names; otherwise ask someone who holds it.`,
    );

    const declined = await roast('bob', ['approve', name], 'n\n');
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain(`Approve Preheat from Off on Roaster ${roaster} as bob? [y/N]`);
    expect(declined.stderr).toContain(`Nothing was done: approving ${name} was not confirmed.`);
    expect((await roastery.get('proposal', name)).spec.approval).toBeUndefined();

    const approved = await roast('bob', ['approve', name, '--reason', 'preheat is due'], 'y\n');
    expect(approved, approved.stderr).toMatchObject({ code: 0 });
    expect(approved.stdout).toContain(`Approved ${name} (Preheat from Off on Roaster ${roaster}) as bob.`);
    const decided = await roastery.phase(name, 'Dispatched');
    expect(decided.spec.approval).toEqual({
      decision: 'Approved',
      approver: 'bob',
      reason: 'preheat is due',
    });

    const again = await roast('bob', ['approve', name, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`CommandProposal ${name} is Dispatched, not AwaitingApproval`);
  });

  it('rejects only with a reason, and a rejection ends the proposal', async () => {
    const name = await propose(['preheat'], 'one more preheat');
    await roastery.phase(name, 'AwaitingApproval');
    const bare = await roast('bob', ['reject', name, '--yes']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('A rejection needs a reason');
    const rejected = await roast('bob', ['reject', name, '--reason', 'already preheating', '--yes']);
    expect(rejected, rejected.stderr).toMatchObject({ code: 0 });
    const ended = await roastery.phase(name, 'Rejected');
    expect(ended.spec.approval).toMatchObject({ decision: 'Rejected', approver: 'bob' });
  });

  it('refuses bob a proposal, saying who refused: he is no proposer', async () => {
    const refused = await roast('bob', ['propose', roaster, 'heater', '5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^Proposing SetHeater 5 on Roaster bullet-1 was refused by (RBAC|the admission policy \S+): /,
    );
  });
});

describe('stop and reset', () => {
  it('stops at once, then resets the latch it names only once the edge reports its interlocks clear', async () => {
    const stopped = await roast('alice', ['stop', roaster]);
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect(stopped.stdout).toMatch(
      /^Emergency stop of Roaster bullet-1 proposed as alice: bullet-1-emergencystop-\w{5}\./,
    );
    const latched = await roastery.condition(
      roaster,
      'EmergencyStopLatched',
      'True',
      'EmergencyStopProposal',
    );
    const latchId = latched.status!.latch!.id;

    await roastery.link(roaster, { phase: 'Off', interlocksClear: false });
    await roastery.condition(roaster, 'InterlocksClear', 'False');
    const early = await roast('alice', ['reset', roaster, '--yes']);
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(new RegExp(`^Latch:\\s+${latchId}$`, 'm'));
    expect(early.stdout).toMatch(/^Interlocks:\s+NOT clear$/m);
    expect(early.stderr).toContain(`the edge's interlocks on Roaster ${roaster} are not clear`);

    await roastery.link(roaster, { phase: 'Off', interlocksClear: true });
    await roastery.condition(roaster, 'InterlocksClear', 'True');
    const reset = await roast('alice', ['reset', roaster], 'yes\n');
    expect(reset, reset.stderr).toMatchObject({ code: 0 });
    expect(reset.stdout).toMatch(/^Interlocks:\s+clear$/m);
    expect(reset.stderr).toContain(
      `Reset latch ${latchId} (EmergencyStopProposal) on Roaster ${roaster} as alice? [y/N]`,
    );
    const proposal = /: (bullet-1-resetlatch-\w{5})\./.exec(reset.stdout)?.[1];
    expect((await roastery.get('proposal', proposal!)).spec.command).toEqual({ type: 'ResetLatch', latchId });
    await roastery.condition(roaster, 'EmergencyStopLatched', 'False', 'NotLatched');

    const nothing = await roast('alice', ['reset', roaster, '--yes']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr.trim()).toBe(`Roaster ${roaster} is not latched: there is nothing to reset.`);
  });
});

describe('plans', () => {
  it("plans alice's next batch following a RoastProfile; bob, no proposer, is refused", async () => {
    await roastery.api('profile').create({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'RoastProfile',
      metadata: { name: 'guji-light', namespace },
      spec: {
        coffee: 'Guji',
        batchGrams: 400,
        curve: { seconds: [0, 90, 600], beanCelsius: [200, 100, 209.5] },
        targets: {
          firstCrack: { seconds: 480, toleranceSeconds: 20 },
          drop: { seconds: 600, toleranceSeconds: 15, beanCelsius: 209.5 },
        },
      },
    } as never);
    const planned = await roast('alice', ['plan', roaster, '--name', 'guji-2', '--profile', 'guji-light']);
    expect(planned, planned.stderr).toMatchObject({ code: 0 });
    expect(planned.stdout).toMatch(
      /^Planned RoastSession guji-2 on Roaster bullet-1 for Guji following RoastProfile guji-light\./,
    );
    const session = RoastSession.parse(await roastery.api('session').get(namespace, 'guji-2'));
    expect(session.spec).toEqual({
      roasterRef: { name: roaster },
      profileRef: { name: 'guji-light' },
      profile: {
        coffee: 'Guji',
        batchGrams: 400,
        totalSeconds: 600,
        dropTemperatureCelsius: 209.5,
        developmentRatioPercent: 20,
      },
    });
    const bob = await roast('bob', ['plan', roaster, '--profile', 'guji-light']);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toMatch(
      /^Planning a RoastSession on Roaster bullet-1 was refused by (RBAC|the admission policy \S+): /,
    );
    const missing = await roast('alice', ['plan', roaster, '--profile', 'guji-dark']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Reading RoastProfile guji-dark .*not found/i);
  });
});

describe('marks', () => {
  it("appends alice's marks with her name; bob, without the mark verb, is refused by the policy", async () => {
    await roastery.session('guji-1', roaster, 'alice');
    const first = await roast('alice', ['mark', 'guji-1', 'first-crack', '--note', 'rolling loud']);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(first.stdout).toBe('Marked first-crack on RoastSession guji-1 as alice.\n');
    expect((await roast('alice', ['mark', 'guji-1', 'present'])).code).toBe(0);
    const session = RoastSession.parse(await roastery.api('session').get(namespace, 'guji-1'));
    expect(session.spec.marks).toEqual([
      { type: 'firstCrack', by: 'alice', note: 'rolling loud' },
      { type: 'present', by: 'alice' },
    ]);

    const bob = await roast('bob', ['mark', 'guji-1', 'dry-end']);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toMatch(
      /^Marking dry-end on RoastSession guji-1 was refused by (RBAC|the admission policy \S+): /,
    );
  });
});

describe('history, get and summary', () => {
  it('filters by status, type, roaster and limit, newest first', async () => {
    const all = (await roastery.api('proposal').list({ namespace })).items.map((p) =>
      CommandProposal.parse(p),
    );
    const json = async (args: string[]) => {
      const r = await roast('bob', [...args, '-o', 'json']);
      expect(r, r.stderr).toMatchObject({ code: 0 });
      return CommandProposal.array()
        .parse(JSON.parse(r.stdout))
        .map((p) => p.metadata.name);
    };
    expect(await json(['history', '--status', 'rejected'])).toEqual(
      all.filter((p) => p.status?.phase === 'Rejected').map((p) => p.metadata.name),
    );
    expect(await json(['history', '--type', 'stop,reset', '--roaster', roaster])).toHaveLength(2);
    expect(await json(['history', '--type', 'heater'])).toEqual([]);
    const newest = await json(['history', '--limit', '2']);
    expect(newest).toHaveLength(2);
    expect(newest[0]).toMatch(/resetlatch/);

    const table = await roast('bob', ['history', '--type', 'preheat', '--status', 'rejected']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+ROASTER\s+COMMAND\s+PHASE\s+GOVERNOR/);
    expect(table.stdout).toMatch(/bullet-1-preheat-\w{5}\s+bullet-1\s+Preheat from Off\s+Rejected/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
    const none = await roast('bob', ['get', '--session', 'no-such-session']);
    expect(none.stdout).toBe(`No proposals in namespace ${namespace} match.\n`);
  });

  it('sums up the namespace from the proposals the API server holds', async () => {
    const all = (await roastery.api('proposal').list({ namespace })).items.map((p) =>
      CommandProposal.parse(p),
    );
    const r = await roast('alice', ['summary', '-o', 'json']);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    const summary = JSON.parse(r.stdout);
    expect(summary.last24h).toMatchObject({ proposed: all.length, rejected: 1 });
    expect(summary.last7d.proposed).toBe(all.length);
    expect(summary.pendingApprovals).toEqual([]);
    expect(summary.byType.map((t: { type: string }) => t.type).sort()).toEqual(
      [...new Set(all.map((p) => p.spec.command.type))].sort(),
    );
    const text = await roast('alice', ['summary']);
    expect(text.stdout).toMatch(/^24h\s+\d+/m);
    expect(text.stdout).toContain('Pending approvals: 0');
  });
});

describe('completion', () => {
  it("completes commands, roasters, sessions and the words after them through kubectl's __complete", async () => {
    const lines = async (words: string[]) => {
      const r = await plugin.complete('alice', words);
      expect(r, r.stderr).toMatchObject({ code: 0 });
      return r.stdout.trim().split('\n');
    };
    expect(await lines(['ap'])).toEqual(['approve', ':4']);
    expect(await lines(['-n', namespace, 'stop', ''])).toEqual([roaster, ':4']);
    expect(await lines(['-n', namespace, 'mark', 'guji-1', 'first'])).toEqual([
      'first-crack',
      'first-crack-end',
      ':4',
    ]);
    expect(await lines(['-n', namespace, 'export', 'g'])).toEqual(['guji-1', 'guji-2', ':4']);
  });
});

describe('the connection', () => {
  it('takes --kubeconfig and --context as kubectl does, and says what is wrong with them', async () => {
    const wrong = await plugin.run('alice', ['get', '--context', 'nowhere', '-n', namespace]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^The kubeconfig has no context nowhere: it has \S+/);
    const missing = await plugin.run('alice', ['get', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(missing.stderr).toMatch(/^The kubeconfig \/nonexistent\/kubeconfig could not be read/);
  });
});
