import { systemClock } from '@roast-operator/clock';
import { type Logger as PinoLogger, pino, stdSerializers } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The context of a logger or the fields of one line. An error goes under `err`, where pino's standard
 * serializer keeps its type, message, stack, causes and code.
 */
export type LogFields = Record<string, unknown> & {
  err?: unknown;
  /** An error goes under `err`. */
  error?: never;
};

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Where finished lines go (without the newline); the default sends warnings and errors to stderr, the rest to stdout. */
export type LogSink = (level: LogLevel, line: string) => void;

const processSink: LogSink = (level, line) => {
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
};

export interface LoggerOptions {
  level?: LogLevel;
  fields?: LogFields;
  sink?: LogSink;
  /** Clock for the `time` field; injectable for tests. */
  now?: () => Date;
}

/** Keys every line starts with; context and fields never replace them. */
const standardKeys = new Set(['level', 'time', 'msg']);

/**
 * Drops the standard keys, and serializes an Error under any other key as pino serializes `err`, so that no
 * line loses a stack.
 */
function lineFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (standardKeys.has(key)) continue;
    out[key] = key !== 'err' && value instanceof Error ? stdSerializers.err(value) : value;
  }
  return out;
}

function rootLogger(opts: LoggerOptions): PinoLogger<never> {
  const sink = opts.sink ?? processSink;
  const now = opts.now ?? (() => new Date(systemClock.now()));
  // One stream per level, each line going only to its own, so the sink learns the level of every line.
  const streams = levels.map((level) => ({
    level,
    stream: { write: (line: string) => sink(level, line.endsWith('\n') ? line.slice(0, -1) : line) },
  }));
  return pino(
    {
      level: opts.level ?? 'info',
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"time":"${now().toISOString()}"`,
      serializers: { err: stdSerializers.err },
      formatters: { level: (label) => ({ level: label }), log: lineFields },
    },
    pino.multistream(streams, { dedupe: true }),
  );
}

/** Passes the pino logger and the context to a child without offering that to callers. */
const inherited = Symbol('inherited');

/**
 * Structured JSON-lines logger on pino: one object per line with `level`, `time`, `msg`, the context of
 * the logger and the call's fields, each key once (the call's fields win over the context, a child's
 * context over its parent's). Child loggers add context (controller, key, …). A log call never throws:
 * pino writes circular values and BigInts, and fields that cannot be read at all (a throwing getter) give
 * way to a field that says so.
 */
export class Logger {
  readonly level: LogLevel;
  readonly #pino: PinoLogger<never>;
  readonly #context: Readonly<Record<string, unknown>>;

  constructor(
    opts: LoggerOptions & {
      [inherited]?: { pino: PinoLogger<never>; context: Record<string, unknown> };
    } = {},
  ) {
    this.level = opts.level ?? 'info';
    this.#pino = opts[inherited]?.pino ?? rootLogger(opts);
    this.#context = withContext(opts[inherited]?.context ?? {}, opts.fields);
  }

  child(fields: LogFields): Logger {
    return new Logger({
      level: this.level,
      fields,
      [inherited]: { pino: this.#pino, context: this.#context },
    });
  }

  enabled(level: LogLevel): boolean {
    return this.#pino.isLevelEnabled(level);
  }

  debug(msg: string, fields?: LogFields): void {
    this.#write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.#write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write('error', msg, fields);
  }

  #write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    try {
      this.#pino[level]({ ...this.#context, ...fields }, msg);
    } catch (failure) {
      const logFailure = `the line's fields could not be written: ${describe(failure)}`;
      try {
        this.#pino[level]({ ...this.#context, logFailure }, msg);
      } catch {
        // The context or the sink itself failed: there is nowhere left to say so, and the caller's work goes on.
      }
    }
  }
}

/** Context that cannot be read is replaced by a field saying so, so that making a child never throws. */
function withContext(
  context: Record<string, unknown>,
  fields: LogFields | undefined,
): Record<string, unknown> {
  try {
    return { ...context, ...fields };
  } catch (failure) {
    return { ...context, logFailure: `the logger's context could not be written: ${describe(failure)}` };
  }
}

function describe(failure: unknown): string {
  try {
    return String(failure);
  } catch {
    return 'an unprintable value was thrown';
  }
}

/** A logger at the level named by LOG_LEVEL (default info). */
export function createLogger(fields: LogFields = {}): Logger {
  const level = levels.find((l) => l === process.env.LOG_LEVEL) ?? 'info';
  return new Logger({ level, fields });
}
