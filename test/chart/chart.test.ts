// The chart as helm lints and renders it: values checked against values.schema.json, the gateway's serving
// certificate from a Secret or from cert-manager where its API is served, the store's volume, the edge
// DaemonSet's link to the gateway, and the simulated roaster switch. What the rendered objects do on a node
// is the pods suite's (test/pods).
import { testCluster } from '@roast-operator/control-plane';
import { chart } from '@roast-operator/test-env';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const cluster = testCluster();
const certManagerApi = '--api-versions=cert-manager.io/v1';

const container = z.looseObject({
  name: z.string(),
  args: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
  resources: z.looseObject({ limits: z.record(z.string(), z.unknown()).optional() }).optional(),
  volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string() })).optional(),
});
const manifest = z.looseObject({
  kind: z.string(),
  metadata: z.looseObject({ name: z.string() }),
  spec: z
    .looseObject({
      dnsNames: z.array(z.string()).optional(),
      secretName: z.string().optional(),
      issuerRef: z.looseObject({ name: z.string(), kind: z.string() }).optional(),
      template: z
        .looseObject({
          spec: z.looseObject({
            containers: z.array(container),
            initContainers: z.array(container).optional(),
            volumes: z.array(z.looseObject({ name: z.string() })),
          }),
        })
        .optional(),
    })
    .optional(),
  data: z.record(z.string(), z.string()).optional(),
});
type Manifest = z.infer<typeof manifest>;

/** The gateway and the edge on, with the values a platform team must give; `args` add to them. */
const withGateway = [
  '--set=operator.gateway.enabled=true',
  '--set=edge.enabled=true',
  '--set=edge.image.repository=registry.example/roast-edge',
  '--set=edge.gatewayCA.configMap=gateway-ca',
];

async function render(args: string[]): Promise<Manifest[]> {
  const { stdout } = await cluster.helm(['template', 'roast', chart, '--namespace=roast-system', ...args]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJS())
    .filter((object) => object !== null)
    .map((object) => manifest.parse(object));
}

async function refusal(args: string[]): Promise<string> {
  const result = await cluster.helm(['template', 'roast', chart, '--namespace=roast-system', ...args], {
    check: false,
  });
  expect(result.code).not.toBe(0);
  return result.stderr;
}

const find = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const podSpec = (m: Manifest | undefined) => m?.spec?.template?.spec;
const envOf = (c: z.infer<typeof container> | undefined) =>
  Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));

describe('the chart', () => {
  it('passes helm lint with the gateway and the edge on', async () => {
    const result = await cluster.helm([
      'lint',
      chart,
      '--strict',
      ...withGateway,
      `--set=operator.gateway.tls.secretName=tls`,
    ]);
    expect(result.stdout).toContain('0 chart(s) failed');
  });

  it.each([
    ['a store type it does not know', ['--set=operator.gateway.store.type=nfs'], /store\/type/],
    ['a CA that is no certificate', ['--set=edge.gatewayCA.pem=hello'], /gatewayCA\/pem/],
    ['a simulated serial beyond 16 bits', ['--set=edge.simulate.serial=70000'], /simulate\/serial/],
    ['a gateway address without a port', ['--set=edge.gatewayAddress=gateway'], /gatewayAddress/],
    ['a value it does not have', ['--set=operator.gateway.tlsSecret=old'], /tlsSecret/],
  ])('refuses %s by its schema', async (_, args, where) => {
    expect(await refusal(args)).toMatch(where);
  });

  it('refuses the gateway without a certificate source, and the edge without the gateway CA', async () => {
    expect(await refusal(withGateway)).toContain('operator.gateway.tls.secretName is required');
    expect(
      await refusal([
        '--set=operator.gateway.enabled=true',
        '--set=operator.gateway.tls.secretName=tls',
        '--set=edge.enabled=true',
        '--set=edge.image.repository=e',
      ]),
    ).toContain('edge.gatewayCA is required with the gateway');
  });

  it('serves the gateway from the named Secret, and points the edge at the Service by DNS with the pinned CA', async () => {
    const manifests = await render([...withGateway, '--set=operator.gateway.tls.secretName=my-tls']);
    expect(manifests.filter((m) => m.kind === 'Certificate' || m.kind === 'Issuer')).toEqual([]);
    const operator = podSpec(find(manifests, 'Deployment', 'roast-operator'));
    expect(operator?.volumes).toContainEqual(
      expect.objectContaining({ name: 'link-tls', secret: { secretName: 'my-tls' } }),
    );
    expect(operator?.containers[0]?.command).toEqual(['node', 'operator/src/main.js']);
    const edge = podSpec(find(manifests, 'DaemonSet', 'roast-edge-ailliobulletr1v2'));
    expect(envOf(edge?.containers[0])).toMatchObject({
      EDGE_GATEWAY: 'roast-operator.roast-system.svc:7443',
      EDGE_GATEWAY_CA: '/etc/roast-link/ca.crt',
      EDGE_TOKEN_FILE: '/var/run/secrets/roast-edge/token',
    });
    // The agent is told no Roaster: the gateway resolves it from the node and the device.
    expect(edge?.containers[0]?.args?.some((a) => a.startsWith('--roaster'))).toBe(false);
    expect(edge?.volumes).toContainEqual(
      expect.objectContaining({ name: 'gateway-ca', configMap: { name: 'gateway-ca' } }),
    );
    expect(edge?.containers[0]?.command).toEqual(['node', 'edge-node/src/main.js']);
  });

  it('has cert-manager issue the certificate for the Service’s names where cert-manager.io/v1 is served', async () => {
    const manifests = await render([...withGateway, certManagerApi]);
    const certificate = find(manifests, 'Certificate', 'roast-operator-gateway');
    expect(certificate?.spec?.dnsNames).toEqual([
      'roast-operator.roast-system.svc',
      'roast-operator.roast-system.svc.cluster.local',
    ]);
    expect(certificate?.spec?.issuerRef).toMatchObject({ name: 'roast-operator-gateway-ca', kind: 'Issuer' });
    const operator = podSpec(find(manifests, 'Deployment', 'roast-operator'));
    expect(operator?.volumes).toContainEqual(
      expect.objectContaining({ name: 'link-tls', secret: { secretName: certificate?.spec?.secretName } }),
    );
    // The chart's own CA: a self-signed root issuing through a CA Issuer.
    expect(find(manifests, 'Issuer', 'roast-operator-selfsigned')).toBeDefined();
    expect(find(manifests, 'Certificate', 'roast-operator-gateway-ca')).toBeDefined();
  });

  it('issues from the installer’s own issuer when one is named', async () => {
    const manifests = await render([
      ...withGateway,
      certManagerApi,
      '--set=operator.gateway.tls.certManager.issuerRef.name=corp-ca',
      '--set=operator.gateway.tls.certManager.issuerRef.kind=ClusterIssuer',
    ]);
    expect(find(manifests, 'Certificate', 'roast-operator-gateway')?.spec?.issuerRef).toMatchObject({
      name: 'corp-ca',
      kind: 'ClusterIssuer',
    });
    expect(manifests.filter((m) => m.kind === 'Issuer')).toEqual([]);
  });

  it.each([
    ['a claim of its own by default', [], 'roast-operator-store', false],
    ['an existing claim', ['--set=operator.gateway.store.existingClaim=mine'], 'mine', false],
    [
      'a hostPath, handed to the process’s user',
      ['--set=operator.gateway.store.type=hostPath'],
      undefined,
      true,
    ],
  ])('keeps the store on %s', async (_, args, claim, hostPath) => {
    const manifests = await render([...withGateway, '--set=operator.gateway.tls.secretName=tls', ...args]);
    const operator = podSpec(find(manifests, 'Deployment', 'roast-operator'));
    const store = operator?.volumes.find((v) => v.name === 'store');
    if (claim) expect(store).toMatchObject({ persistentVolumeClaim: { claimName: claim } });
    else expect(store).toMatchObject({ hostPath: { path: '/var/lib/roast-operator' } });
    expect(find(manifests, 'PersistentVolumeClaim', 'roast-operator-store') !== undefined).toBe(
      claim === 'roast-operator-store',
    );
    expect(operator?.initContainers?.map((c) => c.name) ?? []).toEqual(hostPath ? ['store-owner'] : []);
  });

  it('runs a simulated R1 in the edge pod when asked, never with a USB device', async () => {
    const manifests = await render([
      ...withGateway,
      '--set=operator.gateway.tls.secretName=tls',
      '--set=edge.simulate.enabled=true',
      '--set=edge.simulate.serial=4712',
      '--set=edge.deviceAccess=hostPath',
    ]);
    const daemonSets = manifests.filter((m) => m.kind === 'DaemonSet').map((m) => m.metadata.name);
    expect(daemonSets).toEqual(['roast-edge-simulated']);
    const edge = podSpec(find(manifests, 'DaemonSet', 'roast-edge-simulated'));
    expect(edge?.containers[0]?.args).toEqual(expect.arrayContaining(['--simulate', '--serial=4712']));
    expect(edge?.containers[0]?.args).not.toContain('--device=usb');
    expect(edge?.volumes.map((v) => v.name)).not.toContain('usb');
    expect(Object.keys(edge?.containers[0]?.resources?.limits ?? {})).toEqual(['memory']);
  });
});
