// npm's engine warnings are off (.npmrc): npm compares packages with the Node that runs npm, the machine's.
// What counts is the Node that runs the code, the one the `node` dev dependency pins: it must be the one
// npm scripts run, and every locked package must admit it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = join(import.meta.dirname, '../..');
const Manifest = z.object({ devDependencies: z.object({ node: z.string() }) });
const Lock = z.object({
  packages: z.record(z.string(), z.object({ engines: z.object({ node: z.string().optional() }).optional() })),
});

const json = async (file: string): Promise<unknown> => JSON.parse(await readFile(join(root, file), 'utf8'));
const pinned = Manifest.parse(await json('package.json')).devDependencies.node;

describe('the pinned Node', () => {
  it('is an exact version, and the one npm scripts run', () => {
    expect(semver.valid(pinned), pinned).not.toBeNull();
    expect(process.version).toBe(`v${pinned}`);
  });

  it("meets every locked package's engines", async () => {
    const { packages } = Lock.parse(await json('package-lock.json'));
    const unmet = Object.entries(packages).flatMap(([path, { engines }]) =>
      engines?.node && !semver.satisfies(pinned, engines.node)
        ? [`${path || 'root'}: node ${engines.node}`]
        : [],
    );
    expect(unmet).toEqual([]);
  });
});
