// Both ends of the link as separate processes, as the end-to-end suites run them: the operator's gateway on
// loopback in plaintext demo mode with its store in the suite's directory, and an edge agent on the node the
// Roastery binds its Roasters to, streaming to that gateway for one Roaster.
import { join } from 'node:path';
import type { Roaster } from '@roast-operator/api';
import { insecureDemoConfirmation } from '@roast-operator/operator';
import { NodeProcess } from '@roast-operator/test-env';

const root = join(import.meta.dirname, '../..');
export const operatorMain = join(root, 'operator/src/main.ts');
export const edgeMain = join(root, 'edge-node/src/main.ts');

/** The node `Roastery.roaster` binds Roasters to: the gateway admits an edge only from there. */
export const edgeNode = 'roast-node-1';

/** The operator's gateway flags: loopback, `--insecure-demo`, the telemetry store in `dir`. */
/** The environment an operator started with `--insecure-demo` needs: the demo's second, deliberate switch. */
export const insecureDemoEnv = { [insecureDemoConfirmation.variable]: insecureDemoConfirmation.value };

export function gatewayArgs(port: number, dir: string): string[] {
  return [
    `--gateway-port=${port}`,
    '--gateway-host=127.0.0.1',
    '--insecure-demo',
    `--store-path=${join(dir, 'telemetry.db')}`,
  ];
}

export interface EdgeLaunch {
  /** The roaster it drives: `--simulate …` or `--replay FILE --speed N`. */
  readonly device: readonly string[];
  /** The loopback port it reaches the gateway on (the gateway's own, or a proxy in front of it). */
  readonly gatewayPort: number;
  readonly roaster: Roaster;
  /** Its store directory (results, latches): a restarted agent on the same one finds what it kept. */
  readonly store: string;
  /** Its HTTP port: health, hello, metrics. */
  readonly port: number;
  readonly pod: string;
}

/** An edge agent in plaintext demo mode, streaming for `roaster` as the pod `pod` on `edgeNode`. */
export function edgeProcess(launch: EdgeLaunch): NodeProcess {
  const { namespace, name, uid } = launch.roaster.metadata;
  return new NodeProcess(
    edgeMain,
    [
      ...launch.device,
      `--gateway=127.0.0.1:${launch.gatewayPort}`,
      '--insecure-demo',
      `--roaster=${namespace}/${name}`,
      `--roaster-uid=${uid}`,
      `--store=${launch.store}`,
      `--port=${launch.port}`,
    ],
    { NODE_NAME: edgeNode, POD_NAME: launch.pod },
  );
}
