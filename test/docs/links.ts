// Relative links and anchors, checked the way GitHub renders them: a Markdown link names a file that
// exists, and its #anchor a heading of that file; a reference in prose — (docs/operator.md, "Link gateway")
// — names a heading of that file too.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The anchors of a Markdown file's headings; a repeated heading gets -1, -2, … as on GitHub. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The link targets of a Markdown file that are neither absolute URLs nor inside code. */
export function relativeLinks(text: string): string[] {
  return prose(text)
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!))
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** References in prose to a section of a Markdown file: `docs/operator.md, "Link gateway"`. */
export function sectionReferences(text: string): { path: string; heading: string }[] {
  return [...text.matchAll(/([\w./-]+\.md), "([^"]+)"/g)].map((m) => ({ path: m[1]!, heading: m[2]! }));
}

/** Why the links and section references of `file` do not hold: a missing file or section, one sentence each. */
export function brokenLinks(file: string, root: string): string[] {
  const text = readFileSync(file, 'utf8');
  const from = relative(root, file);
  const references = sectionReferences(text).flatMap(({ path, heading }) => {
    const resolved = join(path.startsWith('docs/') ? root : dirname(file), path);
    if (!existsSync(resolved))
      return [`${from}: "${heading}" is looked for in ${path}, which does not exist`];
    return anchors(readFileSync(resolved, 'utf8')).has(slug(heading))
      ? []
      : [`${from}: ${path} has no section "${heading}"`];
  });
  const links = !file.endsWith('.md')
    ? []
    : relativeLinks(text).flatMap((target) => {
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
        if (!existsSync(resolved))
          return [`${from}: ${target} names ${relative(root, resolved)}, which does not exist`];
        if (anchor === undefined || !resolved.endsWith('.md')) return [];
        return anchors(readFileSync(resolved, 'utf8')).has(anchor)
          ? []
          : [`${from}: ${target} names a section #${anchor} that ${relative(root, resolved)} does not have`];
      });
  return [...links, ...references];
}
