// Who may stream for a roaster: the edge agent presents its projected service-account token (with the
// gateway's audience) as a bearer token; the API server's TokenReview says whose it is, for which audience,
// and which pod and node it is bound to. The gateway admits only the edge DaemonSet's service account, from
// a pod on the node the hello names. The Roaster's binding (node, serial) is checked by the gateway after.
import { type Metadata, status } from '@grpc/grpc-js';
import { type KubeClient, reviewToken, type TokenReviewStatus } from '@roast-operator/kube';
import type { Hello } from '@roast-operator/proto';
import type { BindingRefusal } from './binding.ts';
import { StreamError } from './stream.ts';

/** Why a stream was refused: the label of the refusals counter, and the word in the log. */
export type RefusalReason =
  | 'NoToken'
  | 'InvalidToken'
  | 'ReviewFailed'
  | 'WrongAudience'
  | 'WrongServiceAccount'
  | 'NotPodBound'
  | 'WrongNode'
  | 'WrongSerial'
  /** The gateway found no one Roaster of the right model for the edge's node and device. */
  | BindingRefusal
  /** Any other check of the hello (its shape, the Roaster it names, one device per roaster). */
  | 'HelloRefused';

/** A refusal that says why, beyond its gRPC status. */
export class Refusal extends StreamError {
  readonly reason: RefusalReason;
  constructor(code: status, reason: RefusalReason, message: string) {
    super(code, message);
    this.reason = reason;
  }
}

export interface TokenReviewOptions {
  /** The audience edge tokens are minted for; a token for any other audience is refused. */
  audience: string;
  /** The edge DaemonSet's service account. */
  edgeServiceAccount: { namespace: string; name: string };
  /** How often a live stream's token is reviewed again (a deleted pod or a rotated token ends it). */
  reviewPeriodMs: number;
}

const podNameKey = 'authentication.kubernetes.io/pod-name';
const nodeNameKey = 'authentication.kubernetes.io/node-name';

/** Checks a stream's token against its hello; throws a `Refusal` to refuse it. */
export class TokenReviewer {
  readonly #client: KubeClient;
  readonly #opts: TokenReviewOptions;

  constructor(client: KubeClient, opts: TokenReviewOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  get periodMs(): number {
    return this.#opts.reviewPeriodMs;
  }

  async authenticate(hello: Hello, metadata: Metadata): Promise<void> {
    const token = bearerToken(metadata);
    const review = await this.#review(token);
    if (!review.authenticated) {
      throw new Refusal(
        status.UNAUTHENTICATED,
        'InvalidToken',
        `the token was not accepted: ${review.error || 'invalid, expired, or its pod is gone'}`,
      );
    }
    // The API server only authenticates a token for an audience asked for; checked again, not assumed.
    if (!review.audiences?.includes(this.#opts.audience)) {
      throw new Refusal(
        status.UNAUTHENTICATED,
        'WrongAudience',
        `the token is not for audience ${this.#opts.audience}`,
      );
    }
    const { namespace, name } = this.#opts.edgeServiceAccount;
    const expected = `system:serviceaccount:${namespace}:${name}`;
    const user = review.user?.username ?? '';
    if (user !== expected) {
      throw new Refusal(status.PERMISSION_DENIED, 'WrongServiceAccount', `${user} is not ${expected}`);
    }
    const pod = review.user?.extra?.[podNameKey]?.[0];
    const node = review.user?.extra?.[nodeNameKey]?.[0];
    if (pod === undefined || node === undefined) {
      throw new Refusal(status.PERMISSION_DENIED, 'NotPodBound', 'the token is not bound to a pod on a node');
    }
    if (node !== hello.nodeName) {
      throw new Refusal(
        status.PERMISSION_DENIED,
        'WrongNode',
        `the token's pod ${pod} runs on node ${node}, not ${hello.nodeName || '(none)'} as the hello says`,
      );
    }
  }

  async #review(token: string): Promise<TokenReviewStatus> {
    try {
      return await reviewToken(this.#client, token, [this.#opts.audience]);
    } catch {
      // The API server could not say: the edge retries with backoff, as for any unavailable gateway.
      throw new Refusal(status.UNAVAILABLE, 'ReviewFailed', 'the token could not be reviewed; try again');
    }
  }
}

function bearerToken(metadata: Metadata): string {
  const [value] = metadata.get('authorization');
  const token = typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value)?.[1] : undefined;
  if (token === undefined) throw new Refusal(status.UNAUTHENTICATED, 'NoToken', 'no bearer token');
  return token;
}
