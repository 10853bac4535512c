// Every relative link, anchor and section reference in the README, docs/ and the chart leads somewhere.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLinks, relativeLinks, sectionReferences, slug } from './links.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const inDir = (dir: string, ext: RegExp) =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => ext.test(name))
    .map((name) => join(dir, name));
const files = ['README.md', ...inDir('docs', /\.md$/), ...inDir('charts', /\.(ya?ml|tpl|txt)$/)];

describe('the documentation', () => {
  it.each(files)('%s links only to files and sections that exist', (file) => {
    expect(brokenLinks(join(root, file), root)).toEqual([]);
  });
});

describe('the link checker', () => {
  it.each([
    ['Link gateway', 'link-gateway'],
    ['The `roast-session` policy', 'the-roast-session-policy'],
    ['Filling in names: MutatingAdmissionPolicy', 'filling-in-names-mutatingadmissionpolicy'],
    ["The operator's rights", 'the-operators-rights'],
    ['Telemetry read API', 'telemetry-read-api'],
  ])('makes the anchor of %j as GitHub does', (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });

  it('numbers repeated headings and skips code', () => {
    const text = '# A\n## Tests\n```\n## Not a heading\n[x](nowhere.md)\n```\n## Tests\n';
    expect([...anchors(text)]).toEqual(['a', 'tests', 'tests-1']);
    expect(relativeLinks(text)).toEqual([]);
  });

  it('reads links but not URLs or inline code, and section references in prose', () => {
    const text =
      'See [api](api.md#roaster), [k8s](https://kubernetes.io) and `[a](b.md)`; (docs/edge.md, "Replay").';
    expect(relativeLinks(text)).toEqual(['api.md#roaster']);
    expect(sectionReferences(text)).toEqual([{ path: 'docs/edge.md', heading: 'Replay' }]);
  });

  it('reports a missing file, a missing anchor and a missing section', () => {
    expect(brokenLinks(join(root, 'test/docs/testing/broken.md'), root)).toEqual([
      'test/docs/testing/broken.md: ../../../docs/api.md#no-such-section names a section #no-such-section that docs/api.md does not have',
      'test/docs/testing/broken.md: nowhere.md names test/docs/testing/nowhere.md, which does not exist',
      'test/docs/testing/broken.md: docs/operator.md has no section "Telemetry read API"',
    ]);
  });
});
