import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CommandProposal, CommandProposalSpec } from './command-proposal.ts';
import { RoastProfile } from './roast-profile.ts';
import { RoastSession, RoastSessionStatus } from './roast-session.ts';
import { Roaster, RoasterSpec } from './roaster.ts';

const example = (file: string): unknown =>
  parse(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8'));

describe('the examples', () => {
  it.each([
    ['roaster.yaml', Roaster],
    ['roastsession.yaml', RoastSession],
    ['commandproposal.yaml', CommandProposal],
    ['roastprofile.yaml', RoastProfile],
  ] as const)('%s parses as its kind', (file, schema) => {
    expect(schema.safeParse(example(file)).error).toBeUndefined();
  });
});

describe('parsing fills the defaults the API server fills', () => {
  it('for a Roaster: autonomy L1, approval and breaker policy, no emergency stop', () => {
    const spec = RoasterSpec.parse({ model: 'Simulated', binding: { nodeName: 'n' } });
    expect(spec).toEqual({
      model: 'Simulated',
      binding: { nodeName: 'n' },
      autonomy: { level: 'L1' },
      approvalPolicy: { timeoutSeconds: 120, allowSelfApprovalForHumans: false },
      circuitBreaker: { failureRateThreshold: 0.5, windowSeconds: 3600, minCommands: 5, degradeTo: 'L2' },
      emergencyStop: false,
    });
  });

  it('for a CommandProposal: a 60 s time to live', () => {
    const spec = CommandProposalSpec.parse({
      roasterRef: { name: 'r' },
      command: { type: 'EmergencyStop' },
      proposedBy: 'alice',
    });
    expect(spec.ttlSeconds).toBe(60);
  });
});

describe('parsing refuses what the API would not return', () => {
  const roaster = example('roaster.yaml') as Record<string, unknown>;

  it.each([
    ['another kind', { ...roaster, kind: 'RoastSession' }],
    ['another version', { ...roaster, apiVersion: 'roasting.simcorp.io/v1' }],
    ['no spec', { ...roaster, spec: undefined }],
    ['no metadata', { ...roaster, metadata: undefined }],
  ])('%s', (_, object) => {
    expect(Roaster.safeParse(object).success).toBe(false);
  });

  it.each([
    ['a device source without serial', { type: 'Device', firmware: '1.2' }],
    ['a simulated source without seed', { type: 'Simulated' }],
    ['an unknown source', { type: 'Recording', file: 'x' }],
  ])('a session status with %s', (_, source) => {
    expect(RoastSessionStatus.safeParse({ source }).success).toBe(false);
  });

  it('accepts a status timestamp with an offset, as the API server does', () => {
    const status = {
      events: { charge: { time: '2026-11-24T09:15:02+01:00', secondsSinceCharge: 0, source: 'StateCode' } },
    };
    expect(RoastSessionStatus.safeParse(status).error).toBeUndefined();
  });
});
