/**
 * `codec-lab anchors --json` on the prepared dev set, as a user runs it: every anchor, VP9 and
 * AV1 included, with its settings, and the order researchers expect against x264
 * (docs/ARCHITECTURE.md §3.4); `--anchor-preset` is recorded and keys the cache.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareClipSets } from '../../src/clips/prepare.js';
import { DebianPackageSource } from '../../src/clips/sources.js';
import { runCli } from './support.js';

/** Debian packages (opencv-doc, python3-skimage) are fetched once and kept here. */
const PACKAGE_CACHE = path.join(homedir(), '.cache', 'codec-lab', 'test-debs');

interface Pair {
  readonly test: string;
  readonly reference: string;
  readonly mean_pct: number | null;
  readonly median_pct: number | null;
  readonly reason?: string;
  readonly per_clip: ReadonlyArray<{ clip: string; bd_rate_pct: number | null }>;
}

interface AnchorsJson {
  readonly settings: Record<string, { levels: number[]; details: Record<string, unknown> }>;
  readonly clips: ReadonlyArray<{
    clip: string;
    anchors: Record<string, ReadonlyArray<{ crf?: number; bitrate_kbps: number }>>;
  }>;
  readonly bd_rates: readonly Pair[];
}

describe('codec-lab anchors --json on the dev set', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'codec-lab-anchors-cli-'));
    await prepareClipSets({
      outDir: path.join(dataDir, 'clips'),
      source: new DebianPackageSource(PACKAGE_CACHE),
      sets: ['dev'],
    });
  });

  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists VP9 and AV1 beside the others, both ahead of x264 and AV1 ahead of VP9', async () => {
    const started = Date.now();
    const run = await runCli(['anchors', '--json', '--data-dir', dataDir]);
    expect(run.stderr).not.toMatch(/"level":50/);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as AnchorsJson;
    const pair = (test: string, reference: string): Pair => {
      const found = json.bd_rates.find((p) => p.test === test && p.reference === reference);
      if (!found) throw new Error(`no ${test} vs ${reference} in anchors --json`);
      return found;
    };
    console.log(
      `anchors --json cold on the dev set in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
        json.bd_rates
          .map(
            (p) =>
              `  ${p.test} vs ${p.reference}: mean ${p.mean_pct?.toFixed(1)} %, median ` +
              `${p.median_pct?.toFixed(1)} % [${p.per_clip.map((c) => `${c.clip} ${c.bd_rate_pct?.toFixed(1)}`).join(', ')}]`,
          )
          .join('\n'),
    );

    expect(Object.keys(json.settings)).toEqual(['jpeg', 'x264', 'x265', 'vp9', 'av1']);
    expect(json.settings.vp9!.details).toMatchObject({
      encoder: 'libvpx-vp9',
      preset: 'good/cpu-used=2',
    });
    expect(json.settings.av1!.details).toMatchObject({
      encoder: 'libaom-av1',
      preset: 'cpu-used=6',
    });
    expect(json.settings.x264!.details.preset).toBe('medium');
    expect(json.clips).toHaveLength(4);
    for (const row of json.clips) {
      expect(Object.keys(row.anchors)).toEqual(['jpeg', 'x264', 'x265', 'vp9', 'av1']);
      for (const anchor of ['vp9', 'av1']) {
        expect(row.anchors[anchor]!.map((p) => p.crf)).toEqual([16, 28, 40, 52, 63]);
        // A higher CRF never costs more bits.
        const rates = row.anchors[anchor]!.map((p) => p.bitrate_kbps);
        for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
      }
    }
    // Every pair has a BD-rate on every clip: the sweeps overlap.
    for (const p of json.bd_rates) expect(p.reason).toBeUndefined();
    // The order researchers expect: VP9 and AV1 need fewer bits than x264 for the same luma
    // PSNR, AV1 fewest; everything far ahead of per-frame JPEG.
    const vp9 = pair('vp9', 'x264');
    const av1 = pair('av1', 'x264');
    expect(vp9.mean_pct!).toBeLessThan(0);
    expect(vp9.median_pct!).toBeLessThan(0);
    expect(av1.mean_pct!).toBeLessThan(vp9.mean_pct!);
    expect(av1.median_pct!).toBeLessThan(0);
    expect(pair('av1', 'vp9').mean_pct!).toBeLessThan(0);
    expect(pair('av1', 'x265').mean_pct!).toBeLessThan(0);
    expect(pair('vp9', 'jpeg').mean_pct!).toBeLessThan(-75);
    expect(pair('av1', 'jpeg').mean_pct!).toBeLessThan(pair('x264', 'jpeg').mean_pct!);
  });

  it('--anchor-preset slow records the preset and measures x264 and x265 into their own cache files', async () => {
    const anchorsDir = path.join(dataDir, 'anchors');
    const before = readdirSync(anchorsDir);
    const clip = path.join(dataDir, 'clips', 'dev', 'vtest-walk.mkv');
    const args = ['anchors', '--json', '--data-dir', dataDir, '--clips', clip, '--frames', '4'];
    const slow = await runCli([...args, '--anchor-preset', 'slow']);
    expect(slow.code).toBe(0);
    const json = JSON.parse(slow.stdout) as AnchorsJson;
    expect(json.settings.x264!.details.preset).toBe('slow');
    expect(json.settings.x265!.details.preset).toBe('slow');
    expect(json.settings.x264!.details.encoder_args).toContain('slow');
    const hashOf = (name: string): string => name.split('-')[1]!;
    const added = readdirSync(anchorsDir).filter((name) => !before.includes(name));
    const x264Hashes = new Set(
      readdirSync(anchorsDir)
        .filter((name) => name.startsWith('x264-'))
        .map(hashOf),
    );
    // The dev set's medium files and the slow file sit side by side: never served for each other.
    expect(x264Hashes.size).toBe(2);
    expect(added.filter((name) => name.startsWith('x264-'))).toHaveLength(1);

    const bad = await runCli([...args, '--anchor-preset', 'veryslow']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--anchor-preset is medium or slow, not 'veryslow'");
  });
});
