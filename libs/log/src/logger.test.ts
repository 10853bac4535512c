import { describe, expect, it } from 'vitest';
import { Logger, type LogLevel } from './logger.ts';

function capture(level: LogLevel = 'info') {
  const lines: { level: LogLevel; record: Record<string, unknown> }[] = [];
  const logger = new Logger({
    level,
    sink: (l, line) => lines.push({ level: l, record: JSON.parse(line) }),
    now: () => new Date('2026-11-24T10:00:00.000Z'),
  });
  return { logger, lines };
}

describe('Logger', () => {
  it('writes one JSON object per line with level, time, msg and fields', () => {
    const { logger, lines } = capture();
    logger.info('reconciled', { durationMs: 12 });
    expect(lines).toEqual([
      {
        level: 'info',
        record: { level: 'info', time: '2026-11-24T10:00:00.000Z', msg: 'reconciled', durationMs: 12 },
      },
    ]);
  });

  it('hands every line to the sink with its own level and no newline', () => {
    const seen: [LogLevel, string][] = [];
    const logger = new Logger({ level: 'debug', sink: (level, line) => seen.push([level, line]) });
    for (const level of ['debug', 'info', 'warn', 'error'] as const) logger[level](level);
    expect(seen.map(([level, line]) => [level, JSON.parse(line).msg, line.endsWith('\n')])).toEqual([
      ['debug', 'debug', false],
      ['info', 'info', false],
      ['warn', 'warn', false],
      ['error', 'error', false],
    ]);
  });

  it('carries context through child loggers, call fields taking precedence', () => {
    const { logger, lines } = capture();
    logger.child({ controller: 'roaster' }).child({ key: 'ns/a', attempt: 1 }).warn('retry', { attempt: 2 });
    expect(lines[0]?.record).toMatchObject({ level: 'warn', controller: 'roaster', key: 'ns/a', attempt: 2 });
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    logger.error('boom');
    expect(lines.map((l) => l.record.msg)).toEqual(['boom']);
    expect(logger.enabled('debug')).toBe(false);
    expect(logger.child({ a: 1 }).enabled('info')).toBe(true);
  });

  it('never lets context or fields replace the standard keys', () => {
    const { logger, lines } = capture();
    logger.child({ msg: 'context', time: 1 }).error('write failed', { msg: 'shadow', level: 'debug', n: 1 });
    expect(lines[0]?.record).toEqual({
      level: 'error',
      time: '2026-11-24T10:00:00.000Z',
      msg: 'write failed',
      n: 1,
    });
  });

  it('writes every key once, the call winning over the context and a child over its parent', () => {
    // JSON.parse would hide a first occurrence: count the keys in the line itself.
    const seen: string[] = [];
    const logger = new Logger({ sink: (_, line) => seen.push(line), fields: { component: 'operator' } });
    logger.child({ msg: 'x', component: 'gateway', key: 'a' }).info('y', { time: 2, key: 'b' });
    const line = seen[0] ?? '';
    for (const key of ['msg', 'time', 'component', 'key']) expect(line.split(`"${key}"`)).toHaveLength(2);
    expect(JSON.parse(line)).toMatchObject({ msg: 'y', component: 'gateway', key: 'b' });
  });

  it('serializes an error under err with its type, message, code and a stack that includes its cause', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('conflict', { cause: new Error('rv mismatch') }), { code: 409 });
    logger.error('write failed', { err });
    const logged = lines[0]?.record.err as Record<string, unknown>;
    expect(logged).toMatchObject({ type: 'Error', message: 'conflict: rv mismatch', code: 409 });
    expect(logged.stack).toMatch(/^Error: conflict\n\s+at .*logger\.test\.ts/);
    expect(logged.stack).toMatch(/caused by: Error: rv mismatch\n\s+at /);
  });

  it('keeps the stack of an error under any other key, and of an error in the context', () => {
    const { logger, lines } = capture();
    logger.child({ cause: new TypeError('bad') }).warn('odd', { reason: new RangeError('out') });
    expect(lines[0]?.record).toMatchObject({
      cause: { type: 'TypeError', message: 'bad', stack: expect.stringMatching(/^TypeError: bad\n/) },
      reason: { type: 'RangeError', message: 'out', stack: expect.stringMatching(/^RangeError: out\n/) },
    });
  });

  it('never throws: circular values and BigInts are written', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = { name: 'a' };
    loop.self = loop;
    expect(() => logger.info('odd values', { loop, big: 10n, nested: { big: 2n ** 70n } })).not.toThrow();
    expect(lines[0]?.record).toMatchObject({
      msg: 'odd values',
      loop: { name: 'a', self: '[Circular]' },
      big: 10,
    });
  });

  it('never throws: fields it cannot read give way to a line that says so', () => {
    const { logger, lines } = capture();
    const hostile = {
      roaster: 'sim-1',
      get value(): unknown {
        throw new Error('no reading me');
      },
    };
    expect(() => logger.error('reconcile failed', hostile)).not.toThrow();
    expect(() => logger.child(hostile).info('still here')).not.toThrow();
    expect(() => logger.info('nested', { hostile })).not.toThrow();
    expect(lines.map((l) => l.record)).toEqual([
      {
        level: 'error',
        time: '2026-11-24T10:00:00.000Z',
        msg: 'reconcile failed',
        logFailure: "the line's fields could not be written: Error: no reading me",
      },
      {
        level: 'info',
        time: '2026-11-24T10:00:00.000Z',
        msg: 'still here',
        logFailure: "the logger's context could not be written: Error: no reading me",
      },
      {
        level: 'info',
        time: '2026-11-24T10:00:00.000Z',
        msg: 'nested',
        // pino's serializer catches what throws below the top level and says so in place.
        hostile: expect.stringMatching(/^\[unable to serialize/),
      },
    ]);
  });

  it('never throws: a value whose toJSON throws, an error with a throwing getter, a failing sink', () => {
    const { logger, lines } = capture();
    const err = new Error('odd');
    Object.defineProperty(err, 'code', {
      enumerable: true,
      get() {
        throw new Error('no code');
      },
    });
    const value = {
      toJSON() {
        throw new Error('no JSON');
      },
    };
    expect(() => logger.warn('a', { value })).not.toThrow();
    expect(() => logger.warn('b', { err })).not.toThrow();
    expect(lines.map((l) => l.record.msg)).toEqual(['a', 'b']);
    const broken = new Logger({
      sink: () => {
        throw new Error('disk full');
      },
    });
    expect(() => broken.info('lost')).not.toThrow();
  });
});
