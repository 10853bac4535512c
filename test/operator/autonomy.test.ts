// The Roaster controller's autonomy side on a real API server: the circuit breaker lowering the effective
// level on repeated failures of real sessions (never simulated ones) and restoring it, and the emergency
// stop — never Blocked, latching, and cleared only by a ResetLatch naming the latch, once Git's kill switch
// is off and the edge reports its interlocks clear. The operator writes only roast-autonomy's fields.
import { join } from 'node:path';
import { fieldManagers } from '@roast-operator/api';
import { eventually } from '@roast-operator/control-plane';
import { rules } from '@roast-operator/governor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, Roastery } from '../support/roastery.ts';

let roastery: Roastery;

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'operator-autonomy',
    script: join(import.meta.dirname, 'fixtures/operator.ts'),
    operatorArgs: ['--canary-period=30s'],
  });
});

afterAll(() => roastery?.stop());

let serial = 0;

/**
 * A human's command, governed (approved by a second person where the level asks for it), sent by the
 * loopback link and answered with `outcome` by the test.
 */
async function command(roaster: string, outcome: 'Succeeded' | 'Failed', session: string): Promise<void> {
  const name = `${roaster}-${++serial}`;
  await roastery.propose(
    'alice',
    name,
    roaster,
    { type: 'SetDrum', target: 6 },
    { sessionRef: { name: session } },
  );
  const governed = await roastery.phase(name, ['AwaitingApproval', 'Dispatched']);
  if (governed.status?.phase === 'AwaitingApproval') await roastery.decide('bob', name);
  await roastery.phase(name, 'Dispatched');
  await roastery.result(name, outcome);
  await roastery.phase(name, outcome);
}

describe('the circuit breaker', () => {
  it('degrades the effective level on repeated failures of real sessions, not simulated ones, and recovers', async () => {
    await roastery.roaster('breaker', {
      autonomy: { level: 'L3' },
      circuitBreaker: { failureRateThreshold: 0.5, windowSeconds: 600, minCommands: 2, degradeTo: 'L2' },
    });
    await roastery.link('breaker');
    await roastery.session('simulated', 'breaker', 'alice', { source: { type: 'Simulated', seed: 7 } });
    await roastery.session('real', 'breaker', 'alice', { source: { type: 'Device', serial: 'R1-0042' } });

    for (let i = 0; i < 3; i++) await command('breaker', 'Failed', 'simulated');
    await roastery.condition('breaker', 'AutonomyDegraded', 'False', 'AtConfiguredLevel');
    expect((await roastery.get('roaster', 'breaker')).status?.effectiveAutonomy?.level).toBe('L3');

    for (let i = 0; i < 2; i++) await command('breaker', 'Failed', 'real');
    const degraded = await roastery.condition('breaker', 'AutonomyDegraded', 'True', 'CircuitBreakerOpen');
    expect(degraded.status?.effectiveAutonomy).toEqual({
      level: 'L2',
      reasons: [expect.stringContaining('2 of the last 2 commands')],
    });
    // Degraded to L2, a person's command needs an approval too: the breaker is what a person has to fix.
    await roastery.propose('alice', 'while-degraded', 'breaker', { type: 'SetDrum', target: 4 });
    const held = await roastery.phase('while-degraded', 'AwaitingApproval');
    expect(held.status?.governor).toMatchObject({ rule: rules.breakerOpen, level: 'L2' });

    // Successes dilute the failures: 2 of 5 is below the threshold.
    for (let i = 0; i < 3; i++) await command('breaker', 'Succeeded', 'real');
    const recovered = await roastery.condition('breaker', 'AutonomyDegraded', 'False', 'AtConfiguredLevel');
    expect(recovered.status?.effectiveAutonomy).toEqual({ level: 'L3', reasons: [] });
    const reasons = (await roastery.events('breaker')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['AutonomyDegraded', 'AutonomyRestored']));
  });
});

describe('the emergency stop', () => {
  const latchOf = async () => (await roastery.get('roaster', 'stop-me')).status?.latch;

  async function stopped(by: Actor, name: string): Promise<string> {
    await roastery.propose(by, name, 'stop-me', { type: 'EmergencyStop' });
    const sent = await roastery.phase(name, 'Dispatched');
    expect(sent.status?.governor).toMatchObject({ decision: 'Allow', rule: rules.emergencyStopExempt });
    const latched = await roastery.condition(
      'stop-me',
      'EmergencyStopLatched',
      'True',
      'EmergencyStopProposal',
    );
    expect(latched.status?.latch?.message).toContain(name);
    await roastery.result(name, 'Succeeded');
    await roastery.phase(name, 'Succeeded');
    return latched.status!.latch!.id;
  }

  async function reset(name: string, latchId: string): Promise<void> {
    await roastery.propose('alice', name, 'stop-me', { type: 'ResetLatch', latchId });
  }

  beforeAll(async () => {
    await roastery.roaster('stop-me', { autonomy: { level: 'L1' } });
  });

  it('is never Blocked, not at L1 on a faulted roaster, and latches', async () => {
    await roastery.link('stop-me', { phase: 'Fault' });
    const id = await stopped('advisor', 'stop-faulted');
    expect(id).toMatch(/^stop-/);
    await roastery.condition('stop-me', 'Ready', 'False', 'Faulted');
  });

  it('is never Blocked on a latched, disconnected roaster either; the newest stop holds the latch', async () => {
    const before = (await latchOf())!.id;
    await roastery.link('stop-me', { phase: 'Disconnected', interlocksClear: false });
    const id = await stopped('alice', 'stop-offline');
    expect(id).not.toBe(before);
  });

  it("stays latched when Git's kill switch goes on and off again: only a reset clears it", async () => {
    const id = (await latchOf())!.id;
    await roastery.configure('stop-me', { emergencyStop: true });
    await roastery.link('stop-me', { phase: 'Off', interlocksClear: false });
    await reset('reset-kill-switch-on', id);
    expect((await roastery.phase('reset-kill-switch-on', 'Blocked')).status?.governor?.rule).toBe(
      rules.resetKillSwitchOn,
    );
    await roastery.configure('stop-me', { emergencyStop: false });
    await eventually(async () =>
      expect((await roastery.get('roaster', 'stop-me')).status?.observedGeneration).toBe(3),
    );
    expect((await latchOf())?.id).toBe(id);
  });

  it('is cleared by a ResetLatch naming it once the edge reports its interlocks clear, never by one naming another', async () => {
    const id = (await latchOf())!.id;
    // Nothing but a stop or a reset gets through a latch.
    await roastery.propose('alice', 'step-while-latched', 'stop-me', { type: 'SetFan', target: 9 });
    expect((await roastery.phase('step-while-latched', 'Blocked')).status?.governor?.rule).toBe(
      rules.latched,
    );
    await reset('reset-interlocks', id);
    expect((await roastery.phase('reset-interlocks', 'Blocked')).status?.governor?.rule).toBe(
      rules.resetInterlocksActive,
    );
    await roastery.link('stop-me', { phase: 'Off', interlocksClear: true });
    await reset('reset-wrong-id', 'stop-00000000');
    expect((await roastery.phase('reset-wrong-id', 'Blocked')).status?.governor?.rule).toBe(
      rules.resetLatchMismatch,
    );
    expect((await latchOf())?.id).toBe(id);

    await reset('reset-right-id', id);
    // Forwarded to the edge like any allowed command.
    const allowed = await roastery.phase('reset-right-id', 'Dispatched');
    expect(allowed.status?.governor).toMatchObject({ decision: 'Allow', rule: rules.resetAllowed });
    const cleared = await roastery.condition('stop-me', 'EmergencyStopLatched', 'False', 'NotLatched');
    expect(cleared.status?.latch).toBeUndefined();
    const reasons = (await roastery.events('stop-me')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['EmergencyStopLatched', 'LatchCleared']));
  });

  it("latches on Git's kill switch, under an id of its own, until a reset after it is off", async () => {
    await roastery.configure('stop-me', { emergencyStop: true });
    const latched = await roastery.condition('stop-me', 'EmergencyStopLatched', 'True', 'SpecEmergencyStop');
    const id = latched.status!.latch!.id;
    expect(id).toMatch(/^git-/);
    await roastery.configure('stop-me', { emergencyStop: false });
    await reset('reset-git', id);
    await roastery.phase('reset-git', 'Dispatched');
    await roastery.condition('stop-me', 'EmergencyStopLatched', 'False');
  });

  it("leaves the link's fields to the link: the operator owns only roast-autonomy's", async () => {
    const roaster = await roastery.api('roaster').get('roastery', 'stop-me');
    const managers = (
      roaster.metadata as { managedFields?: { manager: string; subresource?: string; fieldsV1?: object }[] }
    ).managedFields!.filter((m) => m.subresource === 'status');
    const owned = (manager: string) =>
      JSON.stringify(managers.find((m) => m.manager === manager)?.fieldsV1 ?? {});
    expect(owned(fieldManagers.autonomy)).toContain('f:effectiveAutonomy');
    for (const linkField of ['f:phase', 'f:levels', 'Connected', 'InterlocksClear']) {
      expect(owned(fieldManagers.autonomy)).not.toContain(linkField);
      expect(owned(fieldManagers.link)).toContain(linkField);
    }
    expect(managers.map((m) => m.manager).sort()).toEqual(
      [fieldManagers.link, fieldManagers.autonomy].sort(),
    );
  });
});
