import Anthropic, { APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type { Evidence, Recommendation } from '@roast-operator/advisor';
import type { Logger } from '@roast-operator/log';
import { acceptedPhrasing, phrasingPrompt } from './prompt.ts';

// The optional language model of the advisor: it phrases a recommendation's rationale from the structured
// evidence. Whatever goes wrong (an error, a rate limit, a timeout, an answer that is not a rationale for the
// command) or once a roast's budget is spent, the template rationale stands, and the reason is counted.
// A rationale must not wait: no retries, and a timeout of the caller's choosing.

export type PhrasingOptions = {
  readonly model: string;
  readonly apiKey: string;
  /** The Messages API's base URL (the SDK's default otherwise). */
  readonly baseURL?: string;
  readonly timeoutMs: number;
  /** Model calls per roast; past it, the template. */
  readonly callsPerRoast: number;
  readonly maxTokens?: number;
};

export type Fallback = 'budget' | 'timeout' | 'rateLimited' | 'error' | 'malformed';

export type Phrased = {
  readonly text: string;
  readonly by: 'model' | 'template';
  /** Why the template stands, when it does. */
  readonly fallback?: Fallback;
};

export type PhrasingCounts = Readonly<Record<'model' | Fallback, number>>;

export type PhrasingRequest = {
  /** The roast the budget is kept for (a session's namespace/name). */
  readonly roast: string;
  readonly recommendation: Recommendation;
  readonly evidence: Evidence;
  /** People's free text about this roast: data, never instructions. */
  readonly notes?: readonly string[];
};

export class RationalePhraser {
  readonly #client: Anthropic;
  readonly #options: PhrasingOptions;
  readonly #log: Logger;
  readonly #calls = new Map<string, number>();
  readonly #counts: Record<'model' | Fallback, number> = {
    model: 0,
    budget: 0,
    timeout: 0,
    rateLimited: 0,
    error: 0,
    malformed: 0,
  };

  constructor(options: PhrasingOptions, log: Logger) {
    if (!(options.timeoutMs > 0))
      throw new RangeError(`the phrasing timeout must be above 0 ms, got ${options.timeoutMs}`);
    if (!(Number.isInteger(options.callsPerRoast) && options.callsPerRoast >= 0)) {
      throw new RangeError(`the calls per roast must be a whole number, got ${options.callsPerRoast}`);
    }
    this.#options = options;
    this.#log = log.child({ component: 'phrasing', model: options.model });
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
      timeout: options.timeoutMs,
      maxRetries: 0,
    });
  }

  get counts(): PhrasingCounts {
    return { ...this.#counts };
  }

  /** Forgets a finished roast's budget. */
  forget(roast: string): void {
    this.#calls.delete(roast);
  }

  async phrase(request: PhrasingRequest): Promise<Phrased> {
    const { roast, recommendation } = request;
    const calls = this.#calls.get(roast) ?? 0;
    if (calls >= this.#options.callsPerRoast) return this.#fallback(request, 'budget');
    this.#calls.set(roast, calls + 1);
    const prompt = phrasingPrompt(recommendation, request.evidence, request.notes);
    let answer: Anthropic.Message;
    try {
      answer = await this.#client.messages.create({
        model: this.#options.model,
        max_tokens: this.#options.maxTokens ?? 200,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
      });
    } catch (err) {
      return this.#fallback(request, failure(err), err);
    }
    const text = Array.isArray(answer?.content)
      ? answer.content
          .flatMap((block) => (block?.type === 'text' && typeof block.text === 'string' ? [block.text] : []))
          .join('')
      : '';
    const accepted = acceptedPhrasing(text, recommendation);
    if (accepted === undefined) return this.#fallback(request, 'malformed');
    this.#counts.model++;
    return { text: accepted, by: 'model' };
  }

  #fallback(request: PhrasingRequest, reason: Fallback, err?: unknown): Phrased {
    this.#counts[reason]++;
    this.#log.warn('the template rationale stands', {
      roast: request.roast,
      reason,
      ...(err !== undefined && { err }),
    });
    return { text: request.recommendation.rationale, by: 'template', fallback: reason };
  }
}

function failure(err: unknown): Fallback {
  if (err instanceof APIConnectionTimeoutError) return 'timeout';
  if (err instanceof APIError && err.status === 429) return 'rateLimited';
  // An answer that is not JSON reaches us as a parse error of the SDK's.
  if (err instanceof SyntaxError) return 'malformed';
  return 'error';
}
