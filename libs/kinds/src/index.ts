// The four roasting kinds as the controller runtime addresses them, parsed by their zod schemas: one home for
// the operator and the advisor (which may not import the operator).
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
