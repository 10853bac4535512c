import { ApiError } from '@roast-operator/kube';
import { describe, expect, it } from 'vitest';
import { guardRefusal, judge } from './canary.ts';

const refusal = (code: number, message: string) =>
  new ApiError('POST', '/apis/roasting.simcorp.io/v1alpha1/namespaces/roastery/commandproposals', code, {
    kind: 'Status',
    reason: 'Forbidden',
    message,
  });

describe('judge', () => {
  it('trusts the guard only when roast-proposal-create refuses the approval with its own message', () => {
    const message = `commandproposals.roasting.simcorp.io "roast-operator-guard-canary" is forbidden: ${guardRefusal}: create it without one`;
    expect(judge({ error: refusal(403, message) })).toMatchObject({ live: true });
  });

  it.each([
    ['admitted: the policy or its binding is gone', { admitted: true } as const, /was admitted/],
    [
      'refused by another rule: the policy was weakened',
      {
        error: refusal(
          403,
          "ValidatingAdmissionPolicy 'roast-proposal-create' with binding 'roast-proposal-create' denied request: spec.proposedBy must name the user",
        ),
      },
      /not refused by roast-proposal-create's rule/,
    ],
    [
      'refused by RBAC',
      { error: refusal(403, 'cannot create resource "commandproposals"') },
      /cannot create/,
    ],
    ['no answer', { error: new Error('connect ECONNREFUSED') }, /ECONNREFUSED/],
  ])('does not trust it when %s', (_why, outcome, message) => {
    expect(judge(outcome)).toEqual({ live: false, message: expect.stringMatching(message) });
  });
});
