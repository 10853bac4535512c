// `--insecure-demo`: plaintext and no token review on the gateway and the read API, for a demo on one machine.
// It is refused anywhere else, and says so loudly, in the log and on /metrics, while it is on.
import type { Logger } from '@roast-operator/log';
import { Gauge, type Registry } from 'prom-client';
import { UsageError } from './flags.ts';

/**
 * The second, deliberate switch `--insecure-demo` needs: plaintext with no token review lets any process
 * that reaches the gateway replace a roaster's stream and store forged samples, so the flag alone (copied
 * from the demo into a manifest, say) must not turn it on.
 */
export const insecureDemoConfirmation = {
  variable: 'ROAST_INSECURE_DEMO',
  value: 'plaintext-unauthenticated-loopback',
} as const;

/** Where `--insecure-demo` would serve: the flag and the address it binds. */
export interface ServedAddress {
  readonly flag: string;
  readonly host: string;
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * Refuses `--insecure-demo` outside a demo on one machine: inside a Kubernetes pod ($KUBERNETES_SERVICE_HOST
 * is set there), on any address but loopback, or without the confirmation in the environment.
 */
export function checkInsecureDemo(
  served: readonly ServedAddress[],
  env: Readonly<Record<string, string | undefined>>,
): void {
  const what =
    '--insecure-demo serves edge agents and the read API in plaintext with no token review: any process that reaches the port can replace a roaster’s stream and store forged samples';
  if (env.KUBERNETES_SERVICE_HOST) {
    throw new UsageError(
      `${what}, so it is refused in a Kubernetes pod ($KUBERNETES_SERVICE_HOST is set). Use --tls-cert, --tls-key and --edge-service-account (the chart sets them).`,
    );
  }
  const open = served.filter((s) => !isLoopback(s.host));
  if (open.length > 0) {
    const hosts = open.map((s) => `${s.flag} ${s.host}`).join(', ');
    throw new UsageError(
      `${what}, so it binds loopback only, and ${hosts} is not: add ${open.map((s) => `${s.flag}=127.0.0.1`).join(' ')}.`,
    );
  }
  const { variable, value } = insecureDemoConfirmation;
  if (env[variable] !== value) {
    throw new UsageError(
      `${what}. For a demo on this machine only, confirm it by also setting ${variable}=${value} in the environment.`,
    );
  }
}

/**
 * Tells whoever watches the operator that it runs without transport security: a warning at start and the
 * gauge roast_operator_insecure_demo (1 while on, 0 otherwise, so an alert can fire on it).
 */
export function announceInsecureDemo(on: boolean, registry: Registry, log: Logger): void {
  const gauge = new Gauge({
    name: 'roast_operator_insecure_demo',
    help: '1 while the operator serves edge agents and the read API in plaintext with no token review (--insecure-demo).',
    registers: [registry],
  });
  gauge.set(on ? 1 : 0);
  if (!on) return;
  log.warn(
    'INSECURE DEMO MODE: the link gateway and the read API take plaintext with no token review; any local process can replace a roaster’s stream and store forged samples. Never run this outside a demo.',
    { flag: '--insecure-demo' },
  );
}
