import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEV_CLIPS, HOLDOUT_CLIPS } from '../../src/clips/catalogue.js';
import { type LoadedClipSet, loadClipSet } from '../../src/clips/clip-set.js';
import { type PreparedSet, prepareClipSets } from '../../src/clips/prepare.js';
import { DebianPackageSource } from '../../src/clips/sources.js';
import { FfmpegClipReader, defaultFfmpegPath } from '../../src/evaluation/ffmpeg-clip-reader.js';

/**
 * The real thing: opencv-doc and python3-skimage from the installed system or
 * from `apt-get download` (about 115 MB, kept between runs in the cache below),
 * then ffmpeg.
 */
const CACHE = path.join(homedir(), '.cache', 'codec-lab', 'test-debs');

let out: string;
const reader = new FfmpegClipReader(defaultFfmpegPath());
const source = new DebianPackageSource(CACHE);

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'codec-lab-clipsets-'));
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('prepareClipSets with Debian sources', () => {
  let first: PreparedSet[];

  it('builds the dev, holdout and smoke sets with the right geometry', async () => {
    first = await prepareClipSets({ outDir: out, source });
    expect(first.map((s) => [s.set, s.built.length, s.reused.length])).toEqual([
      ['dev', 4, 0],
      ['holdout', 3, 0],
      ['smoke', 1, 0],
    ]);
    const dev = await loadClipSet(path.join(out, 'dev'), reader);
    const holdout = await loadClipSet(path.join(out, 'holdout'), reader);
    for (const [set, specs] of [
      [dev, DEV_CLIPS],
      [holdout, HOLDOUT_CLIPS],
    ] as const) {
      expect(set.clips.map((c) => c.name)).toEqual(specs.map((s) => s.name));
      for (const [i, clip] of set.clips.entries()) {
        const spec = specs[i]!;
        expect([clip.width, clip.height, clip.fps, clip.frames.length], clip.name).toEqual([
          160,
          120,
          spec.fps,
          spec.frames,
        ]);
        expect(set.manifest.clips[i]).toMatchObject({
          kind: spec.kind,
          licence: spec.licence,
          filter: spec.filter,
        });
      }
    }
    expect(new Set(dev.manifest.clips.map((c) => c.kind))).toEqual(
      new Set(['footage', 'pan', 'zoom']),
    );
    const smoke = await loadClipSet(path.join(out, 'smoke'), reader);
    expect(smoke.manifest.clips.map((c) => [c.name, c.kind])).toEqual([['testsrc2', 'synthetic']]);
    expectMotion(dev);
    expectMotion(holdout);
  }, 180_000);

  it('rebuilds nothing the second time, and every hash still verifies', async () => {
    expect(first).toBeDefined();
    const second = await prepareClipSets({ outDir: out, source });
    expect(second.map((s) => [s.set, s.built, s.reused.length])).toEqual([
      ['dev', [], 4],
      ['holdout', [], 3],
      ['smoke', [], 1],
    ]);
    for (const [i, set] of second.entries()) {
      // Not even rewritten: the manifest is the first run's.
      expect(set.manifest.built_at).toBe(first[i]!.manifest.built_at);
      const loaded = await loadClipSet(set.dir, reader);
      expect(loaded.clips).toHaveLength(set.manifest.clips.length);
    }
  }, 60_000);
});

/** Consecutive frames differ somewhere (tree.avi may repeat a picture). */
function expectMotion(set: LoadedClipSet): void {
  for (const clip of set.clips) {
    if (clip.name === 'tree') continue;
    for (let n = 1; n < clip.frames.length; n++) {
      expect(clip.frames[n]!.equals(clip.frames[n - 1]!), `${clip.name} frame ${n}`).toBe(false);
    }
  }
}
