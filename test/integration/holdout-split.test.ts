/**
 * `codec-lab run --clips DIR` on a user's own clips, with no prepared set: the clips are split
 * into dev and holdout by the documented rule, the split is printed and stored, and the
 * adoption rule can confirm a candidate after v1 (before the split, nothing after v1 could be
 * adopted). Also the refusals that need no Docker: a set too small to split, and a --holdout
 * that is one of the dev clips.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SplitRecord } from '../../src/clips/holdout-split.js';
import { defaultFfmpegPath } from '../../src/ffmpeg.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { BUILTIN_CLIP, runCli, sandboxContainers } from './support.js';

let work: string;
let clipsDir: string;

/**
 * Three real clips: 64×48 crops of three regions of the built-in footage (8 frames each),
 * losslessly re-encoded, so each has its own content.
 */
const CROPS = { left: '0:0', right: '64:0', bottom: '32:48' } as const;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'codec-lab-holdout-'));
  clipsDir = join(work, 'clips');
  mkdirSync(clipsDir);
  for (const [name, at] of Object.entries(CROPS)) {
    execFileSync(defaultFfmpegPath(), [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      BUILTIN_CLIP,
      '-vf',
      `crop=64:48:${at}`,
      '-c:v',
      'ffv1',
      join(clipsDir, `${name}.mkv`),
    ]);
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('run --clips DIR without a prepared set', () => {
  it('holds out every third clip by name, prints and stores the split, and adopts more than one version', async () => {
    const dataDir = join(work, 'data');
    const run = await runCli([
      'run',
      '--generator',
      'offline',
      '--clips',
      clipsDir,
      '--frames',
      '4',
      '--qualities',
      '0.1,0.4,0.7,0.9',
      '--iterations',
      '4',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code, run.stderr).toBe(0);

    // Sorted by name: bottom, left, right; the third (right) is the holdout.
    expect(run.stderr).toContain(
      'clip split: every third clip in name order is held out (3 clips: 2 dev, 1 holdout)',
    );
    expect(run.stderr).toContain(
      `  dev:     bottom (frames 0-3 of ${join(clipsDir, 'bottom.mkv')}), left (frames 0-3 of ${join(clipsDir, 'left.mkv')})`,
    );
    expect(run.stderr).toContain(`  holdout: right (frames 0-3 of ${join(clipsDir, 'right.mkv')})`);
    expect(run.stderr).not.toContain('no holdout clip set');

    const store = SqliteStore.openReadOnly({ dataDir });
    try {
      const attempts = store.attempts({ limit: 100, offset: 0, order: 'asc' }).attempts;
      expect(attempts).toHaveLength(4);
      for (const attempt of attempts) {
        const split = attempt.settings?.clip_split as SplitRecord | undefined;
        expect(split?.rule).toBe('clips');
        expect(split?.dev.map((part) => [part.clip, part.frames])).toEqual([
          ['bottom', 4],
          ['left', 4],
        ]);
        expect(split?.holdout.map((part) => [part.clip, part.first_frame, part.frames])).toEqual([
          ['right', 0, 4],
        ]);
        // The search measured only dev clips (a screened-out attempt: one of them).
        for (const clip of attempt.metrics?.clips ?? []) {
          expect(['bottom', 'left']).toContain(clip.clip);
        }
      }
      const versions = store.versions();
      expect(versions.length).toBeGreaterThan(1);
      // v2 and later were confirmed on the holdout clip.
      for (const version of versions.slice(1)) {
        const holdout = version.decision.checks.find((check) => check.name === 'holdout_sign');
        expect(holdout?.passed).toBe(true);
        expect(holdout?.detail).toMatch(/^mean holdout BD-rate vs the incumbent -\d/);
      }
    } finally {
      store.close();
    }
    // Every container of the run is gone (the integration tier runs one file at a time).
    expect(await sandboxContainers()).toEqual([]);
  });
});

describe('refusals before any container starts', () => {
  it('refuses one clip too short to split, saying what to add', async () => {
    const run = await runCli([
      'run',
      '--generator',
      'offline',
      '--clips',
      join(clipsDir, 'left.mkv'),
      '--iterations',
      '1',
      '--data-dir',
      join(work, 'refused'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('left has 8 frames');
    expect(run.stderr).toContain('at least 12 frames per clip');
    expect(run.stderr).toContain('--holdout PATH');
  });

  it('refuses a --holdout that is one of the dev clips', async () => {
    const run = await runCli([
      'run',
      '--generator',
      'offline',
      '--clips',
      clipsDir,
      '--holdout',
      join(clipsDir, 'right.mkv'),
      '--iterations',
      '1',
      '--data-dir',
      join(work, 'refused'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--holdout includes ${join(clipsDir, 'right.mkv')}`);
  });
});
