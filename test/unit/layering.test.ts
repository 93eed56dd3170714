/**
 * The import rule of docs/ARCHITECTURE.md §7: a module imports only from its own folder and
 * from folders in lower layers. The table is read from the architecture document itself, so
 * the document and the rule cannot drift apart.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const BASE = '.';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `evaluation/` for src/evaluation/x.ts and src/evaluation/sub/y.ts; `.` for src/x.ts. */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? BASE : parts[0]!;
}

/** The layer table of §7: `| 3 | \`anchors/\` | ... |` rows, and `src/*.ts` for the base. */
function layerTable(): Map<string, number> {
  const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
  const layers = new Map<string, number>();
  for (const match of doc.matchAll(/^\| (\d+) \| `([^`]+)` \|/gm)) {
    const folder = match[2] === 'src/*.ts' ? BASE : match[2]!.replace(/\/$/, '');
    layers.set(folder, Number(match[1]));
  }
  return layers;
}

function relativeImports(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/\bfrom\s+'(\.[^']+)'/g),
    ...source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
  ];
  return specifiers.map((match) => match[1]!);
}

interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly why: string;
}

function layeringViolations(files: readonly string[], layers: Map<string, number>) {
  const violations: Violation[] = [];
  for (const file of files) {
    const from = folderOf(file);
    const fromLayer = layers.get(from);
    const name = relative(ROOT, file);
    if (fromLayer === undefined) {
      violations.push({ file: name, imports: '', why: `folder ${from}/ has no layer in §7` });
      continue;
    }
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(SRC + sep)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      const toLayer = layers.get(to);
      if (toLayer === undefined || toLayer >= fromLayer) {
        violations.push({
          file: name,
          imports: specifier,
          why: `layer ${fromLayer} (${from}) imports layer ${toLayer ?? '?'} (${to})`,
        });
      }
    }
  }
  return violations;
}

describe('layering (docs/ARCHITECTURE.md §7)', () => {
  const layers = layerTable();

  it('reads a layer for the base and every folder of src/', () => {
    expect(layers.get(BASE)).toBe(0);
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !layers.has(folder))).toEqual([]);
  });

  it('no module imports from its own layer or a higher one, outside its folder', () => {
    expect(layeringViolations(sourceFiles(SRC), layers)).toEqual([]);
  });

  it('catches an import from the same or a higher layer', () => {
    // evaluation/ imports sandbox/: legal one layer up, a violation on the same layer.
    const evaluation = sourceFiles(join(SRC, 'evaluation'));
    const sameLayer = new Map([...layers, ['evaluation', layers.get('sandbox') ?? 1]]);
    const found = layeringViolations(evaluation, sameLayer);
    expect(found.some((violation) => violation.why.includes('(sandbox)'))).toBe(true);
  });
});
