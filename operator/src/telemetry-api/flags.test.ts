import { describe, expect, it } from 'vitest';
import { splitArgs, UsageError } from '../flags.ts';
import { splitApiFlags } from './flags.ts';

describe('the read API flags', () => {
  it.each([
    [['--workers=2'], undefined, ['--workers=2']],
    [['--api-port', '8443', '--workers', '2'], { port: 8443, host: '0.0.0.0' }, ['--workers', '2']],
    [
      ['--api-port=0', '--api-host=127.0.0.1', '--tls-cert=/c'],
      { port: 0, host: '127.0.0.1' },
      ['--tls-cert=/c'],
    ],
  ])('%j', (argv, api, rest) => {
    expect(splitApiFlags(argv)).toEqual({ ...(api && { api }), rest });
  });

  it.each([
    [['--api-port=https'], '--api-port https is not a port'],
    [['--api-port=70000'], '--api-port 70000 is not a port'],
    [['--api-host=127.0.0.1'], '--api-host needs --api-port'],
  ])('refuse %j', (argv, message) => {
    expect(() => splitApiFlags(argv)).toThrow(UsageError);
    expect(() => splitApiFlags(argv)).toThrow(message);
  });
});

describe('splitting a command line', () => {
  const options = { name: { type: 'string' }, on: { type: 'boolean' } } as const;
  it.each([
    [
      ['--name', 'x', '--other', 'y'],
      ['--name', 'x'],
      ['--other', 'y'],
    ],
    [
      ['--name=x', 'x2', '--on', 'z'],
      ['--name=x', '--on'],
      ['x2', 'z'],
    ],
    [['--other=1', '--on'], ['--on'], ['--other=1']],
    [['name', '--name'], ['--name'], ['name']],
  ])('%j', (argv, mine, rest) => {
    expect(splitArgs(argv, options)).toEqual({ mine, rest });
  });
});
