// What the link reports on a Roaster's status, server-side applied as field manager roast-link: the
// Connected and InterlocksClear conditions, phase, device, levels, the latest reading and the edge's latches. Each apply carries
// every field the link owns (an apply that omits an owned field removes it), so the link keeps one view per
// roaster and applies it whole; writes to one roaster are serialized and coalesced.
import { fieldManagers, type Roaster, type RoasterStatus } from '@roast-operator/api';
import type { Clock } from '@roast-operator/clock';
import {
  type Condition,
  type Informer,
  isNotFound,
  metaTime,
  type ResourceClient,
  setStatusCondition,
} from '@roast-operator/kube';
import type { Logger } from '@roast-operator/log';
import type { Latch, Sample } from '@roast-operator/proto';
import type { RoasterRef } from '../dispatch.ts';
import { interlocksCondition } from '../governing.ts';
import { stateOfCode } from '../objects.ts';

/** Readings reach the API at most this often: etcd is not a time-series store. */
export const telemetryIntervalMs = 5000;

type Phase = NonNullable<RoasterStatus['phase']>;

interface LinkView {
  phase: Phase;
  connected: Condition;
  interlocks?: Condition;
  edgeLatches?: NonNullable<RoasterStatus['edgeLatches']>;
  device?: NonNullable<RoasterStatus['device']>;
  levels?: NonNullable<RoasterStatus['levels']>;
  lastTelemetry?: NonNullable<RoasterStatus['lastTelemetry']>;
}

interface Entry {
  roaster: RoasterRef;
  view: LinkView;
  /** When lastTelemetry was last written. */
  telemetryWrittenAt: number;
  writing?: Promise<void>;
  dirty: boolean;
}

function condition(
  now: Date,
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  previous?: Condition,
): Condition {
  const update = { type, status: ok ? 'True' : 'False', reason, message } as const;
  return setStatusCondition(previous && [previous], update, now).conditions[0]!;
}

function interlocks(now: Date, latches: readonly Latch[], previous?: Condition): Condition {
  const active = latches.filter((l) => l.conditionActive);
  const listed = latches.map((l) => `${l.id} (${l.cause}${l.conditionActive ? ', active' : ''})`).join(', ');
  if (active.length > 0) {
    return condition(
      now,
      interlocksCondition,
      false,
      'InterlockActive',
      `Edge latches: ${listed}.`,
      previous,
    );
  }
  const message =
    latches.length === 0 ? 'The edge agent holds no latch.' : `Edge latches, conditions gone: ${listed}.`;
  return condition(now, interlocksCondition, true, 'Clear', message, previous);
}

/**
 * The edge's latches as the status lists them, one per id (the list is keyed by id; the gateway has
 * bounded their number and lengths already).
 */
export function edgeLatches(latches: readonly Latch[]): NonNullable<RoasterStatus['edgeLatches']> {
  const byId = new Map(latches.map((l) => [l.id, l] as const));
  return [...byId.values()].map((l) => ({
    id: l.id,
    cause: l.cause,
    ...(l.message !== '' && { message: l.message }),
    since: metaTime(new Date(l.sinceMs)),
    conditionActive: l.conditionActive,
  }));
}

export interface DeviceReport {
  serial: string;
  firmware: string;
  node: string;
  pod: string;
}

export class LinkStatus {
  readonly #api: ResourceClient<Roaster>;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;

  #now(): Date {
    return new Date(this.#clock.now());
  }

  constructor(api: ResourceClient<Roaster>, log: Logger, clock: Clock) {
    this.#clock = clock;
    this.#api = api;
    this.#log = log;
  }

  connected(roaster: RoasterRef, device: DeviceReport, latches: readonly Latch[]): void {
    const entry = this.#entry(roaster);
    const previous = entry.view;
    entry.view = {
      ...previous,
      connected: condition(
        this.#now(),
        'Connected',
        true,
        'StreamOpen',
        `Edge agent ${device.pod || '(unnamed)'} on ${device.node || '(unknown node)'} is streaming.`,
        previous.connected,
      ),
      interlocks: interlocks(this.#now(), latches, previous.interlocks),
      edgeLatches: edgeLatches(latches),
      device: Object.fromEntries(Object.entries(device).filter(([, v]) => v !== '')),
    };
    this.#write(entry);
  }

  disconnected(roaster: RoasterRef, reason: string, message: string): void {
    const entry = this.#entry(roaster);
    const { levels: _, ...rest } = entry.view;
    entry.view = {
      ...rest,
      phase: 'Disconnected',
      connected: condition(this.#now(), 'Connected', false, reason, message, entry.view.connected),
    };
    this.#write(entry);
  }

  latches(roaster: RoasterRef, latches: readonly Latch[]): void {
    const entry = this.#entry(roaster);
    entry.view = {
      ...entry.view,
      interlocks: interlocks(this.#now(), latches, entry.view.interlocks),
      edgeLatches: edgeLatches(latches),
    };
    this.#write(entry);
  }

  /** The newest sample of a batch: a new phase is written at once, levels and readings at most every 5 s. */
  sample(roaster: RoasterRef, s: Sample): void {
    const entry = this.#entry(roaster);
    const phase = stateOfCode(s.stateCode);
    const phaseChanged = phase !== entry.view.phase;
    const due = this.#clock.now() - entry.telemetryWrittenAt >= telemetryIntervalMs;
    if (!phaseChanged && !due) return;
    entry.view = {
      ...entry.view,
      phase,
      levels: { heater: s.heater, fan: s.fan, drum: s.drum },
      lastTelemetry: {
        time: new Date(s.timeMs).toISOString(),
        ...(s.beanTemp !== undefined && { beanTemperatureCelsius: s.beanTemp }),
        ...(s.ibtsTemp !== undefined && { ibtsTemperatureCelsius: s.ibtsTemp }),
        ...(s.exhaustTemp !== undefined && { exhaustTemperatureCelsius: s.exhaustTemp }),
      },
    };
    entry.telemetryWrittenAt = this.#clock.now();
    this.#write(entry);
  }

  /** Resolves once every write asked for so far has been made (or given up). */
  async flush(): Promise<void> {
    while ([...this.#entries.values()].some((e) => e.writing)) {
      await Promise.all([...this.#entries.values()].map((e) => e.writing));
    }
  }

  #entry(roaster: RoasterRef): Entry {
    const key = roaster.uid;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const connected = condition(this.#now(), 'Connected', false, 'NoStream', 'No edge agent stream yet.');
      entry = { roaster, view: { phase: 'Disconnected', connected }, telemetryWrittenAt: 0, dirty: false };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #write(entry: Entry): void {
    entry.dirty = true;
    entry.writing ??= this.#drain(entry).finally(() => {
      entry.writing = undefined;
    });
  }

  /**
   * A predecessor that died could not report its streams' end: once edges have had time to reconnect, a
   * roaster still shown Connected with no live stream here is reported Disconnected.
   */
  async sweep(
    roasters: Informer<Roaster>,
    live: (roasterUid: string) => boolean,
    signal: AbortSignal,
  ): Promise<void> {
    await roasters.waitForSync(signal).catch(() => undefined);
    if (signal.aborted) return;
    for (const r of roasters.store.list()) {
      const shown = r.status?.conditions?.some((c) => c.type === 'Connected' && c.status === 'True');
      const { namespace = '', name = '', uid = '' } = r.metadata;
      if (!shown || live(uid)) continue;
      this.disconnected(
        { namespace, name, uid },
        'NoStream',
        'No edge agent has streamed to the operator since it took over the link.',
      );
    }
  }

  /** Applies the latest view until no newer one is waiting: bursts collapse into one write. */
  async #drain(entry: Entry): Promise<void> {
    while (entry.dirty) {
      entry.dirty = false;
      try {
        await this.#apply(entry.roaster, entry.view);
      } catch (err) {
        if (isNotFound(err)) {
          this.#log.info('roaster is gone; not reporting its link', { roaster: entry.roaster.name });
          return;
        }
        this.#log.warn('reporting the link on the roaster failed', {
          err,
          roaster: entry.roaster.name,
          namespace: entry.roaster.namespace,
        });
        return;
      }
    }
  }

  #apply(roaster: RoasterRef, view: LinkView): Promise<Roaster> {
    const { connected, interlocks: interlock, ...fields } = view;
    const body = {
      // The UID makes the apply fail rather than write onto a recreated Roaster of the same name.
      metadata: { name: roaster.name, namespace: roaster.namespace, uid: roaster.uid },
      status: { ...fields, conditions: interlock ? [connected, interlock] : [connected] },
    };
    return this.#api.apply(body, { subresource: 'status', force: true, fieldManager: fieldManagers.link });
  }
}
