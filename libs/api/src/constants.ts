/** The API group every Roast Operator kind belongs to. */
export const group = 'roasting.simcorp.io';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;
/** `kubectl get roasting` lists every kind of the API. */
export const category = 'roasting';

/** Names of one kind, as the CRD declares them and clients address it. */
export interface KindNames {
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

export const roasterNames = {
  kind: 'Roaster',
  listKind: 'RoasterList',
  plural: 'roasters',
  singular: 'roaster',
  shortNames: ['rstr'],
} as const satisfies KindNames;

// `rs` would clash with ReplicaSet.
export const roastSessionNames = {
  kind: 'RoastSession',
  listKind: 'RoastSessionList',
  plural: 'roastsessions',
  singular: 'roastsession',
  shortNames: ['roast'],
} as const satisfies KindNames;

export const roastProfileNames = {
  kind: 'RoastProfile',
  listKind: 'RoastProfileList',
  plural: 'roastprofiles',
  singular: 'roastprofile',
  shortNames: ['rprof'],
} as const satisfies KindNames;

export const commandProposalNames = {
  kind: 'CommandProposal',
  listKind: 'CommandProposalList',
  plural: 'commandproposals',
  singular: 'commandproposal',
  shortNames: ['proposal', 'cmdp'],
} as const satisfies KindNames;

/**
 * Server-side-apply field managers that share a Roaster's status: the link gateway owns what the device
 * reports, the autonomy controller owns what the operator decides, the session controller owns which
 * RoastSession runs.
 */
export const fieldManagers = {
  link: 'roast-link',
  autonomy: 'roast-autonomy',
  session: 'roast-session',
} as const;

/**
 * The Node label, set by a cluster administrator, naming the namespace whose Roasters an edge agent on that
 * node may speak for: a tenant's Roaster in any other namespace never takes (or blocks) that node's device.
 */
export const roasterNamespaceLabel = `${group}/roaster-namespace`;
