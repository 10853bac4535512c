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
  });

  it('serializes errors with their code and cause, and never lets fields replace the standard keys', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('conflict', { cause: new Error('rv mismatch') }), { code: 409 });
    logger.error('write failed', { err, msg: 'shadow', level: 'debug' });
    expect(lines[0]?.record).toEqual({
      level: 'error',
      time: '2026-11-24T10:00:00.000Z',
      msg: 'write failed',
      err: {
        name: 'Error',
        message: 'conflict',
        code: 409,
        cause: { name: 'Error', message: 'rv mismatch' },
      },
    });
  });
});
