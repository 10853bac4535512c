// Every failure becomes one sentence: what was refused, by whom (the admission policy, RBAC, the CRD's
// validation, or no answer at all), and what to do. The API server's own message is quoted, escaped, since
// policies write their messages for people.
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { escapeText } from './text.ts';

/** A mistake in how the plugin was called: the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the plugin itself refuses (a latch that is not there, a proposal already decided…). */
export class Refusal extends Error {
  override readonly name = 'Refusal';
}

const Status = z.object({
  message: z.string().optional(),
  reason: z.string().optional(),
});

// kube-apiserver's wording when a ValidatingAdmissionPolicy denies a request.
const policyDenial = /ValidatingAdmissionPolicy '([^']+)' with binding '[^']*' denied request: ([\s\S]*)$/;
const rbacDenial = /is forbidden: (User "[^"]*" cannot [\s\S]*)$/;

const advice = {
  policy:
    'If you should be allowed, ask whoever administers the roastery for what the policy names; otherwise ask someone who holds it.',
  rbac: 'Ask whoever administers the roastery for the role (roast-approver, roast-attendant or roast-proposer; roast-profile-editor to write RoastProfiles), or ask someone who holds it.',
  auth: 'Log in again, or check --kubeconfig and --context.',
  notFound: 'Check the name with `kubectl roast get` or `kubectl roast history` and the namespace with -n.',
  invalid: 'Correct what the message names and try again.',
  conflict: 'Someone changed it at the same time; look at it again and retry.',
  unreachable: "Check the kubeconfig's cluster address, your network and --context.",
} as const;

/** Ends with a full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The sentence for `err`, which happened while `action` (e.g. "approving CommandProposal p1"). */
export function refusalMessage(action: string, err: unknown): string {
  const Action = capitalized(action);
  if (err instanceof UsageError || err instanceof Refusal) return sentence(capitalized(err.message));
  if (!(err instanceof ApiException)) {
    const why =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return `${Action} failed: the API server did not answer (${escapeText(why)}). ${advice.unreachable}`;
  }
  const status = Status.safeParse(err.body);
  const message = escapeText(status.success ? (status.data.message ?? '') : '');
  const policy = policyDenial.exec(message);
  if (policy)
    return `${Action} was refused by the admission policy ${policy[1]}: ${sentence(policy[2]!)} ${advice.policy}`;
  const rbac = rbacDenial.exec(message);
  if (err.code === 403 && rbac) return `${Action} was refused by RBAC: ${sentence(rbac[1]!)} ${advice.rbac}`;
  switch (err.code) {
    case 401:
      return `${Action} was refused by the API server: your credentials were not accepted. ${advice.auth}`;
    case 403:
      return `${Action} was refused by the API server: ${sentence(message)} ${advice.rbac}`;
    case 404:
      return `${Action} failed: ${sentence(message || 'not found')} ${advice.notFound}`;
    case 409:
      return `${Action} was refused by the API server: ${sentence(message)} ${advice.conflict}`;
    case 422:
      return `${Action} was refused by the API server's validation: ${sentence(message)} ${advice.invalid}`;
    default:
      return `${Action} failed: the API server answered ${err.code}${message ? `: ${sentence(message)}` : '.'}`;
  }
}
