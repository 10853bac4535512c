// The gRPC server edge agents stream to: TLS whose certificate grpc-js re-reads on its own schedule (new
// handshakes get a renewed certificate, open streams keep theirs), or plaintext for the demo; and the pod
// label through which the gateway Service reaches only the leader.
import { experimental, Server, ServerCredentials } from '@grpc/grpc-js';
import type { Pod, ResourceClient } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { LinkServiceService } from '@roast-operator/proto';
import type { Call } from './stream.ts';
import { bounds } from './validate.ts';

/** The serving certificate and key, re-read when they change so a renewed certificate needs no restart. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** How often the files are checked for a renewal. */
  refreshMs?: number;
}

/** The pod label the gateway Service selects: only the leader carries it. */
export const leaderLabel = 'roasting.simcorp.io/link-gateway';

const defaultTlsRefreshMs = 60_000;

export interface ServeOptions {
  host: string;
  port: number;
  /** Plaintext: only with the operator's explicit `--insecure-demo`. */
  insecureDemo: boolean;
  tls?: TlsFiles | undefined;
}

/** Serves the link service; resolves with the server and the port bound. */
export async function serveLink(
  opts: ServeOptions,
  connect: (call: Call) => void,
): Promise<{ server: Server; port: number }> {
  const server = new Server({
    'grpc.max_receive_message_length': bounds.messageBytes,
    'grpc.max_send_message_length': bounds.messageBytes,
    'grpc.keepalive_time_ms': 30_000,
  });
  server.addService(LinkServiceService, { connect });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host}:${opts.port}`, credentials(opts), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return { server, port };
}

function credentials({ insecureDemo, tls }: ServeOptions): ServerCredentials {
  if (insecureDemo || tls === undefined) return ServerCredentials.createInsecure();
  const files = new experimental.FileWatcherCertificateProvider({
    certificateFile: tls.certFile,
    privateKeyFile: tls.keyFile,
    refreshIntervalMs: tls.refreshMs ?? defaultTlsRefreshMs,
  });
  // Its first argument is the identity (serving) provider; no client certificates are asked for.
  return experimental.createCertificateProviderServerCredentials(files, null, false);
}

/** Labels the leader's pod so the gateway Service sends edge agents to it (and unlabels it on the way out). */
export async function labelLeaderPod(
  podApi: ResourceClient<Pod>,
  pod: { namespace: string; name: string } | undefined,
  leading: boolean,
  log: Logger,
): Promise<void> {
  if (pod === undefined) return;
  try {
    const labels = { [leaderLabel]: leading ? 'leader' : null };
    await podApi.patch(pod.namespace, pod.name, { metadata: { labels } }, { type: 'merge' });
  } catch (err) {
    // Outside a pod (or before it exists) there is nothing to label; edges are pointed at us directly.
    log.warn('could not label the operator pod for the gateway Service', { err, pod: pod.name, leading });
  }
}
