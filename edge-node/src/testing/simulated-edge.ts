import { VirtualClock } from '@roast-operator/clock';
import { Logger } from '@roast-operator/log';
import type { R1Control } from '@roast-operator/r1';
import type { ScheduleChange as Change } from '@roast-operator/thermal';
import { EdgeAgent } from '../agent/agent.ts';
import { EdgeStore } from '../agent/store.ts';
import type { CommandResult, EdgeCommand } from '../commands.ts';
import type { R1Device } from '../device/device.ts';
import type { EdgeModel } from '../device/models.ts';
import type { AgentEvent, AgentReading } from '../edge-link.ts';
import { defaultSafetyConfig, type SafetyConfig } from '../safety/config.ts';
import { isHeating, RiseWindow } from '../safety/interlocks.ts';
import { SimulatedR1, type SimulatedR1Options } from '../sim/device.ts';

// A whole edge on virtual time: the agent, the shared driver, a simulated R1 (or any device) and an
// in-memory store. Tests and the benchmark drive it through the link API, exactly as the gateway's link
// would.

export type EdgeUnderTest<D extends R1Device> = {
  readonly clock: VirtualClock;
  readonly device: D;
  readonly agent: EdgeAgent;
  readonly store: EdgeStore;
  /** Every reading and event the agent published. */
  readonly readings: AgentReading[];
  readonly events: AgentEvent[];
  /** Exit codes the agent asked for. */
  readonly exits: number[];
  /** Submits a command with a fresh UID; virtual time does not move. */
  submit(command: CommandWithoutUid): Promise<CommandResult>;
  /** Submits a command and lets virtual time run until it has a result. */
  command(command: CommandWithoutUid): Promise<CommandResult>;
  /** Virtual time until `done` holds (throws after `limitMs`). */
  until(done: () => boolean, limitMs: number): Promise<void>;
  latest(): AgentReading;
  /** Stops the agent, letting virtual time run until it has. */
  stop(): Promise<void>;
};

export type SimulatedEdge = EdgeUnderTest<SimulatedR1>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandWithoutUid = DistributiveOmit<EdgeCommand, 'uid'>;

export type EdgeOptions = {
  readonly safety?: SafetyConfig;
  readonly inContainer?: boolean;
  /** An existing store, to test what survives a restart. */
  readonly store?: EdgeStore;
  readonly clock?: VirtualClock;
  readonly model?: EdgeModel;
  /** The session the store remembers from before the start. */
  readonly session?: string;
};

export type SimulatedEdgeOptions = EdgeOptions & {
  readonly device?: SimulatedR1Options;
  /** A device to reuse (a restarted agent finds the same roaster). */
  readonly reuseDevice?: SimulatedR1;
};

export async function simulatedEdge(options: SimulatedEdgeOptions = {}): Promise<SimulatedEdge> {
  const clock = options.clock ?? new VirtualClock();
  const device = options.reuseDevice ?? new SimulatedR1(clock, options.device);
  return edgeOn(device, { ...options, clock });
}

/** An edge driving `device`, which runs on `options.clock`. */
export async function edgeOn<D extends R1Device>(
  device: D,
  options: EdgeOptions & { readonly clock: VirtualClock },
): Promise<EdgeUnderTest<D>> {
  const { clock } = options;
  const store = options.store ?? EdgeStore.open(':memory:', clock.now());
  if (options.session !== undefined) store.setSession(options.session);
  const exits: number[] = [];
  let ids = 0;
  const agent = new EdgeAgent({
    clock,
    model: options.model ?? 'Simulated',
    findDevice: async () => device,
    store,
    safety: options.safety ?? defaultSafetyConfig,
    agentVersion: 'test',
    inContainer: options.inContainer ?? false,
    exit: (code) => exits.push(code),
    log: new Logger({ level: 'error', sink: () => {}, now: () => new Date(clock.now()) }),
    newId: () => `latch-${++ids}`,
  });
  const readings: AgentReading[] = [];
  const events: AgentEvent[] = [];
  agent.onReading((r) => readings.push(r));
  agent.onEvent((e) => events.push(e));
  agent.start();
  // Until the first reading, or the agent gave up on the device.
  await clock.until(
    () => readings.length > 0 || events.some((e) => e.type === 'device' && e.status !== 'connected'),
    10_000,
  );
  let uids = 0;
  const until = (done: () => boolean, limitMs: number) => clock.until(done, limitMs);
  const submit = (command: CommandWithoutUid) =>
    agent.submit({ ...command, uid: `cmd-${++uids}` } as EdgeCommand);
  return {
    clock,
    device,
    agent,
    store,
    readings,
    events,
    exits,
    until,
    latest: () => readings.at(-1)!,
    submit,
    command: (command) => settled(clock, submit(command), 120_000),
    stop: () => settled(clock, agent.stop(), 10_000),
  };
}

/** Lets virtual time run until `promise` settles; its value, or its error thrown. */
export async function settled<T>(clock: VirtualClock, promise: Promise<T>, limitMs: number): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  await clock.until(() => outcome !== undefined, limitMs);
  if (outcome && 'error' in outcome) throw outcome.error;
  return (outcome as { value: T }).value;
}

export type RoastPlan = {
  readonly schedule: readonly Change[];
  /** Seconds logged after the charge. */
  readonly seconds: number;
};

/** How long the preheated roaster waits for the charge: five lag constants of the IBTS channel (57 s). */
const holdSeconds = 300;

export type RoastLog = {
  /** IBTS (status bytes 8–11) once a second of roaster time from the charge: index = seconds. */
  readonly ibts: number[];
  /** The device time of the first reading that showed roasting. */
  readonly chargedDeviceAt: number;
  readonly results: CommandResult[];
};

/** Lets virtual time run until the simulated roaster's own clock reaches `deviceAt`. */
export function advanceDeviceTo(edge: SimulatedEdge, deviceAt: number): Promise<void> {
  const { clock, device } = edge;
  return clock.advance(Math.max(0, (deviceAt - device.timeBase.now()) / device.timeScale));
}

/**
 * Preheat from off, wait for the charge state and 5 minutes more, set the schedule's first levels, charge,
 * then follow the schedule — every step through the link API — logging IBTS once a second, as Artisan
 * logs a Bullet. Waits and the log are in the roaster's time, so a time-scaled roaster roasts the same;
 * command deadlines are on the agent's clock.
 */
export async function roastThrough(edge: SimulatedEdge, plan: RoastPlan): Promise<RoastLog> {
  const { clock, agent, device } = edge;
  agent.linkUp();
  const deadline = () => clock.now() + 30_000;
  const sets = (change: Change | undefined) => levelCommands(change, deadline());
  const results = [await edge.command({ kind: 'press', fromState: 'off', deadline: deadline() })];
  await edge.until(() => edge.latest().state === 'charge', 30 * 60_000);
  await advanceDeviceTo(edge, device.timeBase.now() + holdSeconds * 1000);
  const [first, ...rest] = plan.schedule;
  for (const command of sets(first)) results.push(await edge.command(command));
  results.push(await edge.command({ kind: 'press', fromState: 'charge', deadline: deadline() }));
  const chargedDeviceAt = edge.readings.find((r) => r.state === 'roasting')!.deviceAt;
  const ibts: number[] = [];
  // Level changes run while the log goes on; their results are collected at the end.
  const running: Promise<CommandResult>[] = [];
  for (let second = 0; second <= plan.seconds; second++) {
    await advanceDeviceTo(edge, chargedDeviceAt + second * 1000);
    ibts.push(edge.latest().ibts);
    for (const change of rest.filter((c) => c.at === second)) running.push(...sets(change).map(edge.submit));
  }
  results.push(...(await Promise.all(running)));
  const failed = results.find((r) => r.outcome !== 'succeeded');
  if (failed) throw new Error(`command ${failed.uid}: ${failed.outcome}: ${failed.message}`);
  if (plan.schedule.some((c) => c.at > plan.seconds)) throw new Error('the schedule runs past the log');
  return { ibts, chargedDeviceAt, results };
}

function levelCommands(change: Change | undefined, deadline: number): CommandWithoutUid[] {
  const { at: _, ...levels } = change ?? { at: 0 };
  return Object.entries(levels).map(([control, target]) => ({
    kind: 'set',
    control: control as R1Control,
    target,
    deadline,
  }));
}

/**
 * The steepest rise the edge's alarm would fit to `readings` with `time` as their clock, through the
 * agent's own window, where it watches (heating, at or above the threshold): a test's measure of what
 * stamping readings on one clock or another does to the alarm.
 */
export function steepestRise(readings: readonly AgentReading[], time: (r: AgentReading) => number): number {
  const { windowSeconds, aboveC } = defaultSafetyConfig.riseRate;
  const window = new RiseWindow(windowSeconds);
  let steepest = Number.NEGATIVE_INFINITY;
  for (const r of readings) {
    if (r.issue !== undefined) continue;
    window.add(time(r), Math.max(r.bt, r.ibts));
    const rate = window.rate();
    if (rate !== undefined && isHeating(r.state, r.heater) && Math.max(r.bt, r.ibts) >= aboveC) {
      steepest = Math.max(steepest, rate);
    }
  }
  return steepest;
}
