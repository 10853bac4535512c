// promtool and the Prometheus server for the rules', dashboards' and end-to-end tests: built once from the
// pinned Prometheus module by build.sh (cached outside the repository; its progress or cache hit goes to
// stderr). A missing Go toolchain or a failed build is an error naming what to do, never a skip.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const buildScript = fileURLToPath(new URL('../build.sh', import.meta.url));

let building: Promise<string> | undefined;

/** The directory holding the built `promtool` and `prometheus`; one build (or cache lookup) per process. */
export function resolvePrometheusBuild(): Promise<string> {
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<string> {
  const child = spawn(buildScript, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0)
    throw new Error(
      `building promtool and prometheus failed (${buildScript} exited ${code}; its output is above). It needs Go ≥ 1.26.7 ` +
        'and the Go module proxy (or a filled module cache); run tools/prometheus/build.sh to see the failure alone.',
    );
  return stdout.trim().split('\n').at(-1) ?? '';
}

export type PromtoolRun = { code: number | null; output: string };

/** Runs promtool with `args`; its stdout and stderr together, for a failing test to show. */
export async function promtool(args: readonly string[]): Promise<PromtoolRun> {
  const child = spawn(`${await resolvePrometheusBuild()}/promtool`, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}
