// A real recording replayed through the whole stack: a Roaster of model Replay on a private control plane
// with the chart installed, the operator (main.ts with its gateway) and the edge agent playing the recording
// (`--replay FILE --speed N`) as separate processes. Nobody presses anything: the replay plays the file
// from its first sample, its state code (derived from the file's CHARGE and DROP marks) goes from charge to
// roasting at CHARGE, and the operator opens a RoastSession for that charge and follows it to the drop.
// The session's events are then held against the replay report for the same file, computed here by the
// edge's own report code (compareReplay), event by event.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Roaster, RoastSession } from '@roast-operator/api';
import { RoastSession as RoastSessionSchema } from '@roast-operator/api';
import { eventually, freePort } from '@roast-operator/control-plane';
import { readRecording } from '@roast-operator/roast/recordings';
import { CHARGE_TOLERANCE_S, DROP_TOLERANCE_S, recordingsDir } from '@roast-operator/roast/validation';
import { SqliteTelemetryStore } from '@roast-operator/store';
import type { NodeProcess } from '@roast-operator/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareReplay,
  type EventComparison,
  eventKinds,
  type RecordingComparison,
} from '../../edge-node/src/replay/evaluate.ts';
import { edgeProcess, gatewayArgs, operatorMain } from '../support/link.ts';
import { namespace, Roastery } from '../support/roastery.ts';

// 1.5 s samples (the same every time: the logger was steady), BT recorded and no ET — so the replay's
// bytes 8–11 are a copy of BT, and the operator, which analyses that IBTS channel where a roaster has one,
// analyses the same curve as the report. (On a recording with ET the operator would analyse ET.) Its marks
// say CHARGE 44.7 s into the file and DROP at 496.5 s, and the curve shows both: a charge dip, a turning
// point at 124 °C, and the fall after drop, so the report counts all three against the marks.
const recordingName = 'scottjames__coffee-roasting__roast_25-09-20_1158';
const recordingFile = join(recordingsDir(), `${recordingName}.json`);
// The agent polls the device at 10 Hz of its own clock. At speed 10 that is one reading per recorded second,
// so every 1.5 s sample is read once or twice: the live timeline has every value the report's has (the report
// takes each sample's first reading), held at most one reading longer — against a staircase of 15 at
// speed 1. A faster speed (15, 20) would skip samples whenever a poll is late on a busy machine, and the
// replay to the drop (541 recorded seconds) already takes under a minute at 10.
const speed = 10;
const roasterName = 'replay-1';
/** Phases a replayed roast that reached its DROP mark can be in: its state code says cooling from then on. */
const endedPhases = ['Dropped', 'Cooling', 'Completed'];

let roastery: Roastery;
let dir: string;
let edge: NodeProcess;
let roaster: Roaster;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-replay-'));
  const gatewayPort = await freePort();
  roastery = await Roastery.start({
    name: 'replay',
    script: operatorMain,
    operatorArgs: ['--canary-period=30s', ...gatewayArgs(gatewayPort, dir)],
  });
  roaster = await roastery.roaster(roasterName, { model: 'Replay' });
  edge = edgeProcess({
    device: ['--replay', recordingFile, '--speed', String(speed)],
    gatewayPort,
    roaster,
    store: join(dir, 'edge'),
    port: await freePort(),
    pod: 'roast-edge-replay-1',
  });
}, 180_000);

afterAll(async () => {
  await edge?.stop();
  await roastery?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function theSession(): Promise<RoastSession | undefined> {
  const list = await roastery
    .api('session')
    .list({ namespace, labelSelector: `roasting.simcorp.io/roaster=${roasterName}` });
  expect(list.items.length).toBeLessThanOrEqual(1);
  return list.items[0] && RoastSessionSchema.parse(list.items[0]);
}

type StatusEvent = NonNullable<NonNullable<NonNullable<RoastSession['status']>['events']>['charge']>;

/** Recorded seconds between consecutive readings: the largest gap, over the points of the session's window. */
async function largestReadingGap(session: RoastSession): Promise<{ gapS: number; points: number }> {
  // The operator holds the store while it runs; read it once both ends have stopped, as link.test.ts does.
  await edge.stop();
  await roastery.operator.stop();
  const store = new SqliteTelemetryStore(join(dir, 'telemetry.db'));
  try {
    const points = (await store.sessionPoints(session.metadata.uid!)) ?? [];
    expect(points.length).toBeGreaterThan(100);
    // Device time is the recording's own: one second per recorded second at any speed.
    const gaps = points.slice(1).map((p, i) => (p.timeMs - points[i]!.timeMs) / 1000);
    return { gapS: Math.max(...gaps), points: points.length };
  } finally {
    await store.close();
  }
}

describe('a recording replayed through the full stack', () => {
  it('ends in a RoastSession whose events match the replay report for the file', async () => {
    const recording = readRecording(recordingFile);
    // The operator's analyzer learns no thresholds: dry end and first crack are libs/roast's defaults
    // (150 °C, 186 °C). The report learns them from the other recordings of the same roaster in the folder
    // it is given; given this file alone it uses the same defaults. Charge, turning point and drop do not
    // depend on them. Speed 1: the report's own default, every sample read within 0.1 s of its start.
    const report: RecordingComparison = await compareReplay(recording, [recording]);
    // What the choice of recording rests on: BT recorded, the channel the operator analyses a copy of it,
    // and the state code built from the marks.
    expect(report.channels.bt.origin).toBe('recorded');
    expect(report.channels.ibts.origin).toBe('derived');
    expect(report.channels.state).toMatchObject({ origin: 'derived', from: expect.stringMatching(/marks/) });

    let session: RoastSession | undefined;
    await eventually(async () => {
      session = await theSession();
      if (session === undefined) throw new Error(`no session for ${roasterName} yet`);
      expect(endedPhases).toContain(session.status?.phase);
      expect(session.status?.events?.drop).toBeDefined();
    }, 240_000);
    const ended = session!;
    const status = ended.status!;
    const events = status.events!;
    const started = await edge.logged((l) => l.msg === 'edge agent started');
    process.stderr.write(
      `replay: ${recordingName} at speed ${speed}: session ${ended.metadata.name} ${status.phase} ${Date.now() - Date.parse(String(started.time))} ms after the edge started\n`,
    );
    expect(ended.metadata.annotations?.['roasting.simcorp.io/created-by']).toBe('roast-operator');
    expect(status.source).toEqual({ type: 'Replay', file: recordingName });

    const { gapS, points } = await largestReadingGap(ended);
    const sampleGaps = recording.samples.slice(1).map((s, i) => s.t - recording.samples[i]!.t);
    const sampleS = Math.max(...sampleGaps);
    // Time: an event on the live timeline sits on a reading, up to one gap after the start of the recorded
    // sample it reads (the report's first reading is within 0.1 s of it); a sample shorter than a gap can go
    // unread, moving a minimum or a crossing to a neighbouring sample (one sample interval); and the origin
    // of secondsSinceCharge, the session's charge, is itself a reading up to one gap after the CHARGE sample.
    // Status rounds to 0.1 s. The gap is measured, so a poll delayed on a busy machine widens it honestly.
    const toleranceS = sampleS + 2 * gapS + 0.05;
    const chargeAt = recording.marks.charge!.t;
    // BT: whatever the recording itself shows within the time tolerance of the event (both sides read the
    // same samples there, and interpolate a crossing between them), plus status's rounding to 0.1 °C.
    const btTolerance = (sinceCharge: number) => {
      const near = recording.samples
        .filter((s) => Math.abs(s.t - chargeAt - sinceCharge) <= toleranceS && Number.isFinite(s.bt))
        .map((s) => s.bt);
      return Math.max(...near) - Math.min(...near) + 0.05;
    };

    // Written as measured, before the assertions, so a failing run shows every difference.
    const say = (line: string) => process.stderr.write(`replay: ${line}\n`);
    say(
      `${points} readings in the session's window, largest gap ${gapS.toFixed(2)} s of the recording; samples ${sampleS.toFixed(2)} s apart; tolerance ${toleranceS.toFixed(2)} s`,
    );
    const fmt = (t: number | undefined, bt: number | null | undefined) =>
      `${t?.toFixed(1) ?? '—'} s ${bt?.toFixed(1) ?? '—'} °C`;
    for (const kind of eventKinds) {
      const r: EventComparison = report.events.find((e) => e.kind === kind)!;
      const s: StatusEvent | undefined = events[kind];
      // Every event the report finds, the session has; and it infers nothing the report does not.
      if (r.detected === undefined) {
        expect(s?.source, kind).not.toBe('Inferred');
        say(
          `${kind}: not in the report; session ${s ? fmt(s.secondsSinceCharge, s.beanTemperatureCelsius) : '—'}`,
        );
        continue;
      }
      expect(s, kind).toBeDefined();
      const bt = s!.beanTemperatureCelsius!;
      expect(bt, kind).toBeTypeOf('number');
      if (kind === 'charge' || kind === 'drop') {
        // The replay carries a state code, so charge and drop are the roaster's to tell, not the curve's. That
        // channel is derived from the file's CHARGE and DROP marks (the report's channel flag): what the report
        // says of it is the marks, so the session's event sits on the mark's sample. The report's own charge and
        // drop are found in the curve; they agree with the marks within the validation's tolerances, so with
        // the session's within those plus the time tolerance.
        expect(s!.source, kind).toBe('StateCode');
        const mark = r.mark!;
        const dt = s!.secondsSinceCharge - mark.t;
        const dBt = bt - mark.bt;
        const dCurve = s!.secondsSinceCharge - r.detected.t;
        say(
          `${kind}: session ${fmt(s!.secondsSinceCharge, bt)} StateCode; mark ${fmt(mark.t, mark.bt)} → Δ ${dt.toFixed(1)} s ${dBt.toFixed(1)} °C; report ${fmt(r.detected.t, r.detected.bt)} ${r.detected.source} → Δ ${dCurve.toFixed(1)} s`,
        );
        expect(Math.abs(dt), `${kind} s − mark`).toBeLessThanOrEqual(toleranceS);
        expect(Math.abs(dBt), `${kind} BT − mark`).toBeLessThanOrEqual(btTolerance(mark.t));
        const curve = kind === 'charge' ? CHARGE_TOLERANCE_S : DROP_TOLERANCE_S;
        expect(Math.abs(dCurve), `${kind} s − report`).toBeLessThanOrEqual(curve + toleranceS);
        continue;
      }
      // Turning point, dry end, first crack: found in the curve on both sides, by the same rules.
      expect(s!.source, kind).toBe('Inferred');
      expect(r.detected.source, kind).toBe('inferred');
      const dt = s!.secondsSinceCharge - r.detected.t;
      const dBt = bt - r.detected.bt!;
      say(
        `${kind}: session ${fmt(s!.secondsSinceCharge, bt)} Inferred; report ${fmt(r.detected.t, r.detected.bt)} → Δ ${dt.toFixed(1)} s ${dBt.toFixed(1)} °C (tolerance ${btTolerance(r.detected.t).toFixed(1)} °C)`,
      );
      expect(Math.abs(dt), `${kind} s − report`).toBeLessThanOrEqual(toleranceS);
      expect(Math.abs(dBt), `${kind} BT − report`).toBeLessThanOrEqual(btTolerance(r.detected.t));
    }
    // The numbers follow the events: the roast runs from the charge to the drop.
    expect(status.metrics?.totalSeconds).toBeCloseTo(events.drop!.secondsSinceCharge, 0);
    expect(status.metrics?.pointsDropped).toBe(0);
  }, 300_000);
});
