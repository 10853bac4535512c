#!/usr/bin/env node
// The operator's entry point: flags and environment, JSON logs, leader election, graceful shutdown on
// SIGTERM, and the link gateway to edge agents when --gateway-port is given (without it, approved proposals
// wait: NoLink), and the telemetry read API beside it when --api-port is given.
import { Manager } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { SqliteTelemetryStore } from '@roast-operator/store';
import { type Flags, managerOptions, operatorOptions, parseFlags, UsageError, usage } from './flags.ts';
import { announceInsecureDemo, checkInsecureDemo } from './insecure-demo.ts';
import { type LinkFlags, linkUsage, type ServingFlags, splitLinkFlags } from './link/flags.ts';
import { LinkGateway } from './link/gateway.ts';
import { Operator } from './operator.ts';
import { type ApiFlags, apiUsage, splitApiFlags } from './telemetry-api/flags.ts';
import { TelemetryApi } from './telemetry-api/server.ts';
import { LeaderTelemetryStore } from './telemetry-store.ts';

const log = createLogger({ component: 'roast-operator' });

function flagsOrExit(): Flags & { link?: LinkFlags; api?: ApiFlags; serving?: ServingFlags } {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n\n${linkUsage}\n\n${apiUsage}\n`);
    process.exit(0);
  }
  try {
    const { api, rest: notApi } = splitApiFlags(argv);
    // The gateway and the read API serve the same store with the same certificate; either runs alone.
    const { link, serving, rest } = splitLinkFlags(notApi, api !== undefined);
    const shared = link ?? serving;
    if (shared?.insecureDemo) {
      const served = [
        ...(link ? [{ flag: '--gateway-host', host: link.host }] : []),
        ...(api ? [{ flag: '--api-host', host: api.host }] : []),
      ];
      checkInsecureDemo(served, process.env);
    }
    return {
      ...parseFlags(rest, process.env),
      ...(link && { link }),
      ...(api && { api }),
      ...(shared && { serving: shared }),
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`roast-operator: ${err.message}\n\n${usage}\n\n${linkUsage}\n\n${apiUsage}\n`);
    process.exit(2);
  }
}

const { link, api, serving, ...flags } = flagsOrExit();
// The manager first: every part sets itself up on it, and it runs them (the leader-only ones while leading).
const manager = new Manager(managerOptions(flags, log));
announceInsecureDemo(serving?.insecureDemo ?? false, manager.metrics.registry, log);
const scope = flags.watchNamespace === undefined ? {} : { watchNamespace: flags.watchNamespace };
const store =
  serving &&
  new LeaderTelemetryStore(
    manager,
    () => new SqliteTelemetryStore(serving.storePath, { log: log.child({ component: 'telemetry-store' }) }),
  );
const gateway =
  link &&
  store &&
  new LinkGateway(manager, {
    store,
    port: link.port,
    host: link.host,
    insecureDemo: link.insecureDemo,
    ...(link.tls && { tls: link.tls }),
    ...(link.tokenReview && { tokenReview: link.tokenReview }),
    ...scope,
    ...(flags.pod && { pod: flags.pod }),
  });
const openStore = () => store?.current;
new Operator(
  manager,
  operatorOptions(flags, {
    ...(gateway && { dispatcher: gateway, telemetry: { feed: gateway, store: openStore } }),
  }),
);
if (serving && api) {
  new TelemetryApi(manager, {
    store: openStore,
    port: api.port,
    host: api.host,
    insecureDemo: serving.insecureDemo,
    ...(serving.tls && { tls: serving.tls }),
    ...(gateway && { feed: gateway }),
    ...scope,
  });
}
manager.stopOnSignals();
log.info('starting', {
  watchNamespace: flags.watchNamespace ?? '(all)',
  lease: flags.leaderElection && `${flags.leaderElection.namespace}/${flags.leaderElection.name}`,
  identity: flags.leaderElection?.identity,
  canaryPeriodMs: flags.canary.periodMs,
  retentionMs: flags.retentionMs,
  telemetryRetentionMs: flags.telemetryRetention.retentionMs,
  gatewayPort: link?.port,
  apiPort: api?.port,
  pid: process.pid,
});
manager.start().then(
  () => process.exit(0),
  (err: unknown) => {
    log.error('stopped on a failure', { err });
    process.exit(1);
  },
);
