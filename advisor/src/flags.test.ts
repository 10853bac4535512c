import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.ts';

const env = { POD_NAMESPACE: 'roast-system', POD_NAME: 'roast-advisor-0' };
const api = '--read-api=https://roast-operator.roast-system:8443';

describe('parseFlags', () => {
  it('has defaults a Deployment can run with', () => {
    const flags = parseFlags([api], env);
    expect(flags).toMatchObject({
      readApi: { url: 'https://roast-operator.roast-system:8443' },
      leaderElection: { namespace: 'roast-system', name: 'roast-advisor' },
      probes: { host: '0.0.0.0', port: 8081 },
      proposalTtlS: 60,
      backoffMs: 300_000,
      evaluateEveryMs: 2000,
    });
    expect(flags.leaderElection?.identity).toMatch(/^roast-advisor-0_/);
    expect(flags.llm).toBeUndefined();
  });

  it('wires the language model only with --llm', () => {
    const flags = parseFlags(
      [
        api,
        '--llm',
        '--llm-key-file=/secret/key',
        '--llm-budget=3',
        '--llm-timeout=1500ms',
        '--llm-base-url=http://127.0.0.1:9/',
      ],
      env,
    );
    expect(flags.llm).toEqual({
      model: 'claude-haiku-4-5',
      keyFile: '/secret/key',
      baseURL: 'http://127.0.0.1:9/',
      callsPerRoast: 3,
      timeoutMs: 1500,
    });
  });

  it.each([
    [[], /--read-api/],
    [['--read-api=ftp://x'], /--read-api/],
    [[api, '--proposal-ttl=10m'], /--proposal-ttl: must be between 1s and 300s/],
    [[api, '--backoff=soon'], /--backoff: soon is not a duration/],
    [[api, '--llm'], /--llm needs --llm-key-file/],
    [[api, '--llm-budget=-1'], /--llm-budget/],
    [[api, '--probe-address=nowhere'], /--probe-address: nowhere is not HOST:PORT/],
    [[api, '--no-such-flag'], /no-such-flag/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseFlags(argv, env)).toThrow(message);
  });

  it('needs a lease namespace to lead', () => {
    expect(() => parseFlags([api], {})).toThrow(/--leader-election-namespace or \$POD_NAMESPACE/);
    expect(parseFlags([api, '--no-leader-elect'], {}).leaderElection).toBeUndefined();
  });
});
