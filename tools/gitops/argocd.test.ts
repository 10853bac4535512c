import { readFileSync } from 'node:fs';
import { group } from '@roast-operator/api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  argocdKinds,
  configMapFile,
  configMapYaml,
  gitopsDoc,
  healthScript,
  withConfigMap,
} from './argocd.ts';

describe('deploy/argocd/argocd-cm.yaml and docs/gitops.md', () => {
  it('are generated from deploy/argocd/health/*.lua: run `npm run gitops:argocd` after changing them', () => {
    expect(readFileSync(configMapFile, 'utf8')).toBe(configMapYaml());
    const doc = readFileSync(gitopsDoc, 'utf8');
    expect(doc).toBe(withConfigMap(doc));
  });

  it('carry each kind’s health script under the key Argo CD reads, as a YAML block Argo CD gets verbatim', () => {
    const { data } = parse(configMapYaml()) as { data: Record<string, string> };
    for (const kind of argocdKinds) {
      expect(data[`resource.customizations.health.${group}_${kind}`]).toBe(healthScript(kind));
    }
  });
});
