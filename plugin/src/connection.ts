// The user's own Kubernetes connection, found as kubectl finds it: --kubeconfig, else KUBECONFIG (a list of
// files, merged), else ~/.kube/config; --context picks a context; -n, else the context's namespace, else
// default. Every request is the user's, so RBAC and the admission policies apply unchanged.
import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import {
  CommandProposal,
  commandProposalNames,
  group,
  type KindNames,
  Roaster,
  RoastProfile,
  RoastSession,
  roasterNames,
  roastProfileNames,
  roastSessionNames,
  version,
} from '@roast-operator/api';
import {
  KubeClient,
  type LooseObject,
  type ResourceClient,
  type ResourceDescriptor,
} from '@roast-operator/kube';
import { z } from 'zod';
import { UsageError } from './refusal.ts';

export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

const descriptor = (names: KindNames): ResourceDescriptor => ({
  group,
  version,
  plural: names.plural,
  kind: names.kind,
  namespaced: true,
});

export const descriptors = {
  roaster: descriptor(roasterNames),
  session: descriptor(roastSessionNames),
  proposal: descriptor(commandProposalNames),
  profile: descriptor(roastProfileNames),
} as const;
export type Kind = keyof typeof descriptors;

const SelfSubjectReview = z.object({
  status: z.object({ userInfo: z.object({ username: z.string().min(1) }) }),
});

/** Reads the kubeconfig as kubectl would; a missing file or context is a usage error, said as such. */
export function loadKubeConfig(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const config = new KubeConfig();
  const path = flags.kubeconfig ?? env.KUBECONFIG;
  try {
    if (flags.kubeconfig) config.loadFromFile(flags.kubeconfig);
    else config.loadFromDefault();
  } catch (err) {
    throw new UsageError(
      `The kubeconfig ${path ?? '~/.kube/config'} could not be read (${err instanceof Error ? err.message : err}): point --kubeconfig or KUBECONFIG at your kubeconfig file`,
    );
  }
  if (flags.context) {
    if (!config.getContextObject(flags.context))
      throw new UsageError(
        `The kubeconfig has no context ${flags.context}: it has ${
          config
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      );
    config.setCurrentContext(flags.context);
  }
  if (!config.getCurrentCluster())
    throw new UsageError('The kubeconfig names no current cluster: pick a context with --context');
  return config;
}

export class Connection {
  readonly namespace: string;
  readonly client: KubeClient;
  #user: Promise<string> | undefined;

  constructor(config: KubeConfig, namespace?: string) {
    this.client = new KubeClient(config, { fieldManager: 'kubectl-roast' });
    this.namespace = namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
  }

  static open(flags: ConnectionFlags): Connection {
    return new Connection(loadKubeConfig(flags), flags.namespace);
  }

  /** The API server's address, for messages. */
  get server(): string {
    return this.client.kubeConfig.getCurrentCluster()?.server ?? '';
  }

  /** Who the API server says the user is (a SelfSubjectReview): the name approvals and marks must carry. */
  user(): Promise<string> {
    this.#user ??= this.client
      .request<unknown>(HttpMethod.POST, '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      })
      .then((review) => SelfSubjectReview.parse(review).status.userInfo.username);
    return this.#user;
  }

  resource(kind: Kind): ResourceClient<LooseObject> {
    return this.client.resource(descriptors[kind]);
  }

  roaster(name: string): Promise<Roaster> {
    return this.#get('roaster', Roaster, name);
  }

  session(name: string): Promise<RoastSession> {
    return this.#get('session', RoastSession, name);
  }

  roastProfile(name: string): Promise<RoastProfile> {
    return this.#get('profile', RoastProfile, name);
  }

  proposal(name: string): Promise<CommandProposal> {
    return this.#get('proposal', CommandProposal, name);
  }

  roasters(): Promise<Roaster[]> {
    return this.#list('roaster', Roaster);
  }

  sessions(): Promise<RoastSession[]> {
    return this.#list('session', RoastSession);
  }

  /** Every proposal in the namespace (of one roaster, with `roaster`: a field the CRD makes selectable). */
  proposals(roaster?: string): Promise<CommandProposal[]> {
    return this.#list('proposal', CommandProposal, roaster && `spec.roasterRef.name=${roaster}`);
  }

  async #get<T>(kind: Kind, schema: z.ZodType<T>, name: string): Promise<T> {
    return schema.parse(await this.resource(kind).get(this.namespace, name));
  }

  /** Every object of a kind in the namespace, page by page, parsed. */
  async #list<T>(kind: Kind, schema: z.ZodType<T>, fieldSelector?: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const page = await this.resource(kind).list({
        namespace: this.namespace,
        limit: 500,
        ...(fieldSelector && { fieldSelector }),
        ...(next && { continue: next }),
      });
      for (const item of page.items) items.push(schema.parse(item));
      next = page.continue;
    } while (next);
    return items;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
