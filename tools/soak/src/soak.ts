// The soak: one operator process (its link gateway and read API on loopback) and two simulated Bullet R1s'
// edge agents on a private control plane with the chart installed, run for a while under a seeded mix of
// the attacks ordinary users can make with their own credentials, beside ordinary roasting:
// - on `soak-roast`, alice plans sessions, bob approves the presses, and each roast runs through to
//   Completed at speed; the advisor spams notes onto each session, and alice still marks first crack;
// - on `soak-target`, one attack at a time: the advisor's stop floods, the advisor's proposal floods that
//   expire together with alice's stop sent into them, bob's label storms on a proposal with a deadline,
//   forged results written by people and the advisor, and random-token requests to the read API.
// Then a human reset must bring `soak-target` back. The roastery it runs in is `roastery.ts`; what it measured
// goes to `report.ts`.

import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';
import { apiVersion, CommandProposal, RoastSession, roastSessionNames } from '@roast-operator/api';
import type { KubeObject } from '@roast-operator/kube';
import { type Actor, markPatch, namespace, proposalObject } from '@roast-operator/test-env';
import { between, type Measured, type MemorySample, memorySample, seeded } from './report.ts';
import { roastRoaster, SoakRoastery, target, terminal } from './roastery.ts';

export interface SoakOptions {
  readonly seed: number;
  /** How long attacks and roasting go on, wall seconds. */
  readonly seconds: number;
  /** Simulated seconds per real second. */
  readonly timeScale: number;
  /** Proposals in one flood, at least and at most. */
  readonly flood: readonly [number, number];
  readonly out: (text: string) => void;
}

/** The HTTP status a refused request got, or undefined for another failure. */
function refusedWith(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export class Soak {
  readonly #o: SoakOptions;
  readonly #random: () => number;
  readonly #r: SoakRoastery;
  #until = 0;

  // What it measured.
  readonly #stops = new Map<string, number>();
  readonly #late: number[] = [];
  readonly #memory: MemorySample[] = [];
  readonly #refused: Record<string, number> = {};
  readonly #accepted: Record<string, number> = {};
  readonly #roastFailures: string[] = [];
  #roasts = 0;
  #floodProposals = 0;

  constructor(options: SoakOptions) {
    this.#o = options;
    this.#random = seeded(options.seed);
    this.#r = new SoakRoastery(options.timeScale, options.seed);
  }

  async run(): Promise<Measured> {
    const dir = await this.#r.start();
    this.#o.out(`soak: control plane, operator and two simulated roasters up in ${dir}`);
    const started = Date.now();
    this.#until = started + this.#o.seconds * 1000;
    const sampling = this.#sampleMemory();
    await Promise.all([this.#roastUntilDone(), this.#attackUntilDone()]);
    const recovered = await this.#recover();
    this.#until = 0;
    await sampling;
    const { stopMs, unsent } = await this.#stopLatencies();
    return {
      seed: this.#o.seed,
      seconds: (Date.now() - started) / 1000,
      stopMs,
      stopsUnsent: unsent,
      deadlineLateMs: this.#late,
      memory: this.#memory,
      roasts: this.#roasts,
      floodProposals: this.#floodProposals,
      refused: this.#refused,
      accepted: this.#accepted,
      recovered,
      errors: this.#errorLines(),
      roastFailures: this.#roastFailures,
    };
  }

  async stop(): Promise<void> {
    this.#until = 0;
    await this.#r.stop();
  }

  // --- Setting up ------------------------------------------------------------------------------------------

  // --- Ordinary roasting ---------------------------------------------------------------------------------

  async #roastUntilDone(): Promise<void> {
    // A roast starts only if one as long as the last ends in time: roasting never outlasts the attacks.
    let lastMs = 0;
    for (let i = 1; Date.now() + lastMs < this.#until; i++) {
      const began = Date.now();
      try {
        await this.#roast(`roast-${i}`);
        lastMs = Date.now() - began;
        this.#roasts++;
        this.#o.out(`soak: roast-${i} Completed`);
      } catch (err) {
        this.#roastFailures.push(`roast-${i}: ${(err as Error).message}`);
        this.#o.out(`soak: roast-${i} failed: ${(err as Error).message}`);
        // Let the roaster settle before the next batch.
        await this.#r
          .wait(`${roastRoaster} to be off`, this.#roastMs(1800), async () =>
            ['Off', 'Shutdown'].includes((await this.#r.roaster(roastRoaster)).status?.phase ?? ''),
          )
          .catch(() => undefined);
      }
    }
  }

  /** Wall milliseconds for `seconds` of roast. */
  #roastMs(seconds: number): number {
    return (seconds * 1000) / this.#o.timeScale + 30_000;
  }

  async #roast(session: string): Promise<void> {
    await this.#r.wait(`${roastRoaster} to be off`, this.#roastMs(1800), async () =>
      ['Off'].includes((await this.#r.roaster(roastRoaster)).status?.phase ?? ''),
    );
    // alice plans the batch at the roaster and claims it.
    await this.#r.api('session', 'alice').create({
      apiVersion,
      kind: roastSessionNames.kind,
      metadata: { name: session, namespace },
      spec: {
        roasterRef: { name: roastRoaster },
        profile: { batchGrams: 400, coffee: 'soak' },
        marks: [{ type: 'present', by: 'alice' }],
      },
    } as KubeObject);
    await this.#spamNotes(session);
    await this.#r.command('alice', roastRoaster, { type: 'Preheat', fromState: 'Off' }, session);
    await this.#r.wait('ready to charge', this.#roastMs(1800), async () =>
      ['ReadyToCharge'].includes((await this.#r.roaster(roastRoaster)).status?.phase ?? ''),
    );
    // The last roast ended with the fan at full for cooling: this one starts with the fan low again.
    await this.#r.command('alice', roastRoaster, { type: 'SetFan', target: 1 }, session);
    await this.#r.command('alice', roastRoaster, { type: 'SetHeater', target: 7 }, session);
    await this.#r.command('alice', roastRoaster, { type: 'Charge', fromState: 'ReadyToCharge' }, session);
    // The demo's schedule, simplified: ease the heat at the end of drying, drop soon after first crack.
    await this.#r.wait('the end of drying', this.#roastMs(900), async () => (await this.#beanC()) >= 150);
    await this.#r.command('alice', roastRoaster, { type: 'SetHeater', target: 5 }, session);
    await this.#r.wait('first crack', this.#roastMs(1200), async () => (await this.#beanC()) >= 186);
    const marks = RoastSession.parse(await this.#r.api('session', 'alice').get(namespace, session)).spec
      .marks;
    await this.#r
      .api('session', 'alice')
      .patch(
        namespace,
        session,
        markPatch('alice', 'firstCrack', marks?.length ?? 0, 'rolling first crack'),
        { type: 'json' },
      );
    const crackedAt = Date.now();
    await this.#r.wait('the drop', this.#roastMs(300), async () => {
      const developed = ((Date.now() - crackedAt) / 1000) * this.#o.timeScale >= 60;
      return developed || (await this.#beanC()) >= 205;
    });
    await this.#r.command('alice', roastRoaster, { type: 'Drop', fromState: 'Roasting' }, session);
    await this.#r.wait(
      'cooling',
      60_000,
      async () => (await this.#r.roaster(roastRoaster)).status?.phase === 'Cooling',
    );
    await sleep((180 * 1000) / this.#o.timeScale);
    await this.#r.command('alice', roastRoaster, { type: 'Cool', fromState: 'Cooling' }, session);
    const ended = await this.#r.wait('the session to end', this.#roastMs(600), async () => {
      const s = RoastSession.parse(await this.#r.api('session').get(namespace, session));
      return ['Completed', 'Aborted', 'Failed'].includes(s.status?.phase ?? '') ? s : undefined;
    });
    if (ended.status?.phase !== 'Completed') throw new Error(`${session} ended ${ended.status?.phase}`);
    if (ended.status?.events?.firstCrack?.source !== 'Mark')
      throw new Error(`${session}: alice's first crack mark was not recorded`);
  }

  /** The advisor fills the session's notes as fast as it can: past its share, every note is refused. */
  async #spamNotes(session: string): Promise<void> {
    const notes = between(this.#random, 10, 20);
    for (let i = 0; i < notes; i++) {
      const s = RoastSession.parse(await this.#r.api('session', 'advisor').get(namespace, session));
      const patch = markPatch('advisor', 'note', s.spec.marks?.length ?? 0, `note ${i}`);
      await this.#attempt('marksSpam', () =>
        this.#r.api('session', 'advisor').patch(namespace, session, patch, { type: 'json' }),
      ).catch(() => undefined);
    }
  }

  async #beanC(): Promise<number> {
    const t = (await this.#r.roaster(roastRoaster)).status?.lastTelemetry;
    return t?.ibtsTemperatureCelsius ?? t?.beanTemperatureCelsius ?? 0;
  }

  // --- Attacks -------------------------------------------------------------------------------------------

  async #attackUntilDone(): Promise<void> {
    const episodes = [
      () => this.#stopFlood(),
      () => this.#proposalFlood(),
      () => this.#labelStorm(),
      () => this.#forgedResults(),
      () => this.#randomTokens(),
    ];
    // Each kind once early on, then a seeded mix.
    for (let i = 0; Date.now() < this.#until; i++) {
      const episode =
        i < episodes.length ? episodes[i]! : episodes[between(this.#random, 0, episodes.length - 1)]!;
      await episode();
      await sleep(between(this.#random, 500, 3000));
    }
  }

  /** An EmergencyStop; when it went is read from its status at the end. */
  async #stop(by: Actor): Promise<void> {
    const name = this.#r.name(`stop-${by}`);
    const body = proposalObject(by, name, target, { type: 'EmergencyStop' }, { rationale: 'soak' });
    // The clock starts just before the request is sent.
    const t0 = Date.now();
    await this.#r.api('proposal', by).create(body);
    this.#stops.set(name, t0);
  }

  async #stopFlood(): Promise<void> {
    const n = between(this.#random, 10, 30);
    for (let i = 0; i < n; i++) await this.#stop('advisor');
    this.#o.out(`soak: the advisor sent ${n} EmergencyStops`);
  }

  /** A person's reset of the target's latch, if it holds one; true once it is clear. */
  async #reset(): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latch = (await this.#r.roaster(target)).status?.latch;
      if (latch === undefined) return true;
      const ended = await this.#r
        .propose('alice', target, { type: 'ResetLatch', latchId: latch.id })
        .catch(() => undefined);
      if (ended?.status?.phase !== 'Succeeded') {
        const why = ended?.status?.conditions?.find((c) => c.type === 'Ready')?.message;
        this.#o.out(`soak: alice's reset of latch ${latch.id} ended ${ended?.status?.phase}: ${why}`);
      } else {
        const cleared = await this.#r
          .wait('the latch to clear', 15_000, async () =>
            (await this.#r.roaster(target)).status?.latch === undefined ? true : undefined,
          )
          .catch(() => false);
        if (cleared) return true;
        this.#o.out(
          `soak: alice's reset of ${latch.id} Succeeded, the latch is now ${JSON.stringify((await this.#r.roaster(target)).status?.latch)}`,
        );
      }
      await sleep(1000);
    }
    return false;
  }

  async #proposalFlood(): Promise<void> {
    await this.#reset();
    const n = between(this.#random, this.#o.flood[0], this.#o.flood[1]);
    const ttlSeconds = 15;
    const stopWhileCreating = this.#random() < 0.5;
    const first = Date.now();
    let created = 0;
    const create = async () => {
      while (created < n) {
        const i = created++;
        if (stopWhileCreating && i === Math.floor(n / 2)) await this.#stop('alice');
        const p = proposalObject(
          'advisor',
          this.#r.name('flood'),
          target,
          { type: 'SetFan', target: 4 },
          {
            rationale: 'soak flood',
            ttlSeconds,
          },
        );
        await this.#r.api('proposal', 'advisor').create(p);
        this.#floodProposals++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, create));
    if (!stopWhileCreating) {
      // Into the flood's expiry: the first proposals reach their deadline now.
      await sleep(Math.max(0, first + ttlSeconds * 1000 - Date.now()));
      await this.#stop('alice');
    }
    this.#o.out(
      `soak: the advisor flooded ${n} proposals; alice's stop went in while they were ${stopWhileCreating ? 'created' : 'expiring'}`,
    );
    await sleep(Math.max(0, first + (ttlSeconds + 2) * 1000 - Date.now()));
  }

  /** bob relabels a waiting proposal as fast as he can; its deadline must still hold. */
  async #labelStorm(): Promise<void> {
    if (!(await this.#reset())) return;
    const name = this.#r.name('stormed');
    await this.#r
      .api('proposal', 'advisor')
      .create(
        proposalObject(
          'advisor',
          name,
          target,
          { type: 'SetFan', target: 5 },
          { rationale: 'soak', ttlSeconds: 4 },
        ),
      );
    const waiting = await this.#r.wait(`${name} to wait for approval`, 30_000, async () => {
      const p = await this.#r.proposal(name);
      return p.status?.expiresAt !== undefined || terminal.includes(p.status?.phase ?? '') ? p : undefined;
    });
    if (waiting.status?.phase !== 'AwaitingApproval') return;
    const expiresAt = Date.parse(waiting.status.expiresAt ?? '');
    let storming = true;
    let patches = 0;
    const storm = (async () => {
      while (storming) {
        await this.#r
          .api('proposal', 'bob')
          .patch(namespace, name, { metadata: { labels: { storm: String(patches++) } } }, { type: 'merge' })
          .catch(() => undefined);
      }
    })();
    try {
      const ended = await this.#r.wait(
        `${name} to end`,
        30_000,
        async () => {
          const p = await this.#r.proposal(name);
          return terminal.includes(p.status?.phase ?? '') ? { p, at: Date.now() } : undefined;
        },
        100,
      );
      if (ended.p.status?.phase === 'Expired') this.#late.push(Math.max(0, ended.at - expiresAt));
    } finally {
      storming = false;
      await storm;
    }
    this.#o.out(`soak: bob relabelled ${name} ${patches} times while it waited`);
  }

  /** Results only the link may write: people and the advisor try, with their own credentials. */
  async #forgedResults(): Promise<void> {
    const name = this.#r.name('forge-me');
    await this.#r
      .api('proposal', 'advisor')
      .create(
        proposalObject(
          'advisor',
          name,
          target,
          { type: 'SetFan', target: 6 },
          { rationale: 'soak', ttlSeconds: 30 },
        ),
      );
    for (const by of ['alice', 'bob', 'advisor'] as const) {
      const result = {
        outcome: 'Succeeded',
        message: 'forged',
        latencyMs: 1,
        time: new Date().toISOString(),
      };
      await this.#attempt('forgedResult', () =>
        this.#r.api('proposal', by).patch(
          namespace,
          name,
          { status: { result } },
          {
            type: 'merge',
            subresource: 'status',
          },
        ),
      ).catch(() => undefined);
    }
  }

  /** Read API requests with random bearer tokens: every one refused, none served. */
  async #randomTokens(): Promise<void> {
    const n = between(this.#random, 100, 300);
    const url = `http://127.0.0.1:${this.#r.apiPort}/apis/telemetry.roasting.simcorp.io/v1alpha1/namespaces/${namespace}/roastsessions/roast-1`;
    let sent = 0;
    const send = async () => {
      while (sent < n) {
        sent++;
        const token = Array.from({ length: 32 }, () => between(this.#random, 0, 35).toString(36)).join('');
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        const kind = 'randomToken';
        if (response.status === 401 || response.status === 429) this.#count(this.#refused, kind);
        else this.#count(this.#accepted, kind);
      }
    };
    await Promise.all(Array.from({ length: 8 }, send));
  }

  /** A request an attacker makes: refused (counted), or let through (counted as accepted). */
  async #attempt(kind: string, request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
      // Notes within the advisor's share are allowed; only a refusal shows the budget held.
      if (kind !== 'marksSpam') this.#count(this.#accepted, kind);
    } catch (err) {
      const code = refusedWith(err);
      if (code === undefined || code >= 500) throw err;
      this.#count(this.#refused, kind);
    }
  }

  #count(counts: Record<string, number>, kind: string): void {
    counts[kind] = (counts[kind] ?? 0) + 1;
  }

  // --- The end -------------------------------------------------------------------------------------------

  /** Once the attacks stop, alice resets the target and her preheat (bob approves it) goes through. */
  async #recover(): Promise<boolean> {
    // Every stop sent must have latched before the reset that clears them.
    await sleep(2000);
    if (!(await this.#reset())) {
      this.#o.out(
        `soak: ${target} still latched after alice's resets: ${JSON.stringify((await this.#r.roaster(target)).status?.latch)}`,
      );
      return false;
    }
    // The roaster is off after the stops: a preheat is what a person starts the day with.
    const preheat = await this.#r
      .propose('alice', target, { type: 'Preheat', fromState: 'Off' })
      .catch((err: Error) => {
        this.#o.out(`soak: alice's Preheat after the reset: ${err.message}`);
        return undefined;
      });
    if (preheat?.status?.phase !== 'Succeeded') {
      const why = preheat?.status?.conditions?.find((c) => c.type === 'Ready')?.message;
      this.#o.out(`soak: alice's Preheat after the reset ended ${preheat?.status?.phase}: ${why}`);
    }
    return preheat?.status?.phase === 'Succeeded';
  }

  async #stopLatencies(): Promise<{ stopMs: number[]; unsent: number }> {
    const list = await this.#r.api('proposal').list({
      namespace,
      fieldSelector: `spec.roasterRef.name=${target}`,
    });
    const sentAt = new Map(
      list.items.map((o) => {
        const p = CommandProposal.parse(o);
        return [p.metadata.name, p.status?.dispatch?.time] as const;
      }),
    );
    const stopMs: number[] = [];
    let unsent = 0;
    for (const [name, t0] of this.#stops) {
      const at = sentAt.get(name);
      if (at === undefined) unsent++;
      else stopMs.push(Date.parse(at) - t0);
    }
    return { stopMs, unsent };
  }

  /** Error lines of the operator (an attack refused is logged below error). */
  #errorLines(): string[] {
    return (this.#r.operator?.logs ?? [])
      .filter((l) => l.level === 'error')
      .map((l) => `${l.msg}${l.err ? `: ${JSON.stringify(l.err)}` : ''}`);
  }

  /** The operator's anonymous memory (what its container's limit bounds) and resident set, every 5 s. */
  async #sampleMemory(): Promise<void> {
    const status = `/proc/${this.#r.operator.pid}/status`;
    while (this.#until !== 0) {
      const sample = memorySample(await readFile(status, 'utf8'));
      if (sample === undefined) throw new Error(`${status} shows no RssAnon and VmRSS`);
      this.#memory.push(sample);
      await sleep(5000);
    }
  }
}
