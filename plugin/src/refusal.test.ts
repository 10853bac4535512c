import { ApiException } from '@kubernetes/client-node';
import { ApiError } from '@roast-operator/kube';
import { describe, expect, it } from 'vitest';
import { Refusal, refusalMessage, UsageError } from './refusal.ts';

const apiError = (code: number, message: string, reason = 'Forbidden') =>
  new ApiError('PATCH', '/apis/x', code, { kind: 'Status', code, reason, message });

describe('refusalMessage', () => {
  it.each([
    {
      what: 'names the admission policy and quotes its message',
      err: apiError(
        403,
        `commandproposals.roasting.simcorp.io "p1" is forbidden: ValidatingAdmissionPolicy 'roast-operator-proposal-decision' with binding 'roast-operator-proposal-decision' denied request: separation of duties: alice proposed p1 and may not decide it; another approver must`,
      ),
      says: 'Approving p1 was refused by the admission policy roast-operator-proposal-decision: separation of duties: alice proposed p1 and may not decide it; another approver must. If you should be allowed, ask whoever administers the roastery for what the policy names; otherwise ask someone who holds it.',
    },
    {
      what: 'names RBAC when the request never reached admission',
      err: apiError(
        403,
        'commandproposals.roasting.simcorp.io "p1" is forbidden: User "carol" cannot patch resource "commandproposals" in API group "roasting.simcorp.io" in the namespace "roastery"',
      ),
      says: 'Approving p1 was refused by RBAC: User "carol" cannot patch resource "commandproposals" in API group "roasting.simcorp.io" in the namespace "roastery". Ask whoever administers',
    },
    {
      what: 'says a missing object is missing and how to find it',
      err: apiError(404, 'commandproposals.roasting.simcorp.io "p1" not found', 'NotFound'),
      says: 'Approving p1 failed: commandproposals.roasting.simcorp.io "p1" not found. Check the name with `kubectl roast get`',
    },
    {
      what: "quotes the CRD's validation",
      err: apiError(
        422,
        'CommandProposal "p1" is invalid: spec.approval: Forbidden: spec.approval is write-once',
        'Invalid',
      ),
      says: 'Approving p1 was refused by the API server\'s validation: CommandProposal "p1" is invalid: spec.approval: Forbidden: spec.approval is write-once. Correct',
    },
    {
      what: 'says credentials were refused',
      err: apiError(401, 'Unauthorized', 'Unauthorized'),
      says: 'Approving p1 was refused by the API server: your credentials were not accepted. Log in again',
    },
    {
      what: 'escapes control characters in the server message',
      err: apiError(422, 'bad\u001b[2Jvalue', 'Invalid'),
      says: "Approving p1 was refused by the API server's validation: bad\\u001b[2Jvalue.",
    },
    {
      what: 'says the API server did not answer',
      err: new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6443') }),
      says: "Approving p1 failed: the API server did not answer (connect ECONNREFUSED 127.0.0.1:6443). Check the kubeconfig's cluster address",
    },
    {
      what: "passes the plugin's own refusals through as sentences",
      err: new Refusal('Roaster r is not latched: there is nothing to reset'),
      says: 'Roaster r is not latched: there is nothing to reset.',
    },
    {
      what: 'passes usage mistakes through',
      err: new UsageError('name the roaster: kubectl roast stop ROASTER'),
      says: 'Name the roaster: kubectl roast stop ROASTER.',
    },
  ])('$what', ({ err, says }) => {
    expect(refusalMessage('approving p1', err)).toContain(says);
  });

  it('reads any ApiException, not only the kube client’s', () => {
    expect(refusalMessage('reading x', new ApiException(500, 'x', { message: 'etcd is down' }, {}))).toBe(
      'Reading x failed: the API server answered 500: etcd is down.',
    );
  });
});
