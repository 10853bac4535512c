// The operator as a separate Node process, the way it runs in its pod: its own kubeconfig (a service-account
// token), flags and environment, JSON logs on stdout and stderr, probes over HTTP, SIGTERM to stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { eventually } from '@roast-operator/control-plane';

/** One JSON log line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface OperatorProcessOptions {
  /** The script to run: the operator's main.ts, or a test fixture built on the same package. */
  readonly script: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export class OperatorProcess {
  readonly logs: LogLine[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #port: number | undefined;
  // ROAST_TEST_OPERATOR_LOGS=<file> keeps every line the operator wrote, for reading after a run.
  readonly #copy = process.env.ROAST_TEST_OPERATOR_LOGS
    ? createWriteStream(process.env.ROAST_TEST_OPERATOR_LOGS, { flags: 'a' })
    : undefined;

  constructor(opts: OperatorProcessOptions) {
    // setpriv: the kernel kills the operator if the test process dies, however it dies.
    this.#child = spawn(
      'setpriv',
      ['--pdeathsig', 'SIGKILL', '--', process.execPath, opts.script, ...opts.args],
      {
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#exited = once(this.#child, 'exit').then(([code]) => code as number | null);
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => this.#record(line));
    }
  }

  #record(line: string): void {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      // Anything that is not a JSON log line is a finding: the operator logs only JSON.
      parsed = { level: 'unstructured', msg: line };
    }
    this.logs.push(parsed);
    if (parsed.msg === 'serving probes and metrics') this.#port = parsed.port as number;
    this.#copy?.write(`${line}\n`);
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The first log line that matches, waiting for it. */
  async logged(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    let found: LogLine | undefined;
    await eventually(() => {
      found = this.logs.find(match);
      if (!found)
        throw new Error(
          `no matching log line among ${this.logs.length}; last: ${JSON.stringify(this.logs.at(-1))}`,
        );
    }, timeoutMs);
    return found!;
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

  /** SIGTERM, and the exit code once it has shut down (SIGKILL if it hangs). */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#copy?.end();
    return this.#exited;
  }
}
