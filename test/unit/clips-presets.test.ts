/**
 * `clips prepare --preset`: the cif catalogue is sound and built like the small one, every
 * manifest records its preset, preparing the other preset over a folder says it replaces it,
 * and a dev and holdout of different presets are refused.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CATALOGUES } from '../../src/clips/catalogue.js';
import { catalogueProblems, clipSpecProblems } from '../../src/clips/catalogue-checks.js';
import { footageClip, panClip, syntheticClip } from '../../src/clips/clip-builders.js';
import {
  MANIFEST_FILE,
  checkSamePreset,
  loadClipSet,
  manifestPreset,
  parseClipSetManifest,
} from '../../src/clips/clip-set.js';
import type { ClipCatalogue, PackageFile, PackageVideo } from '../../src/clips/clip-spec.js';
import { type PrepareEvent, prepareClipSets } from '../../src/clips/prepare.js';
import type { PackageSource } from '../../src/clips/sources.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import { selectClips } from '../../src/cli/clip-selection.js';
import { loadConfig } from '../../src/config.js';
import { FFMPEG, ffmpeg, tempDir } from './ffmpeg-fixtures.js';

describe('the cif catalogue', () => {
  const { small, cif } = CATALOGUES;

  it('is sound: crops inside their sources, no holdout overlap with dev', () => {
    expect(catalogueProblems(cif)).toEqual([]);
  });

  it('is 352x288 x 30 frames, from the same sources and motions as small, clip for clip', () => {
    for (const set of ['dev', 'holdout'] as const) {
      expect(cif[set].map((c) => [c.width, c.height, c.frames])).toEqual(
        cif[set].map(() => [352, 288, 30]),
      );
      const describe = (c: (typeof cif)[typeof set][number]): string[] => [
        c.name,
        c.kind,
        c.kind === 'synthetic' ? c.lavfi : c.source.path,
      ];
      expect(cif[set].map(describe)).toEqual(small[set].map(describe));
    }
  });

  it('resamples tree.avi (320x240) up before cropping, and checks the crop against that size', () => {
    const tree = cif.dev.find((c) => c.name === 'tree')!;
    expect(tree.filter).toContain('scale=384:288:flags=lanczos+accurate_rnd+bitexact');
    expect(tree.filter).toMatch(/crop=352:288:16:0$/);
    if (tree.kind !== 'footage') throw new Error('tree is footage');
    const unscaled = Object.fromEntries(
      Object.entries(tree).filter(([key]) => key !== 'scaledTo'),
    ) as typeof tree;
    expect(clipSpecProblems(unscaled)).toEqual([
      'tree: frame 0 crops 352x288 at 16,0, outside the 320x240 source',
    ]);
  });
});

const PHOTO: PackageFile = {
  package: 'fake-photos',
  path: 'usr/share/fake/photo.png',
  width: 320,
  height: 240,
  licence: 'CC0 (test)',
};
const VIDEO: PackageVideo = {
  package: 'fake-videos',
  path: 'usr/share/fake/video.mkv',
  width: 160,
  height: 120,
  frames: 10,
  fps: 10,
  licence: 'CC0 (test)',
};

/** Two tiny presets: the same clips at two sizes, one a resampled footage crop. */
function catalogue(width: number, height: number): ClipCatalogue {
  return {
    dev: [
      footageClip({
        name: 'walk',
        source: VIDEO,
        startFrame: 0,
        frames: 4,
        scaledTo: { width: 192, height: 160 },
        x: 8,
        y: 4,
        width,
        height,
      }),
    ],
    holdout: [
      panClip({
        name: 'pan',
        source: PHOTO,
        fps: 10,
        frames: 4,
        x0: 0,
        y0: 0,
        dx: 2,
        dy: 1,
        width,
        height,
      }),
    ],
    smoke: [syntheticClip({ name: 'bars', graph: 'testsrc2', width, height, fps: 10, frames: 2 })],
  };
}

let root: string;
let remove: () => void;
const reader = new FfmpegClipReader(FFMPEG);

beforeAll(() => {
  ({ dir: root, remove } = tempDir('presets'));
  mkdirSync(path.join(root, 'pkg/usr/share/fake'), { recursive: true });
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240',
    '-frames:v',
    '1',
    path.join(root, 'pkg', PHOTO.path),
  ]);
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=160x120:rate=10',
    '-frames:v',
    '10',
    '-c:v',
    'ffv1',
    path.join(root, 'pkg', VIDEO.path),
  ]);
});

afterAll(() => remove());

describe('prepareClipSets with presets', () => {
  const source: PackageSource = {
    fileOf: (_pkg, relativePath) => Promise.resolve(path.join(root, 'pkg', relativePath)),
  };
  async function prepare(
    preset: 'small' | 'cif',
    sets?: readonly ('dev' | 'holdout' | 'smoke')[],
  ): Promise<PrepareEvent[]> {
    const events: PrepareEvent[] = [];
    await prepareClipSets({
      outDir: path.join(root, 'clips'),
      ffmpegPath: FFMPEG,
      source,
      preset,
      catalogue: preset === 'small' ? catalogue(64, 48) : catalogue(176, 144),
      progress: (event) => events.push(event),
      ...(sets === undefined ? {} : { sets }),
    });
    return events;
  }
  const manifest = (set: string) =>
    parseClipSetManifest(readFileSync(path.join(root, 'clips', set, MANIFEST_FILE), 'utf8'), set);

  it('records the preset, says when it replaces another, and refuses a mix of two', async () => {
    expect((await prepare('small')).filter((e) => e.type === 'replacing')).toEqual([]);
    expect(manifest('dev').preset).toBe('small');

    const events = await prepare('cif');
    expect(events.filter((e) => e.type === 'replacing')).toEqual(
      ['dev', 'holdout', 'smoke'].map((set) => ({
        type: 'replacing',
        set,
        dir: path.join(root, 'clips', set),
        from: 'small',
        to: 'cif',
      })),
    );
    expect(
      events.filter((e) => e.type === 'built').map((e) => e.type === 'built' && e.clip),
    ).toEqual(['walk', 'pan', 'bars']);
    const dev = await loadClipSet(path.join(root, 'clips', 'dev'), reader);
    expect(manifestPreset(dev.manifest)).toBe('cif');
    expect(dev.clips.map((c) => [c.width, c.height, c.frames.length])).toEqual([[176, 144, 4]]);

    // run and evaluate take the prepared set, name its preset, and cut --start/--frames from it.
    const config = loadConfig({}, { dataDir: root });
    const selected = await selectClips(config, undefined, 2, {}, { start: 1 });
    expect(selected.description).toBe(
      `the prepared cif dev set in ${path.join(root, 'clips', 'dev')}`,
    );
    expect(selected.clips[0]!.frames).toEqual(dev.clips[0]!.frames.slice(1, 3));
    expect(selected.holdout!.map((c) => c.frames.length)).toEqual([2]);
    await expect(
      selectClips(
        config,
        undefined,
        undefined,
        {},
        {
          raw: { width: 8, height: 8, pixelFormat: 'yuv420p', fps: 25, fpsText: '25' },
        },
      ),
    ).rejects.toThrow(
      '--size, --pix-fmt and --fps describe raw .yuv files: give them with --clips',
    );

    // Interrupted half-way back to small: dev is small again, holdout still cif.
    await prepare('small', ['dev']);
    await expect(selectClips(config, undefined, undefined)).rejects.toThrow(
      /mix presets \(dev: small, holdout: cif\)/,
    );
    expect(() => checkSamePreset(manifest('dev'), manifest('holdout'), 'DIR')).toThrow(
      'the prepared sets in DIR mix presets (dev: small, holdout: cif); run `codec-lab clips prepare --preset small` (or the other preset) to finish preparing one',
    );
    expect(checkSamePreset(manifest('holdout'), manifest('smoke'), 'DIR')).toBe('cif');
  });

  it('reads a manifest written before presets as small', () => {
    const old = { ...manifest('dev') } as Record<string, unknown>;
    delete old.preset;
    expect(manifestPreset(parseClipSetManifest(JSON.stringify(old), 'old'))).toBe('small');
  });
});
