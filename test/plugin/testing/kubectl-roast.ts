// Runs the plugin as a person does: `kubectl roast …` with the real kubectl, which finds kubectl-roast on
// PATH and hands it the user's environment (KUBECONFIG) and terminal (stdin).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ClusterClient } from '@roast-operator/control-plane';

const plugin = join(import.meta.dirname, '../../../plugin/src');

export interface RoastResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class KubectlRoast implements AsyncDisposable {
  readonly #cluster: ClusterClient;
  readonly #bin: string;

  private constructor(cluster: ClusterClient, bin: string) {
    this.#cluster = cluster;
    this.#bin = bin;
  }

  /** Puts kubectl-roast and its completion on a PATH of their own, beside the Node that runs them. */
  static async install(cluster: ClusterClient): Promise<KubectlRoast> {
    const bin = await mkdtemp(join(tmpdir(), 'kubectl-roast-'));
    await symlink(join(plugin, 'main.ts'), join(bin, 'kubectl-roast'));
    await symlink(join(plugin, 'complete-main.ts'), join(bin, 'kubectl_complete-roast'));
    return new KubectlRoast(cluster, bin);
  }

  /** `kubectl roast ARGS` as `user`, with `input` on stdin (closed after it). */
  run(user: 'alice' | 'bob', args: readonly string[], input = ''): Promise<RoastResult> {
    return this.runWith(this.#cluster.kubeconfigPath(user), args, input);
  }

  /** What the shell gets when `user` presses Tab after `kubectl roast WORDS` (kubectl's __complete). */
  complete(user: 'alice' | 'bob', words: readonly string[]): Promise<RoastResult> {
    return this.#kubectl(this.#cluster.kubeconfigPath(user), ['__complete', 'roast', ...words], '');
  }

  /** `kubectl roast ARGS` with the kubeconfig file `kubeconfig`. */
  runWith(kubeconfig: string, args: readonly string[], input = ''): Promise<RoastResult> {
    return this.#kubectl(kubeconfig, ['roast', ...args], input);
  }

  /** The kubectl that finds the plugin. */
  get kubectl(): string {
    return this.#cluster.info.binaries.kubectl;
  }

  /** `kubectl roast ARGS` left running: its output so far, and its exit. */
  start(kubeconfig: string, args: readonly string[]): Running {
    const child = spawn(this.#cluster.info.binaries.kubectl, ['roast', ...args], {
      env: this.environment(kubeconfig),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Running(child);
  }

  /** The environment `kubectl roast` runs in: the user's kubeconfig, the plugin and Node on PATH. */
  environment(kubeconfig: string): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KUBECONFIG: kubeconfig,
      PATH: `${this.#bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    };
  }

  #kubectl(kubeconfig: string, args: readonly string[], input: string): Promise<RoastResult> {
    const env = this.environment(kubeconfig);
    return new Promise((resolve) => {
      const child = execFile(
        this.#cluster.info.binaries.kubectl,
        [...args],
        { env, timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(input);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await rm(this.#bin, { recursive: true, force: true });
  }
}

export class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  readonly #child: ChildProcess;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  }

  /** Stops it if it still runs. */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
  }
}
