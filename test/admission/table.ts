// Who may do what to roasters, sessions and proposals, as data: the identities the admission tests act as,
// the grants each holds, and every case with the API server's expected answer. The harness in
// admission.test.ts installs the chart, creates the grants and runs each case with the real kubectl.
import { markBudget } from '@roast-operator/api';

/** A PolicyRule in the test's own Roles, for grants narrower or odder than the chart's ClusterRoles. */
export interface Rule {
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export type Grant =
  /** A RoleBinding to a ClusterRole, in the test namespace or (elsewhere) another one. */
  | { readonly clusterRole: string; readonly elsewhere?: true }
  /** A Role of the identity's own in the test namespace (group roasting.simcorp.io). */
  | { readonly rules: readonly Rule[] };

export interface Identity {
  /** Humans are users in group roasters; robots are service accounts of the test namespace. */
  readonly kind: 'human' | 'robot';
  readonly grants: readonly Grant[];
}

const proposer: Grant = { clusterRole: 'roast-proposer' };
const approver: Grant = { clusterRole: 'roast-approver' };
const attendant: Grant = { clusterRole: 'roast-attendant' };
const unattendedApprover: Grant = { clusterRole: 'roast-unattended-approver' };
const human = (...grants: Grant[]): Identity => ({ kind: 'human', grants });
const robot = (...grants: Grant[]): Identity => ({ kind: 'robot', grants });
/** The per-roaster pattern: approve on one roaster by name, plus the get and patch `kubectl patch` makes. */
const approverOf = (roaster: RoasterName): Grant => ({
  rules: [
    { resources: ['roasters'], verbs: ['approve'], resourceNames: [roaster] },
    { resources: ['commandproposals'], verbs: ['get', 'patch'] },
  ],
});

export const identities = {
  alice: human(proposer, attendant),
  bob: human(approverOf('bullet-a')),
  carol: human(approverOf('bullet-b')),
  // roast-approver only in another namespace, and the REST patch here, so admission is what refuses him.
  dave: human(
    { clusterRole: 'roast-approver', elsewhere: true },
    { rules: [{ resources: ['commandproposals'], verbs: ['get', 'patch'] }] },
  ),
  erin: human(proposer, approver),
  frank: human(proposer),
  grace: human(attendant),
  // Patch on roasters without configure: what an over-broad role would give.
  heidi: human({ rules: [{ resources: ['roasters'], verbs: ['get', 'patch'] }] }),
  // Every role the chart offers people, to show what none of them grants.
  ivan: human(proposer, approver, attendant, unattendedApprover),
  // Reads through the built-in view role, which aggregates roast-viewer.
  judy: human({ clusterRole: 'view' }),
  // As the demo grants it: proposes, and holds stop for the safe direction (and so mark).
  advisor: robot(proposer, attendant),
  'approver-bot': robot(approver),
  'unattended-bot': robot(proposer, unattendedApprover),
  'stop-bot': robot(attendant),
  // The GitOps controller's identity.
  gitops: robot({ rules: [{ resources: ['roasters'], verbs: ['create', 'get', 'patch', 'configure'] }] }),
  // A person who curates roast profiles.
  peggy: human({ clusterRole: 'roast-profile-editor' }),
} satisfies Record<string, Identity>;

export type IdentityName = keyof typeof identities;
/** admin is the control plane's system:masters user; operator is the chart's service account, by its token. */
export type Actor = IdentityName | 'admin' | 'operator';

export type RoasterName = 'bullet-a' | 'bullet-b';
export const roasters: readonly RoasterName[] = ['bullet-a', 'bullet-b'];

export type Phase = 'Pending' | 'Blocked' | 'AwaitingApproval' | 'Expired';

export interface Command {
  readonly type: string;
  /** A string here is a type error the API server must name. */
  readonly target?: number | string;
  readonly latchId?: string;
}

/** A name written as it is, not an actor's: a look-alike or an invisible character. */
export interface Literally {
  readonly literally: string;
}

/** Marks added to a fresh session before the case, each group as one JSON patch by its marker. */
export interface Marking {
  readonly by: Actor;
  readonly type: string;
  readonly count: number;
}

/** A proposal a case acts on, brought to its state the way it happens: created by its proposer, governed by the operator. */
export interface Proposal {
  /** Default alice. */
  readonly by?: Actor;
  /** Written by the operator; default AwaitingApproval, none: never governed. */
  readonly phase?: Phase | 'none';
  /** The operator's snapshot of the Roaster's allowSelfApprovalForHumans; default false. */
  readonly selfApprovalAllowed?: boolean;
  /** Already decided (Approved) by this approver. */
  readonly decidedBy?: Actor;
}

export type Act =
  /** Create a proposal as the actor; proposedBy is the actor unless named ('none': left out). */
  | {
      readonly propose: {
        readonly command: Command;
        readonly proposedBy?: Actor | 'none' | Literally;
        readonly rationale?: string;
        readonly approval?: true;
        readonly ownerReference?: true;
      };
    }
  /** Set spec.approval with `kubectl patch --type=merge`; the approver is the actor unless named ('none': left out). */
  | {
      readonly decide: 'Approved' | 'Rejected';
      readonly on?: Proposal;
      readonly approver?: Actor | 'none' | Literally;
      readonly reason?: string;
    }
  /** Any other change, to a fresh object of the kind ({namespace} in a patch: the test's). */
  | {
      readonly change: { readonly merge: unknown } | { readonly json: unknown };
      readonly on:
        | { readonly proposal: Proposal }
        | 'session'
        | { readonly session: readonly Marking[] }
        | 'roaster';
      readonly subresource?: 'status';
    };

export interface Case {
  readonly name: string;
  readonly by: Actor;
  readonly act: Act;
  /** What the API server's refusal says ({namespace}: the test's, {name}: the object's); absent: admitted. */
  readonly refusedWith?: string;
  /** Where the MutatingAdmissionPolicy fills in a missing name, the case is admitted instead. */
  readonly admittedWhenFilledIn?: true;
}

const heater: Command = { type: 'SetHeater', target: 6 };
const stop: Command = { type: 'EmergencyStop' };
const reset: Command = { type: 'ResetLatch', latchId: 'latch-7f3a' };
const approve = (on: Proposal = {}) => ({ decide: 'Approved', on }) as const;
const ownedBySomething = {
  merge: {
    metadata: {
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: 'anything',
          uid: '6b0e7f3e-0000-4000-8000-000000000001',
        },
      ],
    },
  },
};
/** The name a mark carries for an identity: a service account's full user name. */
const markerName = (who: string): string =>
  who in identities && identities[who as IdentityName].kind === 'robot'
    ? `system:serviceaccount:{namespace}:${who}`
    : who;
const marks = (by: string, type = 'firstCrack', count = 1, note?: string) => ({
  json: Array.from({ length: count }, () => ({
    op: 'add',
    path: '/spec/marks/-',
    value: { type, by: markerName(by), ...(note === undefined ? {} : { note }) },
  })),
});
const mark = (by: string, type = 'firstCrack') => marks(by, type);
const finalizer = (name: string) => ({ merge: { metadata: { finalizers: [name] } } });
/** An agent's notes and a person's, filling the session's notes to the budget. */
const notesFull: readonly Marking[] = [
  { by: 'advisor', type: 'note', count: markBudget.notesByServiceAccounts },
  { by: 'alice', type: 'note', count: markBudget.note - markBudget.notesByServiceAccounts },
];
const accented = (bytes: number) => 'é'.repeat(bytes / 2);
// What a terminal would act on: clear the screen, paint in red, and a NUL.
const terminalSpoof = '\u001b[2J\u001b[H\u001b[31mAPPROVED BY bob\u001b[0m\u0000';
const notOneLine = 'must be one line of printable text: control characters';
// The API server echoes a refused value quoted, with control characters escaped: harmless on a terminal.
const spoofEchoed = String.raw`Invalid value: "\x1b[2J\x1b[H\x1b[31mAPPROVED BY bob\x1b[0m\x00"`;
const cyrillicA = '\u0430';
const cyrillicO = '\u043e';

// Fragments of the refusals, where several cases share one.
const writeOnce = 'spec.approval is write-once: it cannot be changed or removed';
const notAwaiting = 'a decision is accepted only while status.phase is AwaitingApproval';
const operatorOnlyStatus = (resource: string, who: string) =>
  `writes the status of ${resource}: ${who} may not`;

export const cases: readonly Case[] = [
  // Proposing: undecided, in the creator's name, with the verb the command needs.
  { name: 'a proposer proposes', by: 'alice', act: { propose: { command: heater } } },
  { name: 'an agent proposes', by: 'advisor', act: { propose: { command: { type: 'SetFan', target: 8 } } } },
  {
    name: 'a create carrying an approval',
    by: 'alice',
    act: { propose: { command: heater, approval: true } },
    refusedWith: 'a CommandProposal cannot be created with spec.approval',
  },
  {
    name: 'a proposal in someone else’s name',
    by: 'alice',
    act: { propose: { command: heater, proposedBy: 'bob' } },
    refusedWith:
      'spec.proposedBy must name the user who creates the proposal: set it to alice (it says "bob")',
  },
  {
    name: 'a proposal with no proposedBy',
    by: 'alice',
    act: { propose: { command: heater, proposedBy: 'none' } },
    refusedWith: 'spec.proposedBy: Required value',
    admittedWhenFilledIn: true,
  },
  {
    name: 'a create without propose',
    by: 'grace',
    act: { propose: { command: heater } },
    refusedWith:
      'grace may not propose on Roaster bullet-a in namespace {namespace}: SetHeater needs the propose verb on roasters/bullet-a (ClusterRole roast-proposer)',
  },
  { name: 'an attendant stops the roaster', by: 'grace', act: { propose: { command: stop } } },
  { name: 'an agent holding stop stops the roaster', by: 'stop-bot', act: { propose: { command: stop } } },
  {
    name: 'an EmergencyStop without stop',
    by: 'frank',
    act: { propose: { command: stop } },
    refusedWith:
      'frank may not stop on Roaster bullet-a in namespace {namespace}: EmergencyStop needs the stop verb',
  },
  { name: 'an attendant resets the latch', by: 'grace', act: { propose: { command: reset } } },
  {
    name: 'a ResetLatch without reset',
    by: 'frank',
    act: { propose: { command: reset } },
    refusedWith:
      'frank may not reset on Roaster bullet-a in namespace {namespace}: ResetLatch needs the reset verb',
  },
  {
    name: 'a ResetLatch by a robot holding reset',
    by: 'stop-bot',
    act: { propose: { command: reset } },
    refusedWith: 'a ResetLatch is created by a person at the roaster',
  },
  {
    name: 'a proposal created with an owner reference',
    by: 'alice',
    act: { propose: { command: heater, ownerReference: true } },
    refusedWith:
      'only the operator sets owner references on commandproposals: alice may not add one to ConfigMap anything',
  },

  // Deciding: while AwaitingApproval, in the decider's name, with approve on that roaster.
  { name: 'the approver of bullet-a approves', by: 'bob', act: approve() },
  { name: 'the approver of bullet-a rejects', by: 'bob', act: { decide: 'Rejected' } },
  {
    name: 'an approval by a user without approve on bullet-a',
    by: 'carol',
    act: approve(),
    refusedWith:
      'carol may not decide proposals for Roaster bullet-a in namespace {namespace}: that needs the approve verb on roasters/bullet-a',
  },
  {
    name: 'an approval by a user holding approve only in another namespace',
    by: 'dave',
    act: approve(),
    refusedWith: 'dave may not decide proposals for Roaster bullet-a in namespace {namespace}',
  },
  {
    name: 'an approval in someone else’s name',
    by: 'bob',
    act: { decide: 'Approved', approver: 'carol' },
    refusedWith: 'spec.approval.approver must name the user who decides: set it to bob (it says "carol")',
  },
  {
    name: 'an approval with no approver',
    by: 'bob',
    act: { decide: 'Approved', approver: 'none' },
    refusedWith: 'spec.approval.approver: Required value',
    admittedWhenFilledIn: true,
  },
  {
    name: 'a decision on a proposal not yet governed',
    by: 'bob',
    act: approve({ phase: 'none' }),
    refusedWith: `is not yet governed: ${notAwaiting}`,
  },
  {
    name: 'a decision on a Pending proposal',
    by: 'bob',
    act: approve({ phase: 'Pending' }),
    refusedWith: `is Pending: ${notAwaiting}`,
  },
  {
    name: 'a decision on a Blocked proposal',
    by: 'bob',
    act: approve({ phase: 'Blocked' }),
    refusedWith: `is Blocked: ${notAwaiting}`,
  },
  {
    name: 'a decision on an Expired proposal',
    by: 'bob',
    act: approve({ phase: 'Expired' }),
    refusedWith: `is Expired: ${notAwaiting}`,
  },
  {
    name: 'a second decision',
    by: 'erin',
    act: { decide: 'Rejected', on: { decidedBy: 'bob' } },
    refusedWith: writeOnce,
  },
  {
    name: 'removing the decision',
    by: 'bob',
    act: {
      change: { json: [{ op: 'remove', path: '/spec/approval' }] },
      on: { proposal: { decidedBy: 'bob' } },
    },
    refusedWith: writeOnce,
  },

  // Separation of duties.
  {
    name: 'a service account holding only approve',
    by: 'approver-bot',
    act: approve({ by: 'advisor' }),
    refusedWith:
      'is a service account or system user: a robot decides only with the approve-unattended verb on roasters/bullet-a as well',
  },
  {
    name: 'a service account holding approve-unattended approves an agent',
    by: 'unattended-bot',
    act: approve({ by: 'advisor' }),
  },
  {
    name: 'a service account holding approve-unattended approves its own proposal',
    by: 'unattended-bot',
    act: approve({ by: 'unattended-bot', selfApprovalAllowed: true }),
    refusedWith: 'and may not decide it; another approver must (a robot never decides its own proposal)',
  },
  {
    name: 'a human approves their own proposal where the Roaster forbids it',
    by: 'erin',
    act: approve({ by: 'erin', selfApprovalAllowed: false }),
    refusedWith: 'separation of duties: erin proposed',
  },
  {
    name: 'a human approves their own proposal where the Roaster allows it',
    by: 'erin',
    act: approve({ by: 'erin', selfApprovalAllowed: true }),
  },

  // Status and ownership belong to the operator.
  {
    name: 'a proposal status write by a cluster admin',
    by: 'admin',
    act: {
      change: { merge: { status: { phase: 'Approved' } } },
      on: { proposal: {} },
      subresource: 'status',
    },
    refusedWith: operatorOnlyStatus('commandproposals', 'admin'),
  },
  {
    name: 'a proposal status write by an approver',
    by: 'erin',
    act: {
      change: { merge: { status: { phase: 'Approved' } } },
      on: { proposal: {} },
      subresource: 'status',
    },
    refusedWith: 'cannot patch resource "commandproposals/status"',
  },
  {
    name: 'a session status write by a cluster admin',
    by: 'admin',
    act: { change: { merge: { status: { phase: 'Completed' } } }, on: 'session', subresource: 'status' },
    refusedWith: operatorOnlyStatus('roastsessions', 'admin'),
  },
  {
    name: 'a roaster status write by a cluster admin',
    by: 'admin',
    act: { change: { merge: { status: { phase: 'Off' } } }, on: 'roaster', subresource: 'status' },
    refusedWith: operatorOnlyStatus('roasters', 'admin'),
  },
  {
    name: 'an owner reference added by a cluster admin',
    by: 'admin',
    act: { change: ownedBySomething, on: { proposal: {} } },
    refusedWith: 'only the operator sets owner references on commandproposals: admin may not',
  },
  {
    name: 'an owner reference added by an approver',
    by: 'bob',
    act: { change: ownedBySomething, on: { proposal: {} } },
    refusedWith: 'only the operator sets owner references on commandproposals: bob may not',
  },
  {
    name: 'an operator finalizer added by a proposer',
    by: 'alice',
    act: {
      change: { merge: { metadata: { finalizers: ['roasting.simcorp.io/telemetry'] } } },
      on: 'session',
    },
    refusedWith:
      'only the operator adds finalizers to roastsessions: alice may not add roasting.simcorp.io/telemetry',
  },
  {
    name: 'a foreign finalizer added to a proposal by an approver',
    by: 'bob',
    act: { change: finalizer('example.com/stuck'), on: { proposal: {} } },
    refusedWith:
      'only the operator adds finalizers to commandproposals: bob may not add example.com/stuck; the operator deletes them when their retention ends',
  },
  {
    name: 'a foreign finalizer added to a session by an attendant',
    by: 'alice',
    act: { change: finalizer('foo.example/hold'), on: 'session' },
    refusedWith: 'only the operator adds finalizers to roastsessions: alice may not add foo.example/hold',
  },
  {
    name: 'an operator finalizer added to a Roaster by Git',
    by: 'gitops',
    act: { change: finalizer('roasting.simcorp.io/link'), on: 'roaster' },
    refusedWith:
      'only the operator adds roasting.simcorp.io/ finalizers to roasters: system:serviceaccount:{namespace}:gitops may not add roasting.simcorp.io/link',
  },
  {
    name: 'a label added by an approver',
    by: 'bob',
    act: {
      change: { merge: { metadata: { labels: { 'roasting.simcorp.io/reviewed': 'true' } } } },
      on: { proposal: {} },
    },
  },

  // Free text: one line of printable text, limits in bytes.
  {
    name: 'an agent’s rationale that clears the screen and paints an approval',
    by: 'advisor',
    act: { propose: { command: { type: 'SetFan', target: 8 }, rationale: terminalSpoof } },
    refusedWith: `spec.rationale: ${spoofEchoed}: rationale ${notOneLine}`,
  },
  {
    name: 'a rationale with a line break that draws a fake approval',
    by: 'alice',
    act: { propose: { command: heater, rationale: 'RoR falls\nApproval:\n  Decision: Approved' } },
    refusedWith: `rationale ${notOneLine}`,
  },
  {
    name: 'a rationale of 4096 bytes of é',
    by: 'alice',
    act: { propose: { command: heater, rationale: accented(4096) } },
  },
  {
    name: 'a rationale of 4098 bytes of é',
    by: 'alice',
    act: { propose: { command: heater, rationale: accented(4098) } },
    refusedWith: 'rationale may be at most 4096 bytes of UTF-8 (an accented letter such as é takes 2 bytes',
  },
  {
    name: 'an approval reason with escape sequences',
    by: 'bob',
    act: { decide: 'Approved', reason: terminalSpoof },
    refusedWith: `spec.approval.reason: ${spoofEchoed}: approval.reason ${notOneLine}`,
  },
  {
    name: 'a note that retitles the terminal',
    by: 'alice',
    act: { change: marks('alice', 'note', 1, '\u001b]0;roast done\u0007'), on: 'session' },
    refusedWith: `a mark's note ${notOneLine}`,
  },
  {
    name: 'a coffee name with a right-to-left override',
    by: 'alice',
    act: { change: { merge: { spec: { profile: { coffee: 'Guji \u202eatsE' } } } }, on: 'session' },
    refusedWith: `profile.coffee ${notOneLine}`,
  },

  // Messages a person can act on: a type error named by the schema, look-alike names shown as different.
  {
    name: 'a proposal with a type error',
    by: 'alice',
    act: { propose: { command: { type: 'SetHeater', target: 'six' } } },
    refusedWith:
      'spec.command.target: Invalid value: "string": spec.command.target in body must be of type integer',
  },
  {
    name: 'a proposal in a look-alike name',
    by: 'alice',
    act: { propose: { command: heater, proposedBy: { literally: `${cyrillicA}lice` } } },
    refusedWith:
      'set it to alice (it says "<d0b0>lice" (characters outside printable ASCII are shown as <their UTF-8 bytes in hex>',
  },
  {
    name: 'a proposal in a name with a zero-width space',
    by: 'alice',
    act: { propose: { command: heater, proposedBy: { literally: 'alice\u200b' } } },
    refusedWith: String.raw`spec.proposedBy: Invalid value: "alice\u200b": proposedBy may not contain control or invisible characters`,
  },
  {
    name: 'an approval in a look-alike name',
    by: 'bob',
    act: { decide: 'Approved', approver: { literally: `b${cyrillicO}b` } },
    refusedWith: 'set it to bob (it says "b<d0be>b" (characters outside printable ASCII',
  },
  {
    name: 'a mark in a look-alike name',
    by: 'alice',
    act: { change: mark(`${cyrillicA}lice`), on: 'session' },
    refusedWith: 'a mark names who made it: set by to alice (firstCrack by "<d0b0>lice" (characters outside',
  },

  // Marks: each type has its own budget; agents add notes only, and only their share.
  {
    name: 'an agent fills the notes with 64 in one patch',
    by: 'advisor',
    act: { change: marks('advisor', 'note', 64), on: 'session' },
    refusedWith: 'a session holds at most 32 note marks: put more in one note',
  },
  {
    name: 'an agent adds its share of notes',
    by: 'advisor',
    act: { change: marks('advisor', 'note', markBudget.notesByServiceAccounts), on: 'session' },
  },
  {
    name: 'an agent adds a note beyond its share',
    by: 'advisor',
    act: { change: marks('advisor', 'note'), on: { session: notesFull.slice(0, 1) } },
    refusedWith: `service accounts add at most ${markBudget.notesByServiceAccounts} notes per session, all together (this would make ${markBudget.notesByServiceAccounts + 1})`,
  },
  {
    name: 'an agent marks first crack',
    by: 'advisor',
    act: { change: mark('advisor'), on: 'session' },
    refusedWith: 'is a service account: it may add only note marks, not firstCrack',
  },
  {
    name: 'an agent marks presence',
    by: 'advisor',
    act: { change: mark('advisor', 'present'), on: 'session' },
    refusedWith: 'is a service account: it may add only note marks, not present',
  },
  {
    name: 'first crack after an agent and a person filled the notes',
    by: 'alice',
    act: { change: mark('alice'), on: { session: notesFull } },
  },
  {
    name: 'a person’s note beyond the budget',
    by: 'alice',
    act: { change: marks('alice', 'note'), on: { session: notesFull } },
    refusedWith: 'a session holds at most 32 note marks',
  },

  {
    name: 'an annotation that clears the approver’s screen',
    by: 'bob',
    act: {
      change: { merge: { metadata: { annotations: { 'example.com/review': terminalSpoof } } } },
      on: { proposal: {} },
    },
    refusedWith:
      'annotations on commandproposals may not contain control characters other than line feeds and tabs (ANSI escape sequences, NUL, carriage returns, text-direction controls), since kubectl describe prints them to the reader; bob set example.com/review: write the value as plain text',
  },
  {
    name: 'a multi-line annotation',
    by: 'bob',
    act: {
      change: { merge: { metadata: { annotations: { 'example.com/review': 'looked at it\nlooks fine' } } } },
      on: { proposal: {} },
    },
  },

  // Sessions: marks in the marker's name with mark; the plan with propose.
  { name: 'an attendant marks first crack', by: 'alice', act: { change: mark('alice'), on: 'session' } },
  {
    name: 'a mark in someone else’s name',
    by: 'alice',
    act: { change: mark('bob'), on: 'session' },
    refusedWith: 'a mark names who made it: set by to alice (firstCrack by "bob")',
  },
  {
    name: 'a mark without mark',
    by: 'frank',
    act: { change: mark('frank', 'present'), on: 'session' },
    refusedWith: 'frank may not mark sessions of Roaster bullet-a: that needs the mark verb',
  },
  {
    name: 'a proposer changes the profile',
    by: 'frank',
    act: { change: { merge: { spec: { profile: { batchGrams: 400 } } } }, on: 'session' },
  },
  {
    name: 'a profile change without propose',
    by: 'grace',
    act: { change: { merge: { spec: { profile: { batchGrams: 400 } } } }, on: 'session' },
    refusedWith:
      'grace may not plan sessions on Roaster bullet-a: creating a session or changing its profile, profileRef or weightOutGrams needs the propose verb',
  },
  {
    name: 'a proposer names the RoastProfile to follow',
    by: 'frank',
    act: { change: { merge: { spec: { profileRef: { name: 'guji-light' } } } }, on: 'session' },
  },
  {
    name: 'the RoastProfile to follow changed without propose',
    by: 'grace',
    act: { change: { merge: { spec: { profileRef: { name: 'guji-dark' } } } }, on: 'session' },
    refusedWith: 'grace may not plan sessions on Roaster bullet-a',
  },
  {
    name: 'a weight change without propose',
    by: 'grace',
    act: { change: { merge: { spec: { weightOutGrams: 300 } } }, on: 'session' },
    refusedWith: 'grace may not plan sessions on Roaster bullet-a',
  },

  // Roasters: Git's spec, changed only with configure.
  {
    name: 'a Roaster spec change without configure',
    by: 'heidi',
    act: { change: { merge: { spec: { emergencyStop: true } } }, on: 'roaster' },
    refusedWith:
      'heidi may not change the spec of Roaster {name}: it is configured from Git by an identity holding the configure verb',
  },
  {
    name: 'a Roaster label change without configure',
    by: 'heidi',
    act: {
      change: { merge: { metadata: { labels: { 'roasting.simcorp.io/site': 'north' } } } },
      on: 'roaster',
    },
  },
  {
    name: 'a Roaster spec change from Git',
    by: 'gitops',
    act: { change: { merge: { spec: { emergencyStop: true } } }, on: 'roaster' },
  },
  {
    name: 'a Roaster spec change by the operator',
    by: 'operator',
    act: { change: { merge: { spec: { emergencyStop: true } } }, on: 'roaster' },
    refusedWith: 'cannot patch resource "roasters"',
  },
];

/** A `kubectl auth can-i` question and its answer. */
export interface Permission {
  readonly who: Actor | 'edge';
  readonly can: readonly string[];
  /** Asked in the release namespace rather than the test namespace. */
  readonly inReleaseNamespace?: true;
  readonly allowed: boolean;
}

const may = (who: Permission['who'], ...can: string[]): Permission => ({ who, can, allowed: true });
const mayNot = (who: Permission['who'], ...can: string[]): Permission => ({ who, can, allowed: false });

export const permissions: readonly Permission[] = [
  // No role for people grants patch on roasters, status writes, impersonation or token minting.
  mayNot('ivan', 'patch', 'roasters'),
  mayNot('ivan', 'update', 'roasters'),
  mayNot('ivan', 'patch', 'commandproposals', '--subresource=status'),
  mayNot('ivan', 'patch', 'roastsessions', '--subresource=status'),
  mayNot('ivan', 'impersonate', 'users'),
  mayNot('ivan', 'impersonate', 'serviceaccounts'),
  mayNot('ivan', 'create', 'serviceaccounts', '--subresource=token'),
  mayNot('ivan', 'delete', 'commandproposals'),
  may('ivan', 'approve-unattended', 'roasters'),
  may('judy', 'list', 'roasters'),
  may('judy', 'watch', 'commandproposals'),
  mayNot('judy', 'create', 'commandproposals'),
  // The operator's notifications, which kubectl describe lists: every role reads the namespace's Events.
  may('alice', 'list', 'events'),
  may('erin', 'watch', 'events.events.k8s.io'),
  may('advisor', 'list', 'events'),
  mayNot('alice', 'create', 'events'),
  // The operator: reads everything of its own, writes status, creates and deletes what it must.
  may('operator', 'list', 'roasters', '--all-namespaces'),
  may('operator', 'watch', 'commandproposals', '--all-namespaces'),
  may('operator', 'patch', 'commandproposals', '--subresource=status'),
  may('operator', 'patch', 'roasters', '--subresource=status'),
  may('operator', 'create', 'roastsessions'),
  may('operator', 'delete', 'roastsessions'),
  may('operator', 'delete', 'commandproposals'),
  may('operator', 'create', 'events.events.k8s.io'),
  may('operator', 'create', 'tokenreviews.authentication.k8s.io'),
  may('operator', 'create', 'subjectaccessreviews.authorization.k8s.io'),
  mayNot('operator', 'patch', 'roasters'),
  mayNot('operator', 'patch', 'roastsessions'),
  mayNot('operator', 'approve', 'roasters'),
  mayNot('operator', 'propose', 'roasters'),
  mayNot('operator', 'configure', 'roasters'),
  mayNot('operator', 'impersonate', 'users'),
  mayNot('operator', 'impersonate', 'serviceaccounts'),
  mayNot('operator', 'create', 'serviceaccounts', '--subresource=token'),
  mayNot('operator', 'get', 'secrets'),
  mayNot('operator', 'get', 'leases.coordination.k8s.io'),
  { ...may('operator', 'update', 'leases.coordination.k8s.io'), inReleaseNamespace: true },
  { ...mayNot('operator', 'list', 'secrets'), inReleaseNamespace: true },
  // Profiles come from Git and people: every role reads them, only roast-profile-editor writes them.
  may('advisor', 'watch', 'roastprofiles'),
  mayNot('advisor', 'create', 'roastprofiles'),
  mayNot('advisor', 'patch', 'roastprofiles'),
  mayNot('advisor', 'delete', 'roastprofiles'),
  mayNot('ivan', 'update', 'roastprofiles'),
  may('judy', 'get', 'roastprofiles'),
  may('peggy', 'create', 'roastprofiles'),
  may('peggy', 'patch', 'roastprofiles'),
  may('peggy', 'delete', 'roastprofiles'),
  mayNot('peggy', 'patch', 'roastprofiles', '--subresource=status'),
  may('operator', 'list', 'roastprofiles', '--all-namespaces'),
  mayNot('operator', 'patch', 'roastprofiles'),
  // The edge agent calls no Kubernetes API.
  mayNot('edge', 'get', 'roasters'),
];
