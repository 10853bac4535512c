import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@roast-operator/log';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UsageError } from './flags.ts';
import { announceInsecureDemo, checkInsecureDemo, insecureDemoConfirmation } from './insecure-demo.ts';

describe('checkInsecureDemo', () => {
  const confirmed = { [insecureDemoConfirmation.variable]: insecureDemoConfirmation.value };
  const gateway = (host: string) => ({ flag: '--gateway-host', host });
  const api = (host: string) => ({ flag: '--api-host', host });

  it.each([
    ['IPv4 loopback', [gateway('127.0.0.1')]],
    ['another 127/8 address', [gateway('127.0.0.2'), api('127.0.0.1')]],
    ['IPv6 loopback and localhost', [gateway('::1'), api('localhost')]],
  ])('allows a confirmed demo on %s', (_, served) => {
    expect(() => checkInsecureDemo(served, confirmed)).not.toThrow();
  });

  it.each([
    [
      'without the confirmation',
      [gateway('127.0.0.1')],
      {},
      'ROAST_INSECURE_DEMO=plaintext-unauthenticated-loopback',
    ],
    [
      'with a confirmation that only looks like one',
      [gateway('127.0.0.1')],
      { ROAST_INSECURE_DEMO: '1' },
      'confirm it by also setting',
    ],
    ['on every address', [gateway('0.0.0.0')], confirmed, 'add --gateway-host=127.0.0.1'],
    [
      'on a routable address',
      [gateway('127.0.0.1'), api('10.0.0.7')],
      confirmed,
      '--api-host 10.0.0.7 is not',
    ],
    ['on a name that is not localhost', [gateway('127.0.0.1.example.com')], confirmed, 'binds loopback only'],
    [
      'in a Kubernetes pod, even confirmed on loopback',
      [gateway('127.0.0.1')],
      { ...confirmed, KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      'refused in a Kubernetes pod',
    ],
  ])('refuses it %s, saying what to do', (_, served, env, message) => {
    expect(() => checkInsecureDemo(served, env)).toThrow(UsageError);
    expect(() => checkInsecureDemo(served, env)).toThrow(message);
  });
});

describe('announceInsecureDemo', () => {
  it.each([
    [true, 1],
    [false, 0],
  ])('on: %s, the gauge reads %i', async (on, value) => {
    const registry = new Registry();
    announceInsecureDemo(on, registry, createLogger({ level: 'error' }));
    const text = await registry.metrics();
    expect(text).toContain(`roast_operator_insecure_demo ${value}`);
  });
});

describe('roast-operator --insecure-demo', () => {
  const main = join(import.meta.dirname, 'main.ts');
  const store = join(tmpdir(), 'roast-insecure-demo-never-opened.db');
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // A clean environment: only what the case gives, so the machine's own cannot confirm or refuse it.
      const child = execFile(process.execPath, [main, '--gateway-port=0', `--store-path=${store}`, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  const confirmed = { [insecureDemoConfirmation.variable]: insecureDemoConfirmation.value };

  it.each([
    ['without the confirmation', ['--gateway-host=127.0.0.1'], {}, 'ROAST_INSECURE_DEMO='],
    ['on the default address (every interface)', [], confirmed, 'add --gateway-host=127.0.0.1'],
    [
      'with the read API on another address',
      ['--gateway-host=127.0.0.1', '--api-port=0'],
      confirmed,
      '--api-host 0.0.0.0 is not',
    ],
    [
      'in a pod',
      ['--gateway-host=127.0.0.1'],
      { ...confirmed, KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      'refused in a Kubernetes pod',
    ],
  ])(
    'refuses to start %s, with exit code 2 and what to do',
    async (_, args, env, message) => {
      const { code, stderr } = await run(['--insecure-demo', ...args], env);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      // Each case starts the operator's process, which loads its whole module graph before it refuses.
    },
    30_000,
  );
});
