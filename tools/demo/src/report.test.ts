import { RoastSession } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { clock, closingHints, eventText, summary } from './report.ts';

const session = (status?: unknown) =>
  RoastSession.parse({
    apiVersion: 'roasting.simcorp.io/v1alpha1',
    kind: 'RoastSession',
    metadata: { name: 'guji-1', namespace: 'roastery' },
    spec: { roasterRef: { name: 'sim-1' } },
    ...(status !== undefined && { status }),
  });

describe('the summary', () => {
  it('says "not reported" for every status field the operator has not filled', () => {
    const lines = summary({ session: session(), proposals: [] }).join('\n');
    expect(lines).toContain('RoastSession guji-1: phase not reported');
    expect(lines).toContain('(events not reported)');
    for (const field of ['DTR', 'Total time', 'Max RoR', 'Final BT', 'Commands', 'Points stored']) {
      expect(lines).toMatch(new RegExp(`  ${field} +not reported`));
    }
  });

  it('lists the events in roast order with time since charge, BT and source, and the metrics', () => {
    const at = (secondsSinceCharge: number, beanTemperatureCelsius: number, source: string) => ({
      time: '2026-11-24T04:00:00Z',
      secondsSinceCharge,
      beanTemperatureCelsius,
      source,
    });
    const lines = summary({
      session: session({
        phase: 'Completed',
        events: {
          drop: at(485, 206.21, 'StateCode'),
          charge: at(0, 151.2, 'StateCode'),
          firstCrack: at(372, 186.04, 'Mark'),
          turningPoint: at(65, 96.6, 'Inferred'),
        },
        metrics: {
          totalSeconds: 485,
          developmentSeconds: 113,
          developmentRatioPercent: 23.298,
          maxRateOfRiseCelsiusPerMinute: 25.51,
          pointsStored: 699,
        },
        commands: { proposed: 7, succeeded: 7, failed: 0, blocked: 0 },
      }),
      proposals: [],
    });
    expect(lines[0]).toBe('RoastSession guji-1: Completed');
    const events = lines.filter((l) => /StateCode|Inferred|Mark/.test(l));
    expect(events).toEqual([
      '  Charge          00:00  151.2 °C    StateCode',
      '  Turning point   01:05  96.6 °C     Inferred',
      '  First crack     06:12  186.0 °C    Mark',
      '  Drop            08:05  206.2 °C    StateCode',
    ]);
    const text = lines.join('\n');
    expect(text).toContain('  DTR             23.3 % (development 1:53)');
    expect(text).toContain('  Total time      8:05');
    expect(text).toContain('  Max RoR         25.5 °C/min');
    expect(text).toMatch(/ {2}Commands +7 proposed, 7 succeeded, 0 failed, 0 blocked/);
    expect(text).toContain('  Points stored   699');
  });
});

describe('progress text', () => {
  it('shows roast time as mm:ss and an event with its temperature and source', () => {
    expect(clock(161.7, 5)).toBe('02:41');
    expect(clock(3725)).toBe('62:05');
    expect(
      eventText('turningPoint', {
        time: '2026-11-24T04:00:00Z',
        secondsSinceCharge: 161,
        beanTemperatureCelsius: 97.84,
        source: 'Inferred',
      }),
    ).toBe('★ Turning point  97.8 °C  (Inferred)');
  });
});

describe('the closing hints', () => {
  const exploring = {
    adminKubeconfig: '/tmp/roast-cp-demo-1/admin.kubeconfig',
    aliceKubeconfig: '/tmp/roast-cp-demo-1/alice.kubeconfig',
    kubectl: '/cache/control-plane/kubectl',
    roaster: 'sim-1',
    logFile: '/tmp/roast-demo-1/product.log',
  };

  it('with the cluster up, give the exact commands to explore it and say how it ends', () => {
    const text = closingHints(exploring).join('\n');
    expect(text).toContain('  export KUBECONFIG=/tmp/roast-cp-demo-1/admin.kubeconfig');
    expect(text).toContain('  alias kubectl=/cache/control-plane/kubectl');
    expect(text).toContain(
      '  KUBECONFIG=/tmp/roast-cp-demo-1/alice.kubeconfig kubectl auth can-i mark roasters/sim-1 -n roastery',
    );
    expect(text).toContain('Product logs: /tmp/roast-demo-1/product.log');
    expect(text).toMatch(/stay up for exploring\. Ctrl-C stops them all/);
  });

  it('when everything stops, point at no file or cluster and tell how to run again and keep it', () => {
    const lines = closingHints(undefined);
    const text = lines.join('\n');
    expect(text).not.toMatch(/KUBECONFIG|kubeconfig|\/tmp\/|product\.log/);
    expect(lines).toContain('  npm start              # in a terminal');
    expect(lines).toContain('  npm start -- --stay    # when stdin is not a terminal (a pipe, CI)');
  });
});
