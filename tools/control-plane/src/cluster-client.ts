import { execFile } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  ControlPlane,
  type ControlPlaneInfo,
  type ControlPlaneOptions,
  loadKubeConfig,
  type TestUser,
} from './control-plane.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  user?: TestUser;
  namespace?: string;
  /** Written to the command's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Throw when the command exits non-zero (default true); false returns the result to assert on. */
  check?: boolean;
}

/** Client access to a control plane: kubeconfigs, client-node configs, and the real kubectl and helm. */
export class ClusterClient {
  readonly info: ControlPlaneInfo;

  constructor(info: ControlPlaneInfo) {
    this.info = info;
  }

  get server(): string {
    return this.info.server;
  }

  get version(): string {
    return this.info.version;
  }

  kubeconfigPath(user: TestUser = 'admin'): string {
    return this.info.kubeconfigs[user];
  }

  kubeConfig(user: TestUser = 'admin'): KubeConfig {
    return loadKubeConfig(this.kubeconfigPath(user));
  }

  kubectl(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    const ns = options.namespace ? ['--namespace', options.namespace] : [];
    return this.#run(this.info.binaries.kubectl, [...ns, ...args], options);
  }

  helm(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    const ns = options.namespace ? ['--namespace', options.namespace] : [];
    return this.#run(this.info.binaries.helm, [...ns, ...args], options);
  }

  #run(binary: string, args: string[], options: CommandOptions): Promise<CommandResult> {
    const env = { ...process.env, KUBECONFIG: this.kubeconfigPath(options.user) };
    return new Promise((resolve, reject) => {
      const child = execFile(binary, args, { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { code, stdout, stderr };
        if (code !== 0 && options.check !== false) {
          reject(new Error(`${binary} ${args.join(' ')} exited ${code}:\n${stderr}${stdout}`));
        } else resolve(result);
      });
      child.stdin?.end(options.input ?? '');
    });
  }
}

/** A private control plane, for tests that restart or disrupt it and for benchmarks. */
export async function startControlPlane(options?: ControlPlaneOptions): Promise<PrivateControlPlane> {
  return new PrivateControlPlane(await ControlPlane.start(options));
}

export class PrivateControlPlane extends ClusterClient implements AsyncDisposable {
  readonly plane: ControlPlane;

  constructor(plane: ControlPlane) {
    super(plane.info);
    this.plane = plane;
  }

  restartApiServer(): Promise<void> {
    return this.plane.restartApiServer();
  }

  compactEtcd(): Promise<number> {
    return this.plane.compactEtcd();
  }

  stop(): Promise<void> {
    return this.plane.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.plane.stop();
  }
}
