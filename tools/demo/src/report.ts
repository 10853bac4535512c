// What the demo prints, as a roaster reads it: times as m:ss, temperatures in °C, the session's events and
// metrics — and "not reported" wherever the operator has not filled a status field, never a crash.
import type { CommandProposal, RoasterStatus, RoastSession } from '@roast-operator/api';

export const notReported = 'not reported';

/** Seconds as m:ss (or mm:ss with `width` 5), as roasting software shows roast time. */
export function clock(seconds: number, width = 0): string {
  const whole = Math.max(0, Math.floor(seconds));
  const text = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  return text.padStart(width, width === 5 ? '0' : ' ');
}

export const celsius = (value: number | undefined): string =>
  value === undefined ? notReported : `${value.toFixed(1)} °C`;

export const rate = (value: number | undefined): string =>
  value === undefined ? notReported : `${value.toFixed(1)} °C/min`;

/** The bean reading a roaster goes by: IBTS where the roaster has it (Artisan shows it as BT on an R1 V2), else the probe. */
export function beanTemperature(telemetry: RoasterStatus['lastTelemetry']): number | undefined {
  return telemetry?.ibtsTemperatureCelsius ?? telemetry?.beanTemperatureCelsius;
}

type Events = NonNullable<NonNullable<RoastSession['status']>['events']>;
export type EventName = keyof Events;
export type RoastEvent = NonNullable<Events[EventName]>;

export const eventNames: Readonly<Record<EventName, string>> = {
  charge: 'Charge',
  turningPoint: 'Turning point',
  dryEnd: 'Dry end',
  firstCrack: 'First crack',
  drop: 'Drop',
};

const eventOrder = Object.keys(eventNames) as EventName[];

/** `Turning point  97.8 °C  (Inferred)`: an event as it appears, its roast time printed beside it. */
export function eventText(name: EventName, event: RoastEvent): string {
  const bt = event.beanTemperatureCelsius === undefined ? '' : `  ${celsius(event.beanTemperatureCelsius)}`;
  return `★ ${eventNames[name]}${bt}  (${event.source})`;
}

/** The session's events in roast order, as they are now. */
export function sessionEvents(session: RoastSession | undefined): [EventName, RoastEvent][] {
  const events = session?.status?.events ?? {};
  return eventOrder.flatMap((name) =>
    events[name] ? [[name, events[name]] as [EventName, RoastEvent]] : [],
  );
}

/** A command as a roaster says it: "Preheat", "heater 7". */
export function commandText(command: CommandProposal['spec']['command']): string {
  switch (command.type) {
    case 'SetHeater':
      return `heater ${command.target}`;
    case 'SetFan':
      return `fan ${command.target}`;
    case 'SetDrum':
      return `drum ${command.target}`;
    default:
      return command.type;
  }
}

/** What the demo itself saw of its proposals: the session's own counts may not be reported yet. */
export interface ProposalTally {
  proposed: number;
  succeeded: number;
  failed: number;
}

export function tally(proposals: readonly CommandProposal[]): ProposalTally {
  const phase = (p: CommandProposal) => p.status?.phase;
  return {
    proposed: proposals.length,
    succeeded: proposals.filter((p) => phase(p) === 'Succeeded').length,
    failed: proposals.filter((p) => phase(p) === 'Failed').length,
  };
}

export interface SummaryInput {
  readonly session: RoastSession | undefined;
  /** The session's proposals as the API lists them. */
  readonly proposals: readonly CommandProposal[];
}

/** The summary after the roast: events, DTR, time, RoR, commands and points — what is missing says so. */
export function summary({ session, proposals }: SummaryInput): string[] {
  const status = session?.status;
  const metrics = status?.metrics;
  const lines = [`RoastSession ${session?.metadata.name ?? '?'}: ${status?.phase ?? `phase ${notReported}`}`];
  const events = sessionEvents(session);
  lines.push('  Event           Time   BT          Source');
  if (events.length === 0) lines.push(`  (events ${notReported})`);
  for (const [name, event] of events) {
    lines.push(
      `  ${eventNames[name].padEnd(15)} ${clock(event.secondsSinceCharge, 5)}  ${celsius(event.beanTemperatureCelsius).padEnd(10)}  ${event.source}`,
    );
  }
  const dtr = metrics?.developmentRatioPercent;
  const development = metrics?.developmentSeconds;
  lines.push(
    `  DTR             ${dtr === undefined ? notReported : `${dtr.toFixed(1)} %`}${development === undefined ? '' : ` (development ${clock(development)})`}`,
    `  Total time      ${metrics?.totalSeconds === undefined ? notReported : clock(metrics.totalSeconds)}`,
    `  Max RoR         ${rate(metrics?.maxRateOfRiseCelsiusPerMinute)}`,
    `  Final BT        ${celsius(metrics?.finalBeanTemperatureCelsius)}`,
  );
  const commands = status?.commands;
  const seen = tally(proposals);
  const counted =
    commands === undefined
      ? notReported
      : `${commands.proposed ?? 0} proposed, ${commands.succeeded ?? 0} succeeded, ${commands.failed ?? 0} failed, ${commands.blocked ?? 0} blocked`;
  lines.push(
    `  Commands        ${counted} (proposals listed: ${seen.proposed}, ${seen.succeeded} Succeeded, ${seen.failed} Failed)`,
    `  Points stored   ${metrics?.pointsStored ?? notReported}${metrics?.pointsDropped ? ` (${metrics.pointsDropped} dropped)` : ''}`,
  );
  return lines;
}

/** The cluster the demo leaves up for exploring, as a person reaches it. */
export interface Exploring {
  readonly adminKubeconfig: string;
  readonly aliceKubeconfig: string;
  readonly kubectl: string;
  readonly roaster: string;
  readonly logFile: string;
}

/**
 * The lines after the summary, matching what is left running: with the cluster up (`exploring`), the exact
 * commands to explore it; when the demo stops everything after the summary, how to run it again and keep
 * the cluster — never a path into files about to be removed.
 */
export function closingHints(exploring: Exploring | undefined): string[] {
  if (!exploring) {
    return [
      'The cluster, operator and edge agent stop now and their files are removed. To explore them with',
      'kubectl, run the demo again and keep them up until Ctrl-C:',
      '  npm start              # in a terminal',
      '  npm start -- --stay    # when stdin is not a terminal (a pipe, CI)',
    ];
  }
  const { adminKubeconfig, aliceKubeconfig, kubectl, roaster, logFile } = exploring;
  return [
    'Explore it with kubectl (as admin; alice.kubeconfig and bob.kubeconfig sit beside it):',
    `  export KUBECONFIG=${adminKubeconfig}`,
    `  alias kubectl=${kubectl}`,
    '  kubectl get roasting -n roastery',
    '  kubectl get roastsessions -n roastery -o yaml',
    '  kubectl get commandproposals -n roastery -o wide',
    '  kubectl describe commandproposal advisor-heater-5 -n roastery',
    '  kubectl get events -n roastery --sort-by=.lastTimestamp',
    `  KUBECONFIG=${aliceKubeconfig} kubectl auth can-i mark roasters/${roaster} -n roastery`,
    `Product logs: ${logFile}`,
    'The control plane, operator and edge agent stay up for exploring. Ctrl-C stops them all and removes',
    'these files.',
  ];
}
