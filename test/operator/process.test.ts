// The operator's own entry point, `roast-operator` (operator/src/main.ts), as its pod runs it: flags and
// the downward API's POD_NAME/POD_NAMESPACE, a Lease in its namespace, probes and metrics, JSON logs only,
// and a graceful stop on SIGTERM. It runs without a link to edge agents here: approved proposals wait and
// expire.
// Ended proposals are deleted after the retention period (short here).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { eventually } from '@roast-operator/control-plane';
import { isNotFound, type KubeObject, type Lease, leases } from '@roast-operator/kube';
import { parseFlags } from '@roast-operator/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespace, operatorPod, Roastery, releaseNamespace } from '../support/roastery.ts';

let roastery: Roastery;

const retentionMs = 3000;

beforeAll(async () => {
  roastery = await Roastery.start({
    name: 'operator-process',
    script: join(import.meta.dirname, '../../operator/src/main.ts'),
    operatorArgs: ['--canary-period=30s', `--retention=${retentionMs}ms`],
  });
  await roastery.roaster('no-link', { autonomy: { level: 'L3' } });
  await roastery.link('no-link');
});

afterAll(() => roastery?.stop());

type Deployment = KubeObject & { spec: NonNullable<V1Deployment['spec']> };

const lease = async () =>
  (await roastery.client().resource<Lease>(leases).get(releaseNamespace, 'roast-operator')) as Lease;

describe('roast-operator', () => {
  it('leads through a Lease in its namespace, named for its pod, and serves health and metrics', async () => {
    expect((await lease()).spec?.holderIdentity).toMatch(new RegExp(`^${operatorPod}_`));
    expect((await roastery.operator.probe('/healthz')).status).toBe(200);
    const metrics = (await roastery.operator.probe('/metrics')).body;
    expect(metrics).toContain('controller_runtime_reconcile_total{controller="commandproposal"');
    expect(metrics).toContain('controller_runtime_reconcile_total{controller="roaster-autonomy"');
    expect(metrics).toMatch(/leader_election_master_status\{name="roast-operator"\} 1/);
  });

  it("is what the chart's Deployment runs: one replica, Recreate, probes, and flags it accepts", async () => {
    const deployment = (await roastery
      .client()
      .resource({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true })
      .get(releaseNamespace, 'roast-operator')) as Deployment;
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    const container = deployment.spec.template.spec!.containers[0]!;
    // The image's entry point: the type-stripped JavaScript of operator/src/main.ts.
    expect(container.command).toEqual(['node', 'operator/src/main.js']);
    const source = container.command![1]!.replace(/\.js$/, '.ts');
    expect(existsSync(join(import.meta.dirname, '../..', source))).toBe(true);
    const flags = parseFlags(container.args!, {
      POD_NAMESPACE: releaseNamespace,
      POD_NAME: 'roast-operator-abc',
    });
    expect(flags).toMatchObject({
      canary: { periodMs: 300_000 },
      retentionMs: 604_800_000,
      probes: { port: 8081 },
    });
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'NODE_OPTIONS', value: '--max-semi-space-size=2 --max-old-space-size=128' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        {
          name: 'POD_NAMESPACE',
          valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
        },
      ]),
    );
  });

  it('says no roaster is Ready while no link runs', async () => {
    await roastery.condition('no-link', 'Ready', 'False', 'NoLink');
  });

  it('keeps an approved proposal waiting for a link, then expires it saying so', async () => {
    await roastery.propose(
      'alice',
      'no-link-step',
      'no-link',
      { type: 'SetDrum', target: 6 },
      { ttlSeconds: 6 },
    );
    await roastery.phase('no-link-step', 'Approved');
    await eventually(async () => {
      const p = await roastery.get('proposal', 'no-link-step');
      expect(p.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'Reconciling', status: 'True', reason: 'NoLink' }),
      );
    });
    const expired = await roastery.phase('no-link-step', 'Expired', 10_000);
    expect(expired.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
      'No link to edge agents',
    );
  });

  it('deletes ended proposals once the retention period is over', async () => {
    await roastery.propose('advisor', 'advice', 'no-link', { type: 'SetDrum', target: 6 });
    await roastery.phase('advice', 'AwaitingApproval');
    await roastery.decide('bob', 'advice', 'Rejected');
    await roastery.phase('advice', 'Rejected');
    for (const name of ['no-link-step', 'advice']) {
      await eventually(async () => {
        const gone = await roastery
          .api('proposal')
          .get(namespace, name)
          .then(
            () => false,
            (err: unknown) => isNotFound(err),
          );
        expect(gone, `${name} deleted`).toBe(true);
      }, retentionMs + 10_000);
    }
  });

  it('logs JSON lines only, with the roaster and proposal they are about', () => {
    expect(roastery.operator.logs.filter((l) => l.level === 'unstructured')).toEqual([]);
    const transition = roastery.operator.logs.find(
      (l) => l.msg === 'proposal transition' && l.proposal === 'advice',
    );
    expect(transition).toMatchObject({ roaster: `${namespace}/no-link`, controller: 'commandproposal' });
  });

  it('stops on SIGTERM, handing its Lease back', async () => {
    expect(await roastery.operator.stop()).toBe(0);
    expect((await lease()).spec?.holderIdentity).toBe('');
  });
});
