import { eventually, testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { Logger } from '@roast-operator/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConflict, KubeClient, type ResourceClient } from './client.ts';
import type { Condition } from './conditions.ts';
import { EventRecorder } from './events.ts';
import { type ConfigMap, configMaps, events, type Pod as PodObject, pods } from './kinds.ts';
import { PreconditionFailed, patchStatusIf } from './patch-if.ts';
import type { KubeObject } from './resource.ts';
import { AlreadyOwnedError, setControllerReference } from './writes.ts';

const namespace = useTestNamespace('kube-writes');
type Pod = KubeObject & { status?: { conditions?: (Condition & { lastProbeTime?: string | null })[] } };

let client: KubeClient;
let cms: ResourceClient<ConfigMap>;
let podApi: ResourceClient<PodObject>;

beforeAll(() => {
  client = new KubeClient(testCluster().kubeConfig(), { fieldManager: 'roast-test' });
  cms = client.resource(configMaps);
  podApi = client.resource(pods);
});

afterAll(() => client?.close());

const configMap = (name: string) => ({ metadata: { name, namespace: namespace() }, data: {} }) as KubeObject;

/** A Pod that will never run (no scheduler): a built-in kind with a status subresource and conditions. */
function pod(name: string): Pod {
  return {
    metadata: { name, namespace: namespace() },
    spec: { containers: [{ name: 'main', image: 'registry.invalid/none:0' }] },
  } as Pod;
}

describe('guarded writes', () => {
  it('a patch computed from a stale object is rejected by the API server', async () => {
    const stale = await cms.create(configMap('guard'));
    await cms.patch(namespace(), 'guard', { data: { someone: 'else' } }, { type: 'merge' });
    const write = cms.patch(
      namespace(),
      'guard',
      { metadata: { resourceVersion: stale.metadata.resourceVersion, finalizers: ['x.example.com/f'] } },
      { type: 'merge' },
    );
    await expect(write).rejects.toSatisfy(isConflict);
  });

  it('sets a controller reference without losing a concurrent change, and refuses a second controller', async () => {
    const owner = await cms.create(configMap('owner'));
    const stale = await cms.create(configMap('owned'));
    await cms.patch(namespace(), 'owned', { data: { concurrent: 'change' } }, { type: 'merge' });
    const owned = await setControllerReference(
      cms,
      stale,
      owner as KubeObject & { apiVersion: string; kind: string },
    );
    expect(owned.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'owner',
        uid: owner.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect((owned as KubeObject & { data: object }).data).toEqual({ concurrent: 'change' });
    const rival = (await cms.create(configMap('rival'))) as KubeObject & { apiVersion: string; kind: string };
    await expect(setControllerReference(cms, owned, rival)).rejects.toThrow(AlreadyOwnedError);
  });
});

describe('status writes', () => {
  it('server-side applies status through the status subresource under our field manager', async () => {
    const created = await podApi.create(pod('applied'));
    const condition = {
      type: 'roasting.simcorp.io/Ready',
      status: 'True',
      reason: 'Applied',
      message: 'by apply',
      lastTransitionTime: '2026-11-24T10:00:00Z',
    };
    const { namespace, name } = created.metadata;
    const applied = await podApi.apply(
      { metadata: { namespace, name }, status: { conditions: [condition] } },
      { subresource: 'status', force: true },
    );
    expect((applied as Pod).status?.conditions).toContainEqual(expect.objectContaining(condition));
    const managers = (
      applied.metadata as { managedFields?: { manager: string; operation: string; subresource?: string }[] }
    ).managedFields;
    expect(managers).toContainEqual(
      expect.objectContaining({ manager: 'roast-test', operation: 'Apply', subresource: 'status' }),
    );
  });
});

describe('status writes on what they depend on', () => {
  it('hold through a label change, and fail once a field they depend on changed', async () => {
    const read = await podApi.create(pod('depends'));
    // Someone relabels the pod after it was read: no field the write depends on.
    await podApi.patch(
      namespace(),
      'depends',
      { metadata: { labels: { someone: 'else' } } },
      { type: 'merge' },
    );
    const dependsOn = [
      ['metadata', 'generation'],
      ['status', 'phase'],
      ['status', 'reason'],
    ] as const;
    const message = { message: 'written on what it depends on' };
    const written = await patchStatusIf(podApi, read, dependsOn, message);
    expect(written.status).toMatchObject(message);
    expect(written.metadata.labels).toEqual({ someone: 'else' });
    // A field it depends on moves: the write is refused, and nothing is written.
    await podApi.patch(
      namespace(),
      'depends',
      { status: { reason: 'Moved' } },
      { type: 'merge', subresource: 'status' },
    );
    await expect(patchStatusIf(podApi, written, dependsOn, { message: 'late' })).rejects.toThrow(
      PreconditionFailed,
    );
    expect((await podApi.get(namespace(), 'depends')).status).toMatchObject({ reason: 'Moved', ...message });
  });
});

describe('EventRecorder', () => {
  it('records events.k8s.io/v1 Events and folds repeats into a series', async () => {
    const regarding = await cms.create(configMap('eventful'));
    const recorder = new EventRecorder(client, {
      controller: 'roasting.simcorp.io/test-controller',
      instance: 'test-instance',
      logger: new Logger({ level: 'error' }),
    });
    for (let i = 0; i < 3; i++)
      recorder.event(regarding, {
        type: 'Warning',
        reason: 'Overheat',
        action: 'Govern',
        note: 'bean temperature',
      });
    recorder.event(regarding, { type: 'Normal', reason: 'Started', action: 'Roast' });
    await recorder.flush();
    const api = client.resource(events);
    await eventually(async () => {
      const recorded = (await api.list({ namespace: namespace() })).items.filter(
        (e) => (e.regarding as { uid?: string }).uid === regarding.metadata.uid,
      );
      const byReason = Object.fromEntries(recorded.map((e) => [e.reason, e]));
      expect(Object.keys(byReason).sort()).toEqual(['Overheat', 'Started']);
      expect(byReason.Overheat).toMatchObject({
        type: 'Warning',
        action: 'Govern',
        note: 'bean temperature',
        reportingController: 'roasting.simcorp.io/test-controller',
        reportingInstance: 'test-instance',
        series: { count: 3 },
      });
      expect(byReason.Started?.series).toBeUndefined();
    });
  });
});
