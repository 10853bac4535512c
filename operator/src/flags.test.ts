import { describe, expect, it } from 'vitest';
import { parseDuration, parseFlags, UsageError } from './flags.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm5', '5 m', '5x', '5m junk'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('parseFlags', () => {
  const pod = { POD_NAMESPACE: 'roast-system', POD_NAME: 'roast-operator-7d9f' };

  it('defaults to leading through a Lease in its own namespace, watching everything', () => {
    const flags = parseFlags([], pod);
    expect(flags).toEqual({
      leaderElection: {
        namespace: 'roast-system',
        name: 'roast-operator',
        identity: expect.stringMatching(/^roast-operator-7d9f_/),
      },
      probes: { host: '0.0.0.0', port: 8081 },
      canary: { namespace: 'roast-system', periodMs: 300_000, retryMs: 10_000 },
      retentionMs: 604_800_000,
      telemetryRetention: { retentionMs: 2_592_000_000, periodMs: 3_600_000 },
      workers: 4,
      proposalBounds: { openPerProposer: 50, endedUnsent: 200, endedSent: 500 },
      pod: { namespace: 'roast-system', name: 'roast-operator-7d9f' },
    });
  });

  it('takes flags over the environment', () => {
    const flags = parseFlags(
      [
        '--kubeconfig=/tmp/k',
        '--watch-namespace=roastery',
        '--leader-election-id=other',
        '--probe-address=127.0.0.1:0',
        '--canary-period=2s',
        '--retention=30s',
        '--telemetry-retention=2d',
        '--telemetry-retention-period=10s',
        '--workers=2',
        '--open-proposals-per-proposer=1000',
        '--retained-unsent-proposals=10',
        '--retained-sent-proposals=20',
      ],
      { ...pod, KUBECONFIG: '/elsewhere', WATCH_NAMESPACE: 'ignored' },
    );
    expect(flags).toMatchObject({
      kubeconfig: '/tmp/k',
      watchNamespace: 'roastery',
      leaderElection: { name: 'other' },
      probes: { host: '127.0.0.1', port: 0 },
      canary: { namespace: 'roastery', periodMs: 2000, retryMs: 2000 },
      retentionMs: 30_000,
      telemetryRetention: { retentionMs: 172_800_000, periodMs: 10_000 },
      workers: 2,
      proposalBounds: { openPerProposer: 1000, endedUnsent: 10, endedSent: 20 },
    });
  });

  it('runs without leader election only when told, and then needs no pod namespace', () => {
    expect(() => parseFlags([], {})).toThrow(/leader election needs/);
    expect(parseFlags(['--no-leader-elect'], {})).toMatchObject({ canary: { namespace: 'default' } });
    expect(parseFlags(['--no-leader-elect'], {}).leaderElection).toBeUndefined();
  });

  it.each([
    ['--probe-address=8081'],
    ['--workers=0'],
    ['--bogus'],
    ['--canary-period=soon'],
    ['--telemetry-retention=forever'],
    ['--open-proposals-per-proposer=0'],
  ])('refuses %s', (flag) => {
    expect(() => parseFlags([flag], pod)).toThrow(UsageError);
  });
});
