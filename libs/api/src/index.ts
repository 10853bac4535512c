export * from './command-proposal.ts';
export {
  type CelRule,
  Condition,
  LocalObjectReference,
  ObjectName,
  Timestamp,
} from './common.ts';
export * from './constants.ts';
export { crdFiles, customResourceDefinition, type PrinterColumn, type ResourceDefinition } from './crd.ts';
export * from './models.ts';
export * from './roast-profile.ts';
export * from './roast-session.ts';
export * from './roaster.ts';

import { commandProposalDefinition } from './command-proposal.ts';
import type { ResourceDefinition } from './crd.ts';
import { roastProfileDefinition } from './roast-profile.ts';
import { roastSessionDefinition } from './roast-session.ts';
import { roasterDefinition } from './roaster.ts';

/** Every kind of the API, in the order the CRDs are written. */
export const resourceDefinitions: readonly ResourceDefinition[] = [
  roasterDefinition,
  roastSessionDefinition,
  commandProposalDefinition,
  roastProfileDefinition,
];
