import { z } from 'zod';
import { apiVersion } from './constants.ts';

/** One `x-kubernetes-validations` entry: a CEL rule the API server checks at admission. */
export interface CelRule {
  readonly rule: string;
  /** What a person reads when the rule rejects an object: unique across the API, so tests can name it. */
  readonly message: string;
  readonly reason?:
    | 'FieldValueInvalid'
    | 'FieldValueForbidden'
    | 'FieldValueRequired'
    | 'FieldValueDuplicate';
  /** Where the error points, relative to the node the rule sits on. */
  readonly fieldPath?: string;
}

/** Attach rules with `.meta(validations(...))` so they live beside the schema they guard. */
export function validations(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/** CEL: true when the field is absent on both sides or present and equal on both. */
export function celUnchanged(field: string): string {
  return `has(self.${field}) ? has(oldSelf.${field}) && self.${field} == oldSelf.${field} : !has(oldSelf.${field})`;
}

/** CEL list literal of strings. */
export function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

/** Lists values for a message: `a`, `a and b`, `a, b and c`. */
export function prose(values: readonly string[], conjunction = 'and'): string {
  return values.length <= 1
    ? values.join('')
    : `${values.slice(0, -1).join(', ')} ${conjunction} ${values.at(-1)}`;
}

// RFC 3339 with any offset, as the API server's `date-time` format accepts; bounded for CEL's cost estimate.
export const Timestamp = z.iso.datetime({ offset: true }).max(64);

// Characters that change what a terminal shows rather than showing themselves: C0 and C1 controls (ANSI
// escape sequences, NUL, backspace, carriage return, tab, line feed), DEL, Unicode line and paragraph
// separators, and the bidirectional controls that reorder text ("Trojan Source"). RE2 syntax, as CEL reads it.
const terminalControls = String.raw`[\p{Cc}\x{2028}\x{2029}\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]`;
// In a name, also every invisible format character (zero-width space and joiners, soft hyphen, BOM): two
// names that differ only by one look identical.
const invisibleInNames = String.raw`[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]`;

/**
 * The size limit of a string people write, in bytes of UTF-8. The API server enforces a schema's maxLength
 * in characters but words its refusal "may not be more than N bytes", so the CRD keeps maxLength N (a
 * string of more than N characters has more than N bytes) and this rule makes the limit really bytes.
 */
function byteLimit(field: string, maxBytes: number): CelRule {
  return {
    rule: `size(bytes(self)) <= ${maxBytes}`,
    message: `${field} may be at most ${maxBytes} bytes of UTF-8 (an accented letter such as é takes 2 bytes, most emoji 4): shorten it`,
  };
}

/** The rules of a free-text field (a rationale, a reason, a note): one line of printable text, bounded in bytes. */
export function textRules(field: string, maxBytes: number) {
  return {
    printable: {
      rule: `!self.matches(r'${terminalControls}')`,
      message: `${field} must be one line of printable text: control characters (ANSI escape sequences, NUL, tabs, line breaks) and text-direction controls are refused, since they could rewrite what an approver's terminal shows`,
    },
    bytes: byteLimit(field, maxBytes),
  } satisfies Record<string, CelRule>;
}
export type TextRules = ReturnType<typeof textRules>;

/** A free-text field guarded by `rules` (from `textRules`). */
export function freeText(maxBytes: number, rules: TextRules) {
  return z.string().max(maxBytes).meta(validations(rules.printable, rules.bytes));
}

const userNameBytes = 512;

/** The rules of a field naming a user, which admission compares with the authenticated name. */
export function userNameRules(field: string) {
  return {
    visible: {
      rule: `!self.matches(r'${invisibleInNames}')`,
      message: `${field} may not contain control or invisible characters (zero-width spaces, joiners, direction marks): two names differing only by one look the same; type the user name again`,
    },
    bytes: byteLimit(field, userNameBytes),
  } satisfies Record<string, CelRule>;
}
export type UserNameRules = ReturnType<typeof userNameRules>;

/** A Kubernetes user name as authentication reports it (`request.userInfo.username`), guarded by `rules`. */
export function userName(rules: UserNameRules) {
  return z.string().min(1).max(userNameBytes).meta(validations(rules.visible, rules.bytes));
}

/** An identifier copied from status (a latch id): printable ASCII only, so what is compared is what is seen. */
export function asciiIdRules(field: string, copyFrom: string): CelRule {
  return {
    rule: "self.matches(r'^[!-~]+$')",
    message: `${field} is an id of printable ASCII characters (no spaces, look-alike letters or invisible characters): copy it from ${copyFrom}`,
  };
}

/** A DNS subdomain (RFC 1123), the form of most object names. */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);

/** Names an object of a known kind in the referrer's namespace. */
export const LocalObjectReference = z.object({
  name: ObjectName.describe('Name of the referenced object, in the same namespace as the referrer.'),
});
export type LocalObjectReference = z.infer<typeof LocalObjectReference>;

/** A string map with bounded size, e.g. a label selector; zod and the CRD both enforce the bound. */
export function boundedRecord<K extends z.ZodString, V extends z.ZodType>(
  key: K,
  value: V,
  maxEntries: number,
) {
  return z
    .record(key, value)
    .refine((r) => Object.keys(r).length <= maxEntries, `at most ${maxEntries} entries`)
    .meta({ maxProperties: maxEntries });
}

/** `metav1.Condition`, field for field, so kstatus-aware tools (Flux, kubectl wait) read it. */
export const Condition = z
  .object({
    type: z
      .string()
      .min(1)
      .max(316)
      .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
      )
      .describe('Type of condition in CamelCase, e.g. Ready. The key of the conditions list.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe(
        'The metadata.generation the condition was set from. If it is older than the current generation, the condition is out of date.',
      ),
    lastTransitionTime: Timestamp.describe(
      'When the condition last changed from one status to another (RFC 3339). If that is unknown, when the API field changed.',
    ),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe(
        "A programmatic identifier for the condition's last transition, in CamelCase. Producers define the values; consumers may match on them.",
      ),
    message: z
      .string()
      .max(32768)
      .describe('A human-readable message with details about the transition. May be empty.'),
  })
  .describe('One aspect of the current state of the object.');
export type Condition = z.infer<typeof Condition>;

/** The `conditions` list: a list-map keyed by `type`, so two server-side-apply managers can each own entries. */
export function conditions(doc: string) {
  return z
    .array(Condition)
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe(`Current state of the object as standard Kubernetes conditions, one per type. ${doc}`);
}

export const observedGeneration = z
  .int()
  .min(0)
  .describe(
    'The metadata.generation of the spec the controller last acted on. Older than the current generation: the status is out of date.',
  );

/** Object metadata as the API server sends it (timestamps are RFC 3339 strings). */
interface WireObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  finalizers?: string[];
}

// Metadata is validated by the API server, not by the CRD schema; controllers only need its shape.
const ObjectMeta = z.custom<WireObjectMeta>(
  (v) => typeof v === 'object' && v !== null,
  'metadata must be an object',
);

/** The whole object as the API returns it, for controllers that parse what they read. */
export function resource<K extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: K,
  spec: Spec,
  status: Status,
) {
  return z.object({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: ObjectMeta,
    spec,
    status: status.optional(),
  });
}
