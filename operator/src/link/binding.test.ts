import { type Roaster, roasterNamespaceLabel } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { boundToNode, type EdgeNode, resolveRoaster, roasterNamespace } from './binding.ts';

const node: EdgeNode = {
  name: 'node-a',
  labels: { [roasterNamespaceLabel]: 'roastery', 'roasting.simcorp.io/r1': 'true' },
};

const roaster = (
  name: string,
  binding: object,
  model = 'Simulated',
  namespace = 'roastery',
  deleting = false,
) =>
  ({
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      ...(deleting && { deletionTimestamp: '2026-12-07T00:00:00Z' }),
    },
    spec: { model, binding },
  }) as unknown as Roaster;

const names = (rs: readonly Roaster[]) => rs.map((r) => r.metadata.name);

describe('roasterNamespace', () => {
  it.each([
    ['the labelled namespace', node, undefined, { ok: true, namespace: 'roastery' }],
    ['the labelled namespace this operator serves', node, 'roastery', { ok: true, namespace: 'roastery' }],
    [
      'no label',
      { name: 'node-b', labels: {} },
      undefined,
      { ok: false, reason: 'NoRoasterNamespace', message: /node node-b has no label .*kubectl label node/ },
    ],
    [
      'a namespace this operator does not serve',
      node,
      'elsewhere',
      {
        ok: false,
        reason: 'NoRoasterNamespace',
        message: /in namespace roastery; this operator serves .*elsewhere/,
      },
    ],
  ])('%s', (_, n, watch, expected) => {
    expect(roasterNamespace(n, watch)).toMatchObject(expected);
  });
});

describe('boundToNode', () => {
  it.each([
    ['its name', { nodeName: 'node-a' }, true],
    ['another name', { nodeName: 'node-b' }, false],
    ['a selector it matches', { nodeSelector: { 'roasting.simcorp.io/r1': 'true' }, serial: '1' }, true],
    [
      'a selector it does not match',
      { nodeSelector: { 'roasting.simcorp.io/r1': 'false' }, serial: '1' },
      false,
    ],
    ['an empty selector', { nodeSelector: {}, serial: '1' }, false],
  ])('by %s: %s', (_, binding, expected) => {
    expect(boundToNode(binding, node)).toBe(expected);
  });
});

describe('resolveRoaster', () => {
  const device = { serial: '4711', model: 'Simulated' };

  it.each([
    ['the one naming the serial', [roaster('a', { nodeName: 'node-a', serial: '4711' })], 'a'],
    [
      'the serial match before one without a serial',
      [roaster('any', { nodeName: 'node-a' }), roaster('mine', { nodeName: 'node-a', serial: '4711' })],
      'mine',
    ],
    [
      'one without a serial when none names the device',
      [roaster('any', { nodeName: 'node-a' }), roaster('other', { nodeName: 'node-a', serial: '1' })],
      'any',
    ],
    [
      'by node selector',
      [roaster('moving', { nodeSelector: { 'roasting.simcorp.io/r1': 'true' }, serial: '4711' })],
      'moving',
    ],
    [
      'past a Roaster being deleted',
      [
        roaster('old', { nodeName: 'node-a', serial: '4711' }, 'Simulated', 'roastery', true),
        roaster('new', { nodeName: 'node-a', serial: '4711' }),
      ],
      'new',
    ],
  ])('gives %s', (_, roasters, expected) => {
    const resolution = resolveRoaster(roasters, 'roastery', node, device);
    expect(resolution.ok && resolution.roaster.metadata.name).toBe(expected);
  });

  it.each([
    [
      'no Roaster at all',
      [],
      'NoRoaster',
      /no Roaster in namespace roastery is bound to node node-a device 4711/,
      [],
    ],
    [
      'Roasters of other nodes and devices only',
      [
        roaster('b', { nodeName: 'node-b', serial: '4711' }),
        roaster('c', { nodeName: 'node-a', serial: '1' }),
      ],
      'NoRoaster',
      /create one with spec.binding.nodeName node-a and spec.binding.serial 4711/,
      [],
    ],
    [
      "another namespace's Roaster, which is never considered",
      [roaster('theirs', { nodeName: 'node-a', serial: '4711' }, 'Simulated', 'tenant-b')],
      'NoRoaster',
      /namespace roastery/,
      [],
    ],
    [
      'two naming the same device',
      [
        roaster('x', { nodeName: 'node-a', serial: '4711' }),
        roaster('y', { nodeName: 'node-a', serial: '4711' }),
      ],
      'AmbiguousBinding',
      /Roasters x, y are all bound to node node-a device 4711: bind exactly one/,
      ['x', 'y'],
    ],
    [
      'two without a serial on the node',
      [roaster('x', { nodeName: 'node-a' }), roaster('y', { nodeName: 'node-a' })],
      'AmbiguousBinding',
      /Roasters x, y/,
      ['x', 'y'],
    ],
    [
      'the wrong model',
      [roaster('r1', { nodeName: 'node-a', serial: '4711' }, 'AillioBulletR1')],
      'WrongModel',
      /the Roaster is a AillioBulletR1, the edge drives a Simulated/,
      ['r1'],
    ],
  ])('refuses %s', (_, roasters, reason, message, told) => {
    const resolution = resolveRoaster(roasters, 'roastery', node, device);
    expect(resolution).toMatchObject({ ok: false, reason, message });
    expect(resolution.ok ? [] : names(resolution.roasters)).toEqual(told);
  });
});
