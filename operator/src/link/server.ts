// The gRPC server edge agents stream to: TLS with the serving certificate the operator re-reads when it is
// renewed (new handshakes get the renewed one, open streams keep theirs), or plaintext for the demo; and the
// pod label through which the gateway Service reaches only the leader.
import { experimental, Server, ServerCredentials } from '@grpc/grpc-js';
import type { Pod, ResourceClient } from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import { LinkServiceService } from '@roast-operator/proto';
import { grpcIdentity, type ServingCertificate } from '../serving-certificate.ts';
import type { Call } from './stream.ts';
import { bounds } from './validate.ts';

/** The pod label the gateway Service selects: only the leader carries it. */
export const leaderLabel = 'roasting.simcorp.io/link-gateway';

export interface ServeOptions {
  host: string;
  port: number;
  /** Plaintext without one: only with the operator's explicit `--insecure-demo`. */
  certificate: ServingCertificate | undefined;
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

function credentials({ certificate }: ServeOptions): ServerCredentials {
  if (certificate === undefined) return ServerCredentials.createInsecure();
  // Its first argument is the identity (serving) provider; no client certificates are asked for.
  return experimental.createCertificateProviderServerCredentials(grpcIdentity(certificate), null, false);
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
