import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@roast-operator/clock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pythonLiteral } from '../alog.ts';
import { run } from '../cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roast-profile-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function roast(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    args,
    {
      out: (t) => out.push(`${t}\n`),
      write: (t) => out.push(t),
      redraw: (t) => out.push(t),
      err: (t) => err.push(t),
      ask: async () => undefined,
    },
    systemClock,
  );
  return { code, stdout: out.join(''), stderr: err.join('\n') };
}

describe('kubectl roast profile import', () => {
  it('prints the RoastProfile in YAML, named after the file', async () => {
    const file = join(dir, 'guji.alog');
    await writeFile(
      file,
      pythonLiteral({
        mode: 'C',
        beans: 'Guji',
        weight: [400, 340, 'g'],
        timex: [0, 30, 400, 520],
        temp2: [200, 90, 190, 209.5],
        timeindex: [1, 0, 2, 0, 0, 0, 3, 0],
      }),
    );
    const r = await roast(['profile', 'import', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^# A RoastProfile from the Artisan recording .*guji\.alog\n/);
    expect(parse(r.stdout)).toEqual({
      apiVersion: 'roasting.simcorp.io/v1alpha1',
      kind: 'RoastProfile',
      metadata: { name: 'guji' },
      spec: {
        coffee: 'Guji',
        batchGrams: 400,
        curve: { seconds: [0, 370, 490], beanCelsius: [90, 190, 209.5] },
        targets: {
          firstCrack: { seconds: 370, toleranceSeconds: 30, beanCelsius: 190, toleranceCelsius: 3 },
          drop: { seconds: 490, toleranceSeconds: 15, beanCelsius: 209.5, toleranceCelsius: 2 },
        },
        derivedFrom: { recording: 'guji.alog' },
      },
    });
    const named = await roast(['profile', 'import', file, '--name', 'guji-light']);
    expect(parse(named.stdout).metadata).toEqual({ name: 'guji-light' });
  });

  it('refuses a file that is not a Python literal, or not there, in a sentence', async () => {
    const file = join(dir, 'broken.alog');
    await writeFile(file, '{"timex": [0, 1], oops}');
    const broken = await roast(['profile', 'import', file]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^.*broken\.alog was not imported: not a literal at character \d+ .*; export it from Artisan as an \.alog\.$/,
    );
    const missing = await roast(['profile', 'import', join(dir, 'none.alog')]);
    expect(missing.stderr).toMatch(/none\.alog could not be read \(ENOENT/);
    expect((await roast(['profile', 'export'])).code).toBe(2);
  });
});
