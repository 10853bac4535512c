import type { Logger } from '@roast-operator/log';
import type * as proto from '@roast-operator/proto';
import type { CommandResult, EdgeCommand } from '../commands.ts';
import type { EdgeLink } from '../edge-link.ts';
import { type CommandDraft, parseCommand, refusal, startCommand } from './convert.ts';

// Commands from the gateway, run one at a time in the order they came, except an EmergencyStop: it goes
// to the agent at once, ahead of anything queued, and the agent's safe state aborts the command in
// progress; the queued ones then meet the latch and are refused. Every UID runs once: a repeat that
// arrives while the first is queued or running waits for its result, and one that arrives later is
// answered from the agent's store — both marked already_done.

/** Where results go: `alreadyDone` when this answers a repeat with the first result. */
export type Answer = (result: CommandResult, alreadyDone: boolean) => void;

export type CommandRunnerOptions = {
  readonly agent: EdgeLink;
  /** How long a level target or a press may take once started. */
  readonly reachMs: number;
  readonly answer: Answer;
  readonly log: Logger;
};

export class CommandRunner {
  readonly #o: CommandRunnerOptions;
  /** Queued or running, by UID. */
  readonly #known = new Map<string, Promise<CommandResult>>();
  /** The end of the queue: the next command starts when this settles. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: CommandRunnerOptions) {
    this.#o = options;
  }

  /** A Command from the gateway. */
  receive(command: proto.Command): void {
    const parsed = parseCommand(command);
    if (!parsed.ok) {
      this.#o.log.warn('command refused unread', { uid: command.proposalUid, reason: parsed.reason });
      this.#o.answer(refusal(command.proposalUid, parsed.reason), false);
      return;
    }
    this.#dispatch(parsed.draft, command.deadlineMs);
  }

  /** A forwarded ResetLatch. */
  reset(reset: proto.LatchReset): void {
    this.receive({
      proposalUid: reset.proposalUid,
      type: 'ResetLatch',
      latchId: reset.latchId,
      deadlineMs: 0,
    });
  }

  /** The first result of `uid`, once it has one; undefined when the edge never saw it. */
  async query(uid: string): Promise<CommandResult | undefined> {
    return this.#known.get(uid) ?? this.#o.agent.result(uid);
  }

  /**
   * The operator holds a latch (re-pushed in every welcome): the edge latches under the same id, so one
   * reset clears both. Its UID is derived from the latch id, so a latch already reset is not set again.
   */
  latchForOperator(latchId: string): void {
    if (this.#o.agent.latches().some((l) => l.id === latchId)) return;
    this.#submit({ uid: `operator-latch/${latchId}`, kind: 'emergency-stop', latchId }).then((result) => {
      this.#o.log.warn('latched for the operator', {
        latchId,
        outcome: result.outcome,
        message: result.message,
      });
    });
  }

  #dispatch(draft: CommandDraft, deadlineMs: number): void {
    const { uid } = draft;
    const known = this.#known.get(uid);
    if (known) {
      known.then((result) => this.#o.answer(result, true));
      return;
    }
    const done = this.#o.agent.result(uid);
    if (done) {
      this.#o.answer(done, true);
      return;
    }
    const receivedAt = this.#o.agent.now();
    const run =
      draft.kind === 'emergency-stop'
        ? this.#submit(draft)
        : this.#queue(() =>
            startCommand(draft, {
              startBy: receivedAt + deadlineMs,
              deadline: this.#o.agent.now() + this.#o.reachMs,
            }),
          );
    this.#known.set(uid, run);
    run.then((result) => {
      // The agent has stored it by now: later repeats find it there.
      this.#known.delete(uid);
      this.#o.answer(result, false);
    });
  }

  /** Starts the command made by `start` once everything queued before it has finished. */
  #queue(start: () => EdgeCommand): Promise<CommandResult> {
    const run = this.#tail.then(() => this.#submit(start()));
    this.#tail = run;
    return run;
  }

  /** Never rejects: an error inside the agent becomes an unknown outcome, not a stalled queue. */
  async #submit(command: EdgeCommand): Promise<CommandResult> {
    try {
      return await this.#o.agent.submit(command);
    } catch (error) {
      this.#o.log.error('the agent failed a command', { uid: command.uid, err: error });
      return { uid: command.uid, outcome: 'unknown', message: `edge error: ${String(error)}`, latencyMs: 0 };
    }
  }
}
