// The operator as a separate Node process, the way it runs in its pod: its own kubeconfig (a service-account
// token), flags and environment, JSON logs, probes over HTTP, SIGTERM to stop.
import { eventually } from '@roast-operator/control-plane';
import { type LogLine, NodeProcess, type NodeProcessOptions } from './node-process.ts';

export type { LogLine };

export interface OperatorProcessOptions extends NodeProcessOptions {
  /** The script to run: the operator's main.ts, or a test fixture built on the same package. */
  readonly script: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export class OperatorProcess extends NodeProcess {
  #port: number | undefined;

  constructor(opts: OperatorProcessOptions) {
    super(opts.script, opts.args, opts.env, opts);
  }

  protected override onLog(line: LogLine): void {
    if (line.msg === 'serving probes and metrics') this.#port = line.port as number;
  }

  /** GET one of the probe endpoints. */
  async probe(path: '/healthz' | '/readyz' | '/metrics'): Promise<{ status: number; body: string }> {
    if (this.#port === undefined) await this.logged((l) => l.msg === 'serving probes and metrics');
    const response = await fetch(`http://127.0.0.1:${this.#port}${path}`, {
      signal: AbortSignal.timeout(5000),
    });
    return { status: response.status, body: await response.text() };
  }

  async waitUntilReady(timeoutMs = 90_000): Promise<void> {
    await eventually(async () => {
      const { status, body } = await this.probe('/readyz');
      if (status !== 200) throw new Error(`not ready: ${body}`);
    }, timeoutMs);
  }
}
