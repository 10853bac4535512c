// A real Prometheus server for the end-to-end test: the binary build.sh makes, on a free loopback port,
// scraping static targets every second and evaluating the given rules every second, with its TSDB in a
// directory the test owns. Queries and alerts go through its HTTP API, as Grafana and Alertmanager use it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, freePort } from '@roast-operator/control-plane';
import { stringify } from 'yaml';
import { resolvePrometheusBuild } from './promtool.ts';

export interface ScrapeTarget {
  readonly job: string;
  readonly port: number;
  /** Labels a PodMonitor would add: namespace, pod, node. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface Alert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

/** How often it scrapes and evaluates rules. */
export const intervalSeconds = 1;

export class PrometheusServer {
  readonly #child: ChildProcess;
  readonly #url: string;
  #output = '';

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.#url = url;
    for (const stream of [child.stdout!, child.stderr!])
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        this.#output = (this.#output + chunk).slice(-20_000);
      });
  }

  /** Starts it on `dir` (config, rules, TSDB) and waits until it is ready. */
  static async start(
    dir: string,
    rules: unknown,
    targets: readonly ScrapeTarget[],
  ): Promise<PrometheusServer> {
    const binary = join(await resolvePrometheusBuild(), 'prometheus');
    await writeFile(join(dir, 'rules.yaml'), stringify(rules));
    const config = {
      global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
      rule_files: [join(dir, 'rules.yaml')],
      scrape_configs: targets.map((t) => ({
        job_name: t.job,
        static_configs: [{ targets: [`127.0.0.1:${t.port}`], labels: t.labels }],
      })),
    };
    await writeFile(join(dir, 'prometheus.yaml'), stringify(config));
    const port = await freePort();
    const child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'SIGKILL',
        '--',
        binary,
        `--config.file=${join(dir, 'prometheus.yaml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`);
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${server.output}`);
      const ready = await fetch(`${server.#url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (!ready.ok) throw new Error(`prometheus not ready: ${ready.status}`);
    }, 30_000);
    return server;
  }

  /** Its recent output, for a failing test to show. */
  get output(): string {
    return this.#output;
  }

  async #api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.#url}/api/v1/${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }

  /** An instant query now; an expression Prometheus cannot parse or run is an error. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.#api<{ resultType: string; result: Sample[] | [number, string] }>('query', {
      query: expr,
    });
    // A scalar (e.g. vector(0) folded) is one value with no labels.
    return data.resultType === 'scalar'
      ? [{ metric: {}, value: data.result as [number, string] }]
      : (data.result as Sample[]);
  }

  async alerts(): Promise<Alert[]> {
    return (await this.#api<{ alerts: Alert[] }>('alerts')).alerts;
  }

  /** The scrape targets and their health. */
  async targets(): Promise<{ labels: Record<string, string>; health: string; lastError: string }[]> {
    return (
      await this.#api<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>('targets')
    ).activeTargets;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await once(this.#child, 'exit');
    clearTimeout(timer);
  }
}
