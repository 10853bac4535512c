// The operator proves the admission guard is live: with the chart's policy in place it is ready and
// dispatches; delete the policy's binding or weaken the policy and, within the canary period, /readyz
// fails, the roasters say why, an Event is recorded on the operator's pod, and nothing is dispatched until
// the guard is back. Policies change asynchronously, so every wait is bounded, never a sleep.
import { join } from 'node:path';
import { eventually } from '@roast-operator/control-plane';
import type { LogLine } from '@roast-operator/test-env';
import { installChart } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorPod, Roastery, releaseNamespace } from '../support/roastery.ts';

const canaryPeriodMs = 2000;
// The period, plus the moment the API server takes to apply a policy change, plus a probe round trip.
const withinCanaryPeriod = canaryPeriodMs + 8000;

let roastery: Roastery;
let serial = 0;

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'operator-canary',
    script: join(import.meta.dirname, 'fixtures/operator.ts'),
    operatorArgs: [`--canary-period=${canaryPeriodMs}ms`],
  });
  await roastery.roaster('guarded', { autonomy: { level: 'L3' } });
  await roastery.link('guarded');
});

afterAll(() => roastery?.stop());

const isSend = (proposal: string) => (l: LogLine) => l.msg === 'test link: sent' && l.proposal === proposal;
const sent = (proposal: string) => roastery.operator.logs.some(isSend(proposal));

/** A person's command, which the governor allows at L3: it goes as soon as dispatch is allowed. */
async function propose(): Promise<string> {
  const name = `step-${++serial}`;
  await roastery.propose('alice', name, 'guarded', { type: 'SetDrum', target: 4 + (serial % 4) });
  return name;
}

async function expectNotReady(): Promise<void> {
  await eventually(async () => {
    const { status, body } = await roastery.operator.probe('/readyz');
    expect(status).toBe(503);
    expect(body).toContain('[-]admission-guard failed: admission guard not live');
  }, withinCanaryPeriod);
  await roastery.condition('guarded', 'Ready', 'False', 'AdmissionGuardNotLive');
}

/** While the guard is down, an approved command waits, saying why, and is not sent. */
async function expectNoDispatch(): Promise<string> {
  const name = await propose();
  await roastery.phase(name, 'Approved');
  await eventually(async () => {
    const p = await roastery.get('proposal', name);
    expect(p.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Reconciling', status: 'True', reason: 'GuardNotLive' }),
    );
  });
  expect(sent(name)).toBe(false);
  return name;
}

/** helm puts the chart's policies back; the operator trusts them again and sends what waited. */
async function restoreAndResume(waiting: string): Promise<void> {
  await installChart(roastery.plane, {
    release: 'roast-operator',
    namespace: releaseNamespace,
    forceConflicts: true,
  });
  await roastery.operator.waitUntilReady(withinCanaryPeriod + 10_000);
  await roastery.phase(waiting, 'Dispatched');
  // The link logs a send once it has it, a moment after the phase is recorded.
  await roastery.operator.logged(isSend(waiting));
}

describe('the admission guard canary', () => {
  it('finds the guard live: ready, and commands are sent', async () => {
    expect((await roastery.operator.probe('/readyz')).body).toContain('[+]admission-guard ok');
    const name = await propose();
    await roastery.phase(name, 'Dispatched');
    await roastery.operator.logged(isSend(name));
  });

  it("fails closed within the canary period when the policy's binding is deleted", async () => {
    await roastery.plane.kubectl(['delete', 'validatingadmissionpolicybinding', 'roast-proposal-create']);
    await expectNotReady();
    await eventually(async () => {
      const events = await roastery.events(operatorPod, releaseNamespace);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'Warning',
          reason: 'AdmissionGuardNotLive',
          note: expect.stringContaining('was admitted'),
        }),
      );
    });
    await restoreAndResume(await expectNoDispatch());
    await roastery.condition('guarded', 'Ready', 'True', 'Ready');
  });

  it('fails closed within the canary period when the policy is weakened', async () => {
    // Drop the rule that refuses an approval at create; the other rules still refuse the canary, for
    // other reasons, which is not proof that the guard holds.
    await roastery.plane.kubectl([
      'patch',
      'validatingadmissionpolicy',
      'roast-proposal-create',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: '/spec/validations/0' }]),
    ]);
    await expectNotReady();
    await restoreAndResume(await expectNoDispatch());
  });
});
