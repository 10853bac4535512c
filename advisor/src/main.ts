#!/usr/bin/env node
// The advisor's entry point: flags, JSON logs, the manager (leader election, probes, metrics), the
// optional language model, and a graceful shutdown on SIGTERM.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '@roast-operator/kube';
import { createLogger } from '@roast-operator/log';
import { RationalePhraser } from '@roast-operator/phrasing';
import { Advisor } from './advisor.ts';
import { type Flags, parseFlags, UsageError, usage } from './flags.ts';

const log = createLogger({ component: 'roast-advisor' });
const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function flagsOrExit(): Flags {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseFlags(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`roast-advisor: ${err.message}\n\n${usage}\n`);
    process.exit(2);
  }
}

const flags = flagsOrExit();
const kubeConfig = new KubeConfig();
if (flags.kubeconfig === undefined) kubeConfig.loadFromCluster();
else kubeConfig.loadFromFile(flags.kubeconfig);
// The read API checks the same identity the API server sees: the token file, else the kubeconfig's token.
const kubeconfigToken = kubeConfig.getCurrentUser()?.token;
const tokenFile =
  flags.readApi.tokenFile ?? (kubeconfigToken === undefined ? serviceAccountToken : undefined);
const token = async () =>
  tokenFile === undefined ? kubeconfigToken! : (await readFile(tokenFile, 'utf8')).trim();

// The manager first: the advisor sets itself up on it, and it runs it while leading.
const manager = new Manager({
  kubeConfig,
  fieldManager: 'roast-advisor',
  logger: log,
  probes: flags.probes,
  ...(flags.leaderElection && { leaderElection: flags.leaderElection }),
});
const llm = flags.llm;
const phraser =
  llm &&
  new RationalePhraser(
    {
      model: llm.model,
      apiKey: (await readFile(llm.keyFile, 'utf8')).trim(),
      timeoutMs: llm.timeoutMs,
      callsPerRoast: llm.callsPerRoast,
      ...(llm.baseURL && { baseURL: llm.baseURL }),
    },
    log,
  );
new Advisor(manager, {
  readApi: { url: flags.readApi.url, token },
  proposalTtlS: flags.proposalTtlS,
  backoffMs: flags.backoffMs,
  evaluateEveryMs: flags.evaluateEveryMs,
  ...(flags.watchNamespace !== undefined && { namespace: flags.watchNamespace }),
  ...(phraser && { phraser }),
});
manager.stopOnSignals();
log.info('starting', {
  watchNamespace: flags.watchNamespace ?? '(all)',
  readApi: flags.readApi.url,
  lease: flags.leaderElection && `${flags.leaderElection.namespace}/${flags.leaderElection.name}`,
  identity: flags.leaderElection?.identity,
  proposalTtlS: flags.proposalTtlS,
  backoffMs: flags.backoffMs,
  llm: llm ? { model: llm.model, callsPerRoast: llm.callsPerRoast, timeoutMs: llm.timeoutMs } : 'off',
  pid: process.pid,
});
manager.start().then(
  () => process.exit(0),
  (err: unknown) => {
    log.error('stopped on a failure', { err });
    process.exit(1);
  },
);
