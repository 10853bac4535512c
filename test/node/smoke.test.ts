import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AuthenticationV1Api,
  CoreV1Api,
  type V1Container,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import {
  eventually,
  nodeNetwork,
  testCluster,
  testNode,
  usePodNamespace,
} from '@roast-operator/control-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseImage } from '../../tools/images/src/images.ts';

// The node's basics, each through the real path: kubelet, containerd, runc, the CNI bridge, kube-proxy,
// cluster DNS. The pods run the local Node base image (node and nothing else: scripts are `node -e`).
const execFileAsync = promisify(execFile);
const cluster = testCluster();
const node = testNode();
const namespace = usePodNamespace('smoke');
const core = () => cluster.kubeConfig().makeApiClient(CoreV1Api);

// A restricted container: non-root, read-only root filesystem, no capabilities, the runtime's seccomp profile.
function container(name: string, script: string, extra: Partial<V1Container> = {}): V1Container {
  return {
    name,
    image: baseImage,
    imagePullPolicy: 'Never',
    command: ['node', '-e', script],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: { limits: { memory: '64Mi' } },
    ...extra,
  };
}

function pod(name: string, spec: V1PodSpec, labels: Record<string, string> = {}): V1Pod {
  return { metadata: { name, labels }, spec: { terminationGracePeriodSeconds: 5, ...spec } };
}

async function createReadyPod(body: V1Pod): Promise<V1Pod> {
  await core().createNamespacedPod({ namespace: namespace(), body });
  let ready: V1Pod | undefined;
  await eventually(async () => {
    ready = await core().readNamespacedPod({ namespace: namespace(), name: body.metadata!.name! });
    expect(ready.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  }, 60_000);
  return ready!;
}

async function exec(pod: string, script: string): Promise<string> {
  const result = await cluster.kubectl(['exec', pod, '--', 'node', '-e', script], { namespace: namespace() });
  return result.stdout;
}

// An HTTP server that answers /healthz, says where it listens, and exits on SIGTERM.
const webServer = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : 'hello from ' + process.env.HOSTNAME));
server.listen(8080, () => console.log('listening on 8080 as uid ' + process.getuid()));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
// A container that only waits, and stops at once when told to.
const idle = 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000);';
const probe = { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 3 };

describe('a real node', () => {
  beforeAll(async () => {
    await createReadyPod(
      pod(
        'web',
        {
          containers: [
            container('web', webServer, {
              ports: [{ containerPort: 8080 }],
              readinessProbe: probe,
              livenessProbe: probe,
            }),
          ],
        },
        { app: 'web' },
      ),
    );
  });

  it('is Ready and schedulable, and keeps pod traffic on its bridge', async () => {
    const status = await core().readNode({ name: node.nodeName });
    expect(status.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(status.status?.nodeInfo?.kubeletVersion).toBe(cluster.version);
    expect(status.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/2\./);
    // Nothing from the pod network leaves through another interface: checked by rule, never by sending.
    const forward = (await execFileAsync('iptables', ['-t', 'mangle', '-S', 'FORWARD'])).stdout.split('\n');
    expect(forward[1]).toBe(`-A FORWARD -j ${nodeNetwork.egressChain}`);
    const egress = (await execFileAsync('iptables', ['-t', 'mangle', '-S', nodeNetwork.egressChain])).stdout;
    expect(egress.split('\n').slice(1, 3)).toEqual([
      `-A ${nodeNetwork.egressChain} -s ${nodeNetwork.podSubnet} -o ${nodeNetwork.bridge} -j RETURN`,
      `-A ${nodeNetwork.egressChain} -s ${nodeNetwork.podSubnet} -j DROP`,
    ]);
  });

  it('runs a pod whose probes pass, with its logs and exec', async () => {
    const web = await core().readNamespacedPod({ namespace: namespace(), name: 'web' });
    expect(web.status?.podIP).toMatch(/^10\.88\.0\./);
    expect(web.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    const logs = await cluster.kubectl(['logs', 'web'], { namespace: namespace() });
    expect(logs.stdout).toContain('listening on 8080 as uid 1000');
    expect(await exec('web', 'console.log(process.getuid(), require("node:os").hostname())')).toBe(
      '1000 web\n',
    );
    const write = await cluster.kubectl(
      ['exec', 'web', '--', 'node', '-e', 'require("node:fs").writeFileSync("/x", "")'],
      {
        namespace: namespace(),
        check: false,
      },
    );
    expect(write.code).not.toBe(0);
    expect(write.stderr).toContain('EROFS');
  });

  it("mounts a projected service-account token that TokenReview accepts for the pod's account", async () => {
    await createReadyPod(
      pod('token', {
        containers: [
          container('token', idle, {
            volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets/roast', readOnly: true }],
          }),
        ],
        volumes: [
          {
            name: 'token',
            projected: {
              sources: [
                { serviceAccountToken: { audience: 'roast-smoke', expirationSeconds: 600, path: 'token' } },
              ],
            },
          },
        ],
      }),
    );
    const token = await exec(
      'token',
      'process.stdout.write(require("node:fs").readFileSync("/var/run/secrets/roast/token"))',
    );
    const review = await cluster
      .kubeConfig()
      .makeApiClient(AuthenticationV1Api)
      .createTokenReview({ body: { spec: { token, audiences: ['roast-smoke'] } } });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.user?.username).toBe(`system:serviceaccount:${namespace()}:default`);
    expect(review.status?.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['token']);
    expect(review.status?.user?.extra?.['authentication.kubernetes.io/node-name']).toEqual([node.nodeName]);
    const wrongAudience = await cluster
      .kubeConfig()
      .makeApiClient(AuthenticationV1Api)
      .createTokenReview({ body: { spec: { token, audiences: ['someone-else'] } } });
    expect(wrongAudience.status?.authenticated).toBeFalsy();
  });

  describe('with a hostPath volume', () => {
    let hostDir = '';
    beforeAll(async () => {
      hostDir = await mkdtemp(join(tmpdir(), 'roast-node-hostpath-'));
      await chmod(hostDir, 0o777);
    });
    afterAll(() => rm(hostDir, { recursive: true, force: true }));

    it('writes what the host reads, and runs the preStop hook when the pod is deleted', async () => {
      const writer = `require("node:fs").writeFileSync("/host/started", process.env.HOSTNAME); ${idle}`;
      const preStop = `require("node:fs").writeFileSync("/host/prestop", "ran before SIGTERM")`;
      await createReadyPod(
        pod('hostpath', {
          containers: [
            container('hostpath', writer, {
              volumeMounts: [{ name: 'host', mountPath: '/host' }],
              lifecycle: { preStop: { exec: { command: ['node', '-e', preStop] } } },
            }),
          ],
          volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
        }),
      );
      await eventually(async () => expect(await readFile(join(hostDir, 'started'), 'utf8')).toBe('hostpath'));
      await core().deleteNamespacedPod({ namespace: namespace(), name: 'hostpath' });
      await eventually(async () => {
        const pods = await core().listNamespacedPod({
          namespace: namespace(),
          fieldSelector: 'metadata.name=hostpath',
        });
        expect(pods.items).toEqual([]);
      }, 30_000);
      expect(await readFile(join(hostDir, 'prestop'), 'utf8')).toBe('ran before SIGTERM');
    });
  });

  it('reaches a Service by ClusterIP from the host and by its DNS name from a pod', async () => {
    const service = await core().createNamespacedService({
      namespace: namespace(),
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const clusterIP = service.spec!.clusterIP!;
    expect(clusterIP).toMatch(/^10\.96\.0\./);
    await eventually(async () => {
      const response = await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(2_000) });
      expect(await response.text()).toBe('hello from web');
    });
    await createReadyPod(pod('client', { containers: [container('client', idle)] }));
    const fqdn = `web.${namespace()}.svc.cluster.local`;
    const fetchWeb = (host: string) =>
      `fetch("http://${host}/", { signal: AbortSignal.timeout(2000) }).then(r => r.text()).then(t => console.log(t))`;
    await eventually(async () => expect(await exec('client', fetchWeb(fqdn))).toBe('hello from web\n'));
    // The search path resolves the short name; the address is the ClusterIP.
    expect(await exec('client', fetchWeb('web'))).toBe('hello from web\n');
    expect(await exec('client', `require("node:dns").lookup("${fqdn}", (e, a) => console.log(a))`)).toBe(
      `${clusterIP}\n`,
    );
    // Cluster DNS answers the cluster's names and nothing else.
    expect(
      await exec(
        'client',
        'require("node:dns").lookup("example.org", (e) => console.log(e ? e.code : "resolved"))',
      ),
    ).not.toBe('resolved\n');
  });
});
