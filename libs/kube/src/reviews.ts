// Whose is this bearer token (TokenReview), and may that user do this (SubjectAccessReview): the API
// server answers both, so every server in the operator that takes tokens asks it the same way.
import { HttpMethod } from '@kubernetes/client-node';
import type { KubeClient } from './client.ts';

/** The user a TokenReview authenticated, as a SubjectAccessReview wants it back. */
export interface ReviewedUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TokenReviewStatus {
  authenticated?: boolean;
  /** The audiences the token was accepted for (a subset of those asked for, or the API server's own). */
  audiences?: string[];
  error?: string;
  user?: ReviewedUser;
}

/**
 * Asks the API server whose `token` is. Without `audiences` the API server checks the token against its
 * own audiences (what `kubectl create token` mints by default). Rejects only when the API server did not
 * answer; an invalid token resolves with `authenticated` unset or false.
 */
export async function reviewToken(
  client: KubeClient,
  token: string,
  audiences?: readonly string[],
  signal?: AbortSignal,
): Promise<TokenReviewStatus> {
  const review = await client.request<{ status?: TokenReviewStatus }>(
    HttpMethod.POST,
    '/apis/authentication.k8s.io/v1/tokenreviews',
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, ...(audiences && { audiences: [...audiences] }) },
      },
      ...(signal && { signal }),
    },
  );
  return review.status ?? {};
}

/** What is asked for, in a SubjectAccessReview's terms. */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  /** Why, as the authorizer says (RBAC: the binding that allowed it; empty when nothing did). */
  reason?: string;
  evaluationError?: string;
}

/** Asks the API server whether `user` (as a TokenReview returned it: groups and extra count) may do this. */
export async function reviewAccess(
  client: KubeClient,
  user: ReviewedUser,
  attributes: ResourceAttributes,
  signal?: AbortSignal,
): Promise<AccessReviewStatus> {
  const review = await client.request<{ status?: AccessReviewStatus }>(
    HttpMethod.POST,
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username ?? '',
          ...(user.uid && { uid: user.uid }),
          ...(user.groups && { groups: user.groups }),
          ...(user.extra && { extra: user.extra }),
          resourceAttributes: attributes,
        },
      },
      ...(signal && { signal }),
    },
  );
  return { allowed: false, ...review.status };
}
