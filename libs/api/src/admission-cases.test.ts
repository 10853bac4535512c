import { describe, expect, it } from 'vitest';
import {
  type AdmissionCase,
  admissionCases,
  type CrdRule,
  coverageProblems,
  rulesInCrdFiles,
} from './admission-cases.ts';
import { CommandProposal } from './command-proposal.ts';
import { RoastProfile } from './roast-profile.ts';
import { RoastSession } from './roast-session.ts';
import { Roaster } from './roaster.ts';

const objectSchemas = { Roaster, RoastSession, CommandProposal, RoastProfile } as const;

describe('the admission table', () => {
  it('has a case each CEL rule of crds/ rejects and one it admits, and no case of an unknown rule', () => {
    expect(coverageProblems(rulesInCrdFiles(), admissionCases)).toEqual([]);
  });

  it('names its cases uniquely', () => {
    const names = admissionCases.map((c) => `${c.object.kind}: ${c.name}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  // The zod schemas do not run CEL, but every object the API server stores must also parse for controllers.
  it.each(
    admissionCases
      .filter((c) => c.change || !c.rejectedWith)
      .map((c) => [`${c.object.kind}: ${c.name}`, c] as const),
  )('starts from an object the zod schema parses: %s', (_, c) => {
    const schema = objectSchemas[c.object.kind as keyof typeof objectSchemas];
    expect(schema.safeParse(c.object).error).toBeUndefined();
  });
});

describe('coverageProblems', () => {
  const rule: CrdRule = { kind: 'Roaster', path: '.spec', rule: { rule: 'true', message: 'm' } };
  const object = { apiVersion: 'v', kind: 'Roaster', metadata: {}, spec: {} };
  const rejecting: AdmissionCase = { name: 'r', object, rule: rule.rule, rejectedWith: 'm' };
  const admitting: AdmissionCase = { name: 'a', object, rule: rule.rule };

  it.each([
    [
      'a rule without cases',
      [rule],
      [],
      ['Roaster.spec: "m" has no case it rejects', 'Roaster.spec: "m" has no case it admits'],
    ],
    ['a rule only admitted', [rule], [admitting], ['Roaster.spec: "m" has no case it rejects']],
    ['a rule only rejected', [rule], [rejecting], ['Roaster.spec: "m" has no case it admits']],
    ['a case of no rule', [], [admitting], ['case "a" names a rule no Roaster CRD has']],
    ['a covered rule', [rule], [rejecting, admitting], []],
  ] satisfies [string, CrdRule[], AdmissionCase[], string[]][])('reports %s', (_, rules, cases, problems) => {
    expect(coverageProblems(rules, cases)).toEqual(problems);
  });
});
