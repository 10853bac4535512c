// The CRDs on a real API server: they install, the examples apply, and the admission table holds.
// Installing CRDs is cluster-wide, so it happens here only (apply is idempotent).
import { fileURLToPath } from 'node:url';
import { testCluster, useTestNamespace } from '@roast-operator/control-plane';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AdmissionCase,
  admissionCases,
  casesOf,
  type Manifest,
  rulesInCrdFiles,
} from './admission-cases.ts';
import { Approval, CommandProposal, CommandProposalSpec } from './command-proposal.ts';
import { apiVersion, category, fieldManagers, group } from './constants.ts';
import { crdsDirectory } from './crd.ts';
import { resourceDefinitions } from './index.ts';
import { RoastProfile } from './roast-profile.ts';
import { Roaster, RoasterSpec } from './roaster.ts';

const cluster = testCluster();
const namespace = useTestNamespace('api');
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const crdNames = resourceDefinitions.map((def) => `crd/${def.names.plural}.${group}`);
const resourceOf = (kind: string) =>
  `${resourceDefinitions.find((d) => d.names.kind === kind)?.names.plural}.${group}`;

const kubectl = (args: string[], input?: string) =>
  cluster.kubectl(args, { namespace: namespace(), check: false, ...(input === undefined ? {} : { input }) });

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input);
  expect(result.stderr, `kubectl ${args.join(' ')}`).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const getJson = async (resource: string, name: string) =>
  JSON.parse(await ok(['get', resource, name, '-o', 'json']));

beforeAll(async () => {
  await cluster.kubectl(['apply', '--server-side', '-f', fileURLToPath(crdsDirectory)]);
  await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...crdNames]);
});

describe('the CRDs', () => {
  it('are Established, with accepted names and structural schemas', async () => {
    for (const crd of crdNames) {
      const { stdout } = await cluster.kubectl(['get', crd, '-o', 'jsonpath={.status.conditions}']);
      const conditions = JSON.parse(stdout) as { type: string; status: string }[];
      expect(conditions, crd).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'Established', status: 'True' }),
          expect.objectContaining({ type: 'NamesAccepted', status: 'True' }),
        ]),
      );
      expect(conditions.filter((c) => c.type === 'NonStructuralSchema')).toEqual([]);
    }
  });
});

describe('the examples', () => {
  beforeAll(async () => {
    await ok(['apply', '--server-side', '-f', examples]);
  });

  it('apply and parse back with the zod schemas', async () => {
    expect(Roaster.safeParse(await getJson('roaster', 'bullet-1')).error).toBeUndefined();
    expect(
      CommandProposal.safeParse(await getJson('proposal', 'bullet-1-guji-0412-heater-6')).error,
    ).toBeUndefined();
    expect(RoastProfile.safeParse(await getJson('rprof', 'guji-light-350')).error).toBeUndefined();
  });

  it('are listed by `kubectl get roasting`, each kind with its columns', async () => {
    const stdout = await ok(['get', category]);
    const headers = stdout.split('\n').filter((line) => line.startsWith('NAME'));
    const expected = resourceDefinitions.map((def) =>
      [
        'NAME',
        ...def.printerColumns.filter((c) => !c.priority).map((c) => c.name.toUpperCase()),
        'READY',
        'AGE',
      ].join(' '),
    );
    expect(headers.map((h) => h.split(/\s+/).join(' ')).sort()).toEqual(expected.sort());
    for (const name of [
      'roaster.roasting.simcorp.io/bullet-1',
      'roastsession.roasting.simcorp.io/bullet-1-guji-0412',
      'roastprofile.roasting.simcorp.io/guji-light-350',
    ]) {
      expect(stdout).toContain(name);
    }
  });

  it('are found by short name and by the fields controllers select on', async () => {
    expect(
      await ok(['get', 'proposal', '--field-selector', 'spec.roasterRef.name=bullet-1', '-o', 'name']),
    ).toBe('commandproposal.roasting.simcorp.io/bullet-1-guji-0412-heater-6\n');
    expect(
      await ok(['get', 'proposal', '--field-selector', 'spec.roasterRef.name=bullet-9', '-o', 'name']),
    ).toBe('');
    expect(
      await ok(['get', 'roast', '--field-selector', 'spec.roasterRef.name=bullet-1', '-o', 'name']),
    ).toBe('roastsession.roasting.simcorp.io/bullet-1-guji-0412\n');
    expect(
      await ok(['get', 'rstr', '--field-selector', 'spec.binding.nodeName=roast-node-1', '-o', 'name']),
    ).toBe('roaster.roasting.simcorp.io/bullet-1\n');
  });

  it('take status from two server-side-apply managers, each owning its own conditions', async () => {
    const condition = (type: string, reason: string) => ({
      type,
      status: 'True',
      reason,
      message: '',
      lastTransitionTime: '2026-11-24T09:00:00Z',
    });
    const apply = (manager: string, status: unknown) =>
      ok(
        ['apply', '--server-side', '--subresource=status', `--field-manager=${manager}`, '-f', '-'],
        JSON.stringify({
          apiVersion,
          kind: 'Roaster',
          metadata: { name: 'bullet-1' },
          status,
        }),
      );
    await apply(fieldManagers.link, {
      phase: 'Roasting',
      conditions: [condition('Connected', 'StreamOpen')],
      device: { serial: '21547', firmware: '3', node: 'roast-node-1', pod: 'roast-edge-7x2kq' },
    });
    await apply(fieldManagers.autonomy, {
      conditions: [condition('Ready', 'Connected')],
      effectiveAutonomy: { level: 'L3' },
    });
    const roaster = Roaster.parse(await getJson('roaster', 'bullet-1'));
    expect(roaster.status?.conditions?.map((c) => c.type).sort()).toEqual(['Connected', 'Ready']);
    expect(roaster.status?.phase).toBe('Roasting');
  });
});

describe('server-side defaults', () => {
  it.each([
    ['Roaster', { model: 'Simulated', binding: { nodeName: 'roast-node-2' } }, RoasterSpec],
    [
      'CommandProposal',
      { roasterRef: { name: 'bullet-1' }, command: { type: 'EmergencyStop' }, proposedBy: 'bob' },
      CommandProposalSpec,
    ],
  ] as const)('match the zod defaults for a minimal %s', async (kind, spec, schema) => {
    const name = `defaults-${kind.toLowerCase()}`;
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion, kind, metadata: { name }, spec }));
    expect((await getJson(resourceOf(kind), name)).spec).toEqual(schema.parse(spec));
  });
});

describe('kubectl explain', () => {
  it('documents every field of commandproposal.spec.approval', async () => {
    const text = (await ok(['explain', 'commandproposal.spec.approval'])).replace(/\s+/g, ' ');
    for (const [field, schema] of Object.entries(Approval.shape)) {
      expect(text).toContain(field);
      expect(text).toContain(schema.description?.replace(/\s+/g, ' '));
    }
  });
});

async function attempt(c: AdmissionCase, name: string) {
  const object: Manifest = { ...c.object, metadata: { name } };
  if (!c.change) return kubectl(['create', '-f', '-'], JSON.stringify(object));
  await ok(['create', '-f', '-'], JSON.stringify(object));
  const [type, patch] = 'merge' in c.change ? ['merge', c.change.merge] : ['json', c.change.json];
  return kubectl(['patch', resourceOf(c.object.kind), name, '--type', type, '-p', JSON.stringify(patch)]);
}

async function expectOutcome(c: AdmissionCase): Promise<void> {
  const result = await attempt(c, `case-${admissionCases.indexOf(c)}`);
  if (c.rejectedWith) {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(c.rejectedWith);
  } else {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
}

const verdict = (c: AdmissionCase) => (c.rejectedWith ? 'rejects' : 'admits');

describe('admission', () => {
  describe.each(rulesInCrdFiles().map((r) => [`${r.kind}${r.path}: ${r.rule.message}`, r] as const))(
    '%s',
    (_, rule) => {
      const cases = casesOf(rule);

      it('has a case it rejects and one it admits', () => {
        expect(cases.some((c) => c.rejectedWith)).toBe(true);
        expect(cases.some((c) => !c.rejectedWith)).toBe(true);
      });

      it.each(cases.map((c) => [verdict(c), c.name, c] as const))('%s: %s', async (_v, _n, c) => {
        await expectOutcome(c);
      });
    },
  );

  describe('by the OpenAPI schema', () => {
    it.each(admissionCases.filter((c) => !c.rule).map((c) => [c.object.kind, c.name, c] as const))(
      '%s rejects %s',
      async (_k, _n, c) => {
        await expectOutcome(c);
      },
    );
  });
});
