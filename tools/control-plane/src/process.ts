import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * A control-plane server process. It is started through `setpriv --pdeathsig SIGKILL` so the kernel kills
 * it when the Node process that started it dies for any reason (SIGKILL included): no server outlives
 * its test run or demo. Output goes to a log file, read when a start fails.
 */
export class ServerProcess {
  readonly name: string;
  readonly logFile: string;
  #child: ChildProcess;
  #exited: Promise<number | null>;

  constructor(name: string, binary: string, args: string[], logFile: string) {
    this.name = name;
    this.logFile = logFile;
    const log = createWriteStream(logFile, { flags: 'a' });
    this.#child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', binary, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout?.pipe(log);
    this.#child.stderr?.pipe(log);
    this.#exited = once(this.#child, 'exit').then(([code]) => code as number | null);
    live.add(this);
    void this.#exited.then(() => live.delete(this));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    if (this.running) this.#child.kill('SIGKILL');
  }
}

const live = new Set<ServerProcess>();

// Normal exit and Ctrl-C: kill what is still running. (An abrupt death is covered by pdeathsig.)
process.once('exit', () => {
  for (const server of live) server.killNow();
});
