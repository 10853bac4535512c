import { describe, expect, it } from 'vitest';
import { UsageError } from '../flags.ts';
import { defaultAudience, splitLinkFlags } from './flags.ts';

const base = ['--gateway-port', '7443', '--store-path=/tmp/t.db'];
const secure = ['--tls-cert=/c', '--tls-key=/k', '--edge-service-account=roast-edge/roast-edge'];

describe('the link gateway flags', () => {
  it('take TLS files and the edge account, leaving the rest to the operator', () => {
    const { link, rest } = splitLinkFlags([...base, ...secure, '--workers=2']);
    expect(rest).toEqual(['--workers=2']);
    expect(link).toEqual({
      port: 7443,
      host: '0.0.0.0',
      storePath: '/tmp/t.db',
      insecureDemo: false,
      tls: { certFile: '/c', keyFile: '/k' },
      tokenReview: {
        audience: defaultAudience,
        edgeServiceAccount: { namespace: 'roast-edge', name: 'roast-edge' },
        reviewPeriodMs: 30_000,
      },
    });
  });

  it('serve plaintext only when asked for by name', () => {
    expect(splitLinkFlags([...base, '--insecure-demo']).link).toMatchObject({ insecureDemo: true });
    expect(splitLinkFlags([...base, '--insecure-demo']).link?.tls).toBeUndefined();
  });

  it.each([
    ['no TLS files', [...base, '--edge-service-account=a/b']],
    ['no edge account', [...base, '--tls-cert=/c', '--tls-key=/k']],
    [
      'an account without a namespace',
      [...base, '--tls-cert=/c', '--tls-key=/k', '--edge-service-account=b'],
    ],
    ['a review period past 30 s', [...base, ...secure, '--token-review-seconds=31']],
    ['TLS flags without a gateway', ['--tls-cert=/c']],
  ])('refuse %s', (_, argv) => {
    expect(() => splitLinkFlags(argv)).toThrow(UsageError);
  });
});

describe('the store and certificate flags without a gateway', () => {
  it('serve the read API alone when it runs', () => {
    const { link, serving, rest } = splitLinkFlags(
      ['--store-path=/s.db', '--tls-cert=/c', '--tls-key=/k', '--workers=2'],
      true,
    );
    expect(link).toBeUndefined();
    expect(serving).toEqual({
      storePath: '/s.db',
      insecureDemo: false,
      tls: { certFile: '/c', keyFile: '/k' },
    });
    expect(rest).toEqual(['--workers=2']);
    expect(splitLinkFlags(['--store-path=/s.db', '--insecure-demo'], true).serving).toEqual({
      storePath: '/s.db',
      insecureDemo: true,
    });
  });

  it.each([
    ['no store', ['--tls-cert=/c', '--tls-key=/k'], /--api-port needs --store-path/],
    ['no certificate', ['--store-path=/s.db'], /--api-port needs --tls-cert and --tls-key/],
    [
      'a flag of the gateway alone',
      ['--store-path=/s.db', '--insecure-demo', '--edge-service-account=a/b'],
      /need --gateway-port/,
    ],
    ['nothing at all', [], /--api-port needs --store-path/],
  ])('refuse %s', (_, argv, message) => {
    expect(() => splitLinkFlags(argv, true)).toThrow(message);
  });
});
