// The audit policy is read by kube-apiserver, not applied to the cluster; this keeps it naming the API as
// the CRDs define it, so a renamed group or kind cannot silently drop approvals from the audit log.
import { readFileSync } from 'node:fs';
import { commandProposalNames, group } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Rule {
  level: string;
  verbs?: string[];
  resources?: { group: string; resources: string[] }[];
  [selector: string]: unknown;
}

const policy = parse(
  readFileSync(new URL('../../charts/roast-operator/files/audit-policy.yaml', import.meta.url), 'utf8'),
) as { apiVersion: string; kind: string; rules: Rule[] };

describe('charts/roast-operator/files/audit-policy.yaml', () => {
  it('is an audit.k8s.io/v1 Policy', () => {
    expect([policy.apiVersion, policy.kind]).toEqual(['audit.k8s.io/v1', 'Policy']);
  });

  it('first records updates and patches of proposals and their status with request and response', () => {
    const { plural } = commandProposalNames;
    expect(policy.rules[0]).toEqual({
      level: 'RequestResponse',
      verbs: ['update', 'patch'],
      resources: [{ group, resources: [plural, `${plural}/status`] }],
    });
  });

  it('then records everything else at Metadata', () => {
    expect(policy.rules.slice(1)).toEqual([{ level: 'Metadata' }]);
  });
});
