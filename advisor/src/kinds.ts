// How the advisor addresses the kinds it reads and the one it writes, parsed by their zod schemas.
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
import { type Kind, type KubeObject, kind, type Schema } from '@roast-operator/kube';

function kindOf<T extends KubeObject>(names: KindNames, schema: Schema<T>): Kind<T> {
  return kind({ group, version, plural: names.plural, kind: names.kind, namespaced: true }, schema);
}

export const roasters = kindOf<Roaster>(roasterNames, Roaster);
export const roastSessions = kindOf<RoastSession>(roastSessionNames, RoastSession);
export const commandProposals = kindOf<CommandProposal>(commandProposalNames, CommandProposal);
export const roastProfiles = kindOf<RoastProfile>(roastProfileNames, RoastProfile);
