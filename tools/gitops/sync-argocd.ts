// Regenerates deploy/argocd/argocd-cm.yaml and its copy in docs/gitops.md from deploy/argocd/health/*.lua:
// `npm run gitops:argocd`.
import { readFileSync, writeFileSync } from 'node:fs';
import { configMapFile, configMapYaml, gitopsDoc, withConfigMap } from './argocd.ts';

writeFileSync(configMapFile, configMapYaml());
writeFileSync(gitopsDoc, withConfigMap(readFileSync(gitopsDoc, 'utf8')));
process.stdout.write('deploy/argocd/argocd-cm.yaml\ndocs/gitops.md\n');
