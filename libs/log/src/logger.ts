export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where finished lines go; the default sends warnings and errors to stderr, the rest to stdout. */
export type LogSink = (level: LogLevel, line: string) => void;

const processSink: LogSink = (level, line) => {
  (rank[level] >= rank.warn ? process.stderr : process.stdout).write(`${line}\n`);
};

export interface LoggerOptions {
  level?: LogLevel;
  fields?: LogFields;
  sink?: LogSink;
  /** Clock for the `time` field; injectable for tests. */
  now?: () => Date;
}

/** Errors do not serialize with JSON.stringify; keep what helps diagnose them. */
function plain(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: LogFields = { name: value.name, message: value.message };
  const code = (value as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (value.cause !== undefined) out.cause = plain(value.cause);
  return out;
}

/**
 * Structured JSON-lines logger: one object per line with `level`, `time`, `msg`, the context of the
 * logger and the call's fields. Child loggers add context (controller, key, …).
 */
export class Logger {
  readonly level: LogLevel;
  readonly #fields: LogFields;
  readonly #sink: LogSink;
  readonly #now: () => Date;

  constructor(opts: LoggerOptions = {}) {
    this.level = opts.level ?? 'info';
    this.#fields = opts.fields ?? {};
    this.#sink = opts.sink ?? processSink;
    this.#now = opts.now ?? (() => new Date());
  }

  child(fields: LogFields): Logger {
    return new Logger({
      level: this.level,
      fields: { ...this.#fields, ...fields },
      sink: this.#sink,
      now: this.#now,
    });
  }

  enabled(level: LogLevel): boolean {
    return rank[level] >= rank[this.level];
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
    if (!this.enabled(level)) return;
    const record: LogFields = { level, time: this.#now().toISOString(), msg };
    // Context and fields never overwrite the three standard keys.
    for (const [k, v] of Object.entries({ ...this.#fields, ...fields }))
      if (!(k in record)) record[k] = plain(v);
    this.#sink(level, JSON.stringify(record));
  }
}

/** A logger at the level named by LOG_LEVEL (default info). */
export function createLogger(fields: LogFields = {}): Logger {
  const level = process.env.LOG_LEVEL;
  return new Logger({ level: level && level in rank ? (level as LogLevel) : 'info', fields });
}
