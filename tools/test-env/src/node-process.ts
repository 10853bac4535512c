// A Node process of the product (the operator, the edge agent, or a test fixture built on them), run the way
// it runs in its pod: its own flags and environment, JSON logs on stdout and stderr kept for assertions and
// copied to a log file if asked, SIGTERM to stop, SIGKILL to crash it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from '@roast-operator/control-plane';

/** One JSON log line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface NodeProcessOptions {
  /**
   * Appends every line, named by the package that wrote it, to this file. Default `ROAST_TEST_LOGS`, so a
   * test run can keep them for reading afterwards.
   */
  readonly logFile?: string;
}

export class NodeProcess {
  readonly logs: LogLine[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  constructor(
    script: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
    options: NodeProcessOptions = {},
  ) {
    // setpriv: the kernel kills the child if the process that started it dies, however it dies.
    this.#child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', process.execPath, script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#exited = once(this.#child, 'exit').then(([code]) => code as number | null);
    const copy = options.logFile ?? process.env.ROAST_TEST_LOGS;
    const name = basename(dirname(dirname(script)));
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        const parsed = parse(line);
        this.logs.push(parsed);
        this.onLog(parsed);
        if (copy) appendFileSync(copy, `${name} ${line}\n`);
      });
    }
  }

  /** Called for every line as it arrives; subclasses pick out what they track. */
  protected onLog(_line: LogLine): void {}

  /** The process id (setpriv execs node, so it is node's). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Log lines that match. */
  matching(match: (line: LogLine) => boolean): LogLine[] {
    return this.logs.filter(match);
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

  /** SIGKILL: no shutdown hooks, no goodbyes — as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM, and the exit code once it has shut down (SIGKILL if it hangs). */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    return this.#exited;
  }
}

function parse(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    // The product logs only JSON: anything else is kept, so an assertion can find it as a finding.
    return { level: 'unstructured', msg: line };
  }
}
