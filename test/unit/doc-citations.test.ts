/**
 * Every document a source file, script, test or README cites (`docs/ARCHITECTURE.md §3`,
 * `deploy/README.md`) must exist in the repository, so a clone carries what its comments
 * point to.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SCANNED = [
  'src',
  'test',
  'bench',
  'scripts',
  'assets',
  'sandbox-image',
  'deploy',
  'docs',
  '.ci',
];
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'test-results', '__pycache__', '.data']);
const TEXT = /\.(ts|js|py|sh|md|json|tf|txt)$|^[^.]+$/;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return TEXT.test(entry.name) ? [path] : [];
  });
}

/**
 * Documents named in a file's text: upper-case names like `README.md`, `DESIGN.md` or
 * `docs/ARCHITECTURE.md` (data files such as `001.md` are not documents).
 */
function citations(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.-])((?:\.{1,2}\/|[\w-]+\/)*[A-Z][A-Z0-9_-]*\.md)\b/g)].map(
    (match) => match[1]!,
  );
}

function resolves(citing: string, cited: string): boolean {
  const inside = (path: string) => path === ROOT || path.startsWith(ROOT + sep);
  const candidates = [resolve(dirname(citing), cited), resolve(ROOT, cited)];
  if (!cited.includes('/')) candidates.push(resolve(ROOT, 'docs', cited));
  return candidates.some((path) => inside(path) && existsSync(path));
}

function missingCitations(paths: readonly string[]) {
  return paths.flatMap((path) =>
    citations(readFileSync(path, 'utf8'))
      .filter((cited) => !resolves(path, cited))
      .map((cited) => `${relative(ROOT, path)} cites ${cited}`),
  );
}

describe('documents cited in the repository exist in it', () => {
  it('finds citations in the usual forms', () => {
    expect(
      citations('see docs/ARCHITECTURE.md §3 and `deploy/README.md`; ../shared/DESIGN.md'),
    ).toEqual(['docs/ARCHITECTURE.md', 'deploy/README.md', '../shared/DESIGN.md']);
  });

  it('reports a citation of a document outside the repository', () => {
    const readme = join(ROOT, 'README.md');
    expect(resolves(readme, '../shared/DESIGN.md')).toBe(false);
    expect(resolves(readme, 'DESIGN.md')).toBe(false);
    expect(resolves(readme, 'docs/ARCHITECTURE.md')).toBe(true);
    expect(resolves(join(ROOT, 'src', 'cli', 'main.ts'), 'ARCHITECTURE.md')).toBe(true);
  });

  it('every cited document exists', () => {
    const scanned = [
      join(ROOT, 'README.md'),
      ...SCANNED.flatMap((dir) => files(join(ROOT, dir))),
    ].filter((path) => path !== import.meta.filename);
    expect(scanned.length).toBeGreaterThan(100);
    expect(missingCitations(scanned)).toEqual([]);
  });
});
