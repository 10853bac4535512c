// What the console's page asks for, answered with the user's own connection and the plugin's own command
// code (the same decision, stop and mark the command line makes): the fleet, the pending approvals with
// what the governor said, the sessions and recent proposals, one session's curve as it grows, and the
// actions. A session's curve comes from the read API's live follow, held open while the page shows it.
// Every failure is the plugin's sentence, with the status the API server gave where it gave one.
import { ApiException } from '@kubernetes/client-node';
import { ApprovalDecision, MarkType, type RoastProfile, type RoastSession } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import type { SessionTelemetry } from '@roast-operator/telemetry-client';
import { z } from 'zod';
import { checkDecidable, writeDecision } from '../commands/decide.ts';
import { proposeStop } from '../commands/latch.ts';
import { appendMark } from '../commands/mark.ts';
import type { Connection } from '../connection.ts';
import { step } from '../context.ts';
import { deviationLines } from '../deviation.ts';
import { selectProposals } from '../filters.ts';
import { SessionFollower } from '../follow.ts';
import { Refusal, refusalMessage, UsageError } from '../refusal.ts';
import type { TelemetryServer } from '../telemetry.ts';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST. */
  readonly body: unknown;
}

const Decision = z.object({ decision: ApprovalDecision, reason: z.string().max(1024).optional() });
const Stop = z.object({ rationale: z.string().max(1024).optional() });
const Mark = z.object({ type: MarkType, note: z.string().max(1024).optional() });

/**
 * Sessions followed at once; the oldest follow is closed beyond this. The page shows one session, and the
 * read API lets each user hold 4 follows, so a `watch` in a terminal beside the console still gets one.
 */
const maxFollowed = 2;
const name = '([a-z0-9][a-z0-9.-]{0,252})';
const routes = {
  overview: /^\/api\/(overview)$/,
  proposal: new RegExp(`^/api/proposals/${name}$`),
  decision: new RegExp(`^/api/proposals/${name}/decision$`),
  stop: new RegExp(`^/api/roasters/${name}/stop$`),
  telemetry: new RegExp(`^/api/sessions/${name}/telemetry$`),
  mark: new RegExp(`^/api/sessions/${name}/marks$`),
};

export class ConsoleRoutes {
  readonly #conn: Connection;
  readonly #telemetry: TelemetryServer | undefined;
  readonly #clock: Clock;
  readonly #followers = new Map<string, Followed>();

  /** `telemetry` unset: no read API was given, and the page says how to give one. */
  constructor(conn: Connection, telemetry: TelemetryServer | undefined, clock: Clock) {
    this.#conn = conn;
    this.#telemetry = telemetry;
    this.#clock = clock;
  }

  /** Closes every follow. */
  close(): void {
    for (const { follower } of this.#followers.values()) follower.close();
    this.#followers.clear();
  }

  async answer(req: RouteRequest): Promise<Answer> {
    try {
      return { status: 200, body: await this.#route(req) };
    } catch (err) {
      return failure(err);
    }
  }

  #route(req: RouteRequest): Promise<unknown> {
    for (const [method, pattern, handler] of this.#table) {
      const match = method === req.method ? pattern.exec(req.path) : null;
      if (match) return handler(match[1]!, req);
    }
    throw new NotFound(`the console has no ${req.method} ${req.path}`);
  }

  readonly #table: readonly (readonly [
    string,
    RegExp,
    (name: string, req: RouteRequest) => Promise<unknown>,
  ])[] = [
    ['GET', routes.overview, () => this.#overview()],
    [
      'GET',
      routes.proposal,
      (name) => step(`reading CommandProposal ${name}`, () => this.#conn.proposal(name)),
    ],
    ['GET', routes.telemetry, (name, req) => this.#curve(name, req.query)],
    ['POST', routes.decision, (name, req) => this.#decide(name, req.body)],
    ['POST', routes.stop, (name, req) => proposeStop(this.#conn, name, parse(Stop, req.body).rationale)],
    [
      'POST',
      routes.mark,
      async (name, req) => {
        const { type, note } = parse(Mark, req.body);
        return { user: await appendMark(this.#conn, name, type, note) };
      },
    ],
  ];

  async #overview() {
    const conn = this.#conn;
    const [user, roasters, sessions, proposals] = await step(
      `reading the roastery in namespace ${conn.namespace}`,
      () => Promise.all([conn.user(), conn.roasters(), conn.sessions(), conn.proposals()]),
    );
    return {
      user,
      namespace: conn.namespace,
      telemetry: this.#telemetry !== undefined,
      roasters,
      pending: selectProposals(proposals, { phases: ['AwaitingApproval'] }).reverse(),
      sessions: sessions.sort((a, b) =>
        (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
      ),
      history: selectProposals(proposals, { limit: 25 }),
    };
  }

  async #decide(name: string, body: unknown) {
    const { decision, reason } = parse(Decision, body);
    if (decision === 'Rejected' && !reason) throw new UsageError('a rejection needs a reason');
    const conn = this.#conn;
    const proposal = await step(`reading CommandProposal ${name}`, () => conn.proposal(name));
    checkDecidable(proposal);
    const user = await step('asking the API server who you are', () => conn.user());
    await writeDecision(conn, name, { decision, approver: user, reason });
    return { decision, user };
  }

  /** The session's curve from point `from` on, its events, its plan, and its profile's reference curve. */
  async #curve(session: string, query: URLSearchParams) {
    const server = this.#telemetry;
    if (server === undefined)
      throw new UsageError(
        "the curve comes from the operator's telemetry read API: start the console with --telemetry-server URL (and --token if your kubeconfig user signs in with a certificate)",
      );
    const from = Math.max(0, Number.parseInt(query.get('from') ?? '0', 10) || 0);
    const followed = this.#follow(server, session);
    const [first, object] = await Promise.all([
      followed.started,
      step(`reading RoastSession ${session}`, () => this.#conn.session(session)),
    ]);
    const { follower } = followed;
    if (follower.failure) {
      this.#unfollow(session);
      throw follower.failure;
    }
    const telemetry = follower.telemetry ?? first;
    return {
      session: telemetry.session,
      events: telemetry.events ?? {},
      origin: telemetry.origin,
      profile: object.spec.profile,
      reference: await this.#reference(followed, object),
      deviation: deviationLines(object),
      reconnecting: follower.reconnecting,
      total: telemetry.points.length,
      points: telemetry.points.slice(from),
    };
  }

  /** The follow of a session, opened on first ask; a refused one is forgotten so the next ask tries again. */
  #follow(server: TelemetryServer, session: string): Followed {
    const had = this.#followers.get(session);
    if (had) return had;
    const follower = new SessionFollower(server, this.#conn.namespace, session, this.#clock);
    const started = follower.start();
    const followed: Followed = { follower, started };
    started.catch(() => {
      if (this.#followers.get(session) === followed) this.#unfollow(session);
    });
    this.#followers.set(session, followed);
    if (this.#followers.size > maxFollowed) this.#unfollow(this.#followers.keys().next().value!);
    return followed;
  }

  #unfollow(session: string): void {
    this.#followers.get(session)?.follower.close();
    this.#followers.delete(session);
  }

  /**
   * The reference curve (times since charge and bean temperature) and targets of the profile the session
   * names, read once per follow and again when the session names another; a profile that cannot be read
   * gives the sentence why instead.
   */
  async #reference(followed: Followed, object: RoastSession): Promise<Reference | undefined> {
    const name = object.spec.profileRef?.name;
    if (name === undefined) return undefined;
    if (followed.reference?.name !== name)
      followed.reference = await step(`reading RoastProfile ${name}`, () =>
        this.#conn.roastProfile(name),
      ).then(
        (p): Reference => ({
          name,
          seconds: p.spec.curve.seconds,
          beanCelsius: p.spec.curve.beanCelsius,
          targets: p.spec.targets,
        }),
        (err): Reference => ({ name, problem: refusalMessage(`reading RoastProfile ${name}`, err) }),
      );
    return followed.reference;
  }
}

interface Followed {
  readonly follower: SessionFollower;
  readonly started: Promise<SessionTelemetry>;
  reference?: Reference;
}

type Reference = { readonly name: string } & (
  | {
      readonly seconds: readonly number[];
      readonly beanCelsius: readonly number[];
      readonly targets: RoastProfile['spec']['targets'];
    }
  | { readonly problem: string }
);

class NotFound extends Refusal {}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new UsageError(`the request is not what the console takes: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function failure(err: unknown): Answer {
  const status =
    err instanceof NotFound
      ? 404
      : err instanceof UsageError
        ? 400
        : err instanceof Refusal
          ? 409
          : err instanceof ApiException && err.code >= 400
            ? err.code
            : 502;
  // step() has made API failures Refusals already; the API server's code is kept where there was one.
  const code = err instanceof Refusal && err.cause instanceof ApiException ? err.cause.code : status;
  return { status: code, body: { message: refusalMessage('the console', err) } };
}
