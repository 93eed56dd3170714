/**
 * `codec-lab plot` and `codec-lab report` through the CLI's own entry point (main), on a real
 * data dir: a SQLite store with an adopted version and anchor results in the anchor cache. No
 * sandbox is needed to plot a stored version.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileAnchorCache } from '../../src/anchors/anchor-cache.js';
import type { AnchorSettings } from '../../src/anchors/anchor-point.js';
import { main } from '../../src/cli/main.js';
import { createLogger } from '../../src/logger.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { BITRATE_TITLE } from '../../src/charts/rd-chart.js';
import { anchorTable, clip, clipResult, metricsFor, QUALITIES } from './loop-fakes.js';
import { ADOPT, record } from './store-contract.js';
import { findAll, parseXml } from './svg-tree.js';

const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-plot-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'codec-lab-plot-empty-'));
const clips = [clip('tree'), clip('vtest')];
const table = anchorTable(clips);
const anchorNames = Object.keys(table.clips[0]!.anchors);

beforeAll(async () => {
  const store = SqliteStore.open({ dataDir });
  try {
    const results = clips.map((c, i) => clipResult(c, i, QUALITIES));
    const first = store.recordAttempt(record('v = 1', { metrics: metricsFor(results) }));
    store.adopt(first.id, ADOPT);
    const better = clips.map((c, i) => clipResult(c, i + 2, QUALITIES));
    const second = store.recordAttempt(record('v = 2', { metrics: metricsFor(better) }));
    store.adopt(second.id, ADOPT);
  } finally {
    store.close();
  }
  SqliteStore.open({ dataDir: emptyDir }).close();
  const cache = new FileAnchorCache(dataDir, createLogger({ level: 'silent' }));
  for (const row of table.clips) {
    const identity = { ...row, name: row.clip };
    for (const [name, points] of Object.entries(row.anchors)) {
      const settings = (table.settings as Record<string, AnchorSettings>)[name]!;
      await cache.put(settings, identity, points as never);
    }
  }
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

let stdout: string[] = [];
let stderr: string[] = [];
afterEach(() => vi.restoreAllMocks());

async function cli(args: string[]): Promise<number> {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  try {
    return await main(args);
  } finally {
    vi.restoreAllMocks();
  }
}

/** The series drawn in each panel, from the line marks' aria labels. */
function seriesByPanel(svg: string): Map<string, string[]> {
  const panels = new Map<string, string[]>();
  const lines = findAll(parseXml(svg), (e) => e.attributes['aria-roledescription'] === 'line mark');
  for (const line of lines) {
    const label = line.attributes['aria-label'] ?? '';
    const clipName = /(?:^|; )clip: ([^;]+)/.exec(label)?.[1] ?? '';
    const codec = /(?:^|; )codec: ([^;]+)/.exec(label)?.[1] ?? '';
    panels.set(clipName, [...(panels.get(clipName) ?? []), codec]);
  }
  return panels;
}

describe('codec-lab plot', () => {
  it('draws the newest version against every cached anchor, per clip and the mean, as SVG', async () => {
    const out = join(dataDir, 'newest.svg');
    expect(await cli(['plot', '--data-dir', dataDir, '--out', out])).toBe(0);
    const svg = readFileSync(out, 'utf8');
    const panels = seriesByPanel(svg);
    expect([...panels.keys()]).toEqual([
      'mean over 2 clips',
      'tree (16x16, 2 frames @ 10 fps)',
      'vtest (16x16, 2 frames @ 10 fps)',
    ]);
    for (const series of panels.values())
      expect(series.sort()).toEqual(['v2', ...anchorNames].sort());
    expect(svg).toContain(BITRATE_TITLE);
    expect(stdout.join('')).toContain(`wrote ${out}: v2 (attempt`);
  });

  it('draws the version asked for, as PNG when the file name says so', async () => {
    const out = join(dataDir, 'first.png');
    expect(await cli(['plot', '--version', '1', '--data-dir', dataDir, '--out', out])).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
    expect(stdout.join('')).toContain('v1 (attempt');
  });

  it('refuses what it cannot draw, saying what to do (exit 2)', async () => {
    expect(await cli(['plot', '--version', '7', '--data-dir', dataDir])).toBe(2);
    expect(stderr.join('')).toContain(
      'there is no version 7 in this data dir (adopted versions: v1 … v2)',
    );
    expect(await cli(['plot', '--data-dir', dataDir, '--out', join(dataDir, 'rd.jpg')])).toBe(2);
    expect(stderr.join('')).toContain('--out must end in .svg or .png');
    expect(await cli(['plot', '--data-dir', emptyDir])).toBe(2);
    expect(stderr.join('')).toContain('no version adopted yet');
    expect(await cli(['plot', 'codec.py', '--version', '1', '--data-dir', dataDir])).toBe(2);
    expect(stderr.join('')).toContain('either --version N or a codec file');
    expect(await cli(['plot', '--frames', '4', '--data-dir', dataDir])).toBe(2);
    expect(stderr.join('')).toContain('choose how a codec file is evaluated');
  });
});

describe('codec-lab report', () => {
  it('embeds the best version’s RD chart, written next to the Markdown', async () => {
    expect(await cli(['report', '--data-dir', dataDir])).toBe(0);
    const markdown = readdirSync(dataDir).find((name) => name.endsWith('.md'))!;
    const text = readFileSync(join(dataDir, markdown), 'utf8');
    const link = /!\[v2 \(attempt \d+\) against the anchors[^\]]*\]\(([^)]+)\)/.exec(text);
    expect(link?.[1]).toBe(markdown.replace(/\.md$/, '_rd.svg'));
    expect(existsSync(join(dataDir, link![1]!))).toBe(true);
    const panels = seriesByPanel(readFileSync(join(dataDir, link![1]!), 'utf8'));
    expect(panels.get('mean over 2 clips')?.sort()).toEqual(['v2', ...anchorNames].sort());
    // What the command prints is the Markdown it wrote.
    expect(stdout.join('')).toBe(`${text}\n`);
  });
});
