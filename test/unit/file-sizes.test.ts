/**
 * Files stay one concept each (docs/ARCHITECTURE.md §7): no source file over 400 lines, and
 * the median under 120.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const lines = (path: string): number => readFileSync(path, 'utf8').split('\n').length - 1;

describe('source file sizes', () => {
  const sizes = sourceFiles(join(ROOT, 'src')).map((path) => ({
    file: relative(ROOT, path),
    lines: lines(path),
  }));

  it('no file in src/ is over 400 lines', () => {
    expect(sizes.length).toBeGreaterThan(100);
    expect(sizes.filter((size) => size.lines > 400)).toEqual([]);
  });

  it('the median file is under 120 lines', () => {
    const sorted = sizes.map((size) => size.lines).sort((a, b) => a - b);
    const middle = sorted.length / 2;
    const median =
      sorted.length % 2 === 1
        ? (sorted[Math.floor(middle)] ?? 0)
        : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    expect(median).toBeLessThan(120);
  });
});
