import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { panClip, syntheticClip } from '../../src/clips/clip-builders.js';
import type { ClipCatalogue, PackageFile } from '../../src/clips/clip-spec.js';
import { zoomClip } from '../../src/clips/zoom-clip.js';
import { MANIFEST_FILE, loadClipSet, parseClipSetManifest } from '../../src/clips/clip-set.js';
import { type PrepareEvent, prepareClipSets } from '../../src/clips/prepare.js';
import { type PackageSource, SourceUnavailableError } from '../../src/clips/sources.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import { CodecLabError } from '../../src/errors.js';
import { FFMPEG, ffmpeg, tempDir } from './ffmpeg-fixtures.js';

/** Stand-ins for a package's photographs: ffmpeg's test pictures saved as PNG. */
const PHOTO: PackageFile = {
  package: 'fake-photos',
  path: 'usr/share/fake/photo.png',
  width: 320,
  height: 240,
  licence: 'CC0 (test)',
};

const CATALOGUE: ClipCatalogue = {
  dev: [panClip({ name: 'pan', source: PHOTO, fps: 10, frames: 8, x0: 10, y0: 20, dx: 4, dy: 2 })],
  holdout: [
    zoomClip({
      name: 'zoom',
      source: { ...PHOTO, path: 'usr/share/fake/other.png' },
      fps: 10,
      frames: 8,
      centreX: 160,
      centreY: 120,
      startWidth: 256,
      startHeight: 192,
      shrinkWidth: 8,
      shrinkHeight: 6,
    }),
  ],
  smoke: [
    syntheticClip({ name: 'bars', graph: 'testsrc2', width: 64, height: 48, fps: 10, frames: 4 }),
  ],
};

let root: string;
let remove: () => void;
let packageRoot: string;
const reader = new FfmpegClipReader(FFMPEG);
const located: string[] = [];

const source: PackageSource = {
  fileOf(pkg, relativePath) {
    located.push(`${pkg}:${relativePath}`);
    return Promise.resolve(path.join(packageRoot, relativePath));
  },
};

async function prepare(
  outDir: string,
  options: { catalogue?: ClipCatalogue; source?: PackageSource } = {},
): Promise<{ events: PrepareEvent[]; result: Awaited<ReturnType<typeof prepareClipSets>> }> {
  const events: PrepareEvent[] = [];
  const result = await prepareClipSets({
    outDir,
    ffmpegPath: FFMPEG,
    source: options.source ?? source,
    catalogue: options.catalogue ?? CATALOGUE,
    progress: (event) => events.push(event),
    now: () => new Date('2025-06-01T12:00:00Z'),
  });
  return { events, result };
}

beforeAll(() => {
  ({ dir: root, remove } = tempDir('prepare'));
  packageRoot = path.join(root, 'pkg');
  mkdirSync(path.join(packageRoot, 'usr/share/fake'), { recursive: true });
  for (const [name, graph] of [
    ['photo.png', 'testsrc2=size=320x240'],
    ['other.png', 'mandelbrot=size=320x240'],
  ] as const) {
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      graph,
      '-frames:v',
      '1',
      path.join(packageRoot, 'usr/share/fake', name),
    ]);
  }
});

afterAll(() => remove());

describe('prepareClipSets', () => {
  it('builds each set with a manifest, and a second run rebuilds nothing', async () => {
    const out = path.join(root, 'sets');
    const first = await prepare(out);
    expect(first.result.map((s) => [s.set, s.built, s.reused])).toEqual([
      ['dev', ['pan'], []],
      ['holdout', ['zoom'], []],
      ['smoke', ['bars'], []],
    ]);
    const dev = parseClipSetManifest(
      readFileSync(path.join(out, 'dev', MANIFEST_FILE), 'utf8'),
      'm',
    );
    expect(dev).toMatchObject({ version: 1, set: 'dev', built_at: '2025-06-01T12:00:00.000Z' });
    expect(dev.clips).toEqual([
      expect.objectContaining({
        name: 'pan',
        file: 'pan.mkv',
        kind: 'pan',
        package: 'fake-photos',
        source_path: '/usr/share/fake/photo.png',
        licence: 'CC0 (test)',
        width: 160,
        height: 120,
        fps: 10,
        frames: 8,
        filter: CATALOGUE.dev[0]!.filter,
      }),
    ]);
    const smoke = await loadClipSet(path.join(out, 'smoke'), reader);
    expect(smoke.clips.map((c) => [c.name, c.width, c.height, c.frames.length])).toEqual([
      ['bars', 64, 48, 4],
    ]);
    // No temporary files are left behind.
    expect(readdirSync(path.join(out, 'dev')).sort()).toEqual([MANIFEST_FILE, 'pan.mkv']);

    const manifestTime = statSync(path.join(out, 'dev', MANIFEST_FILE)).mtimeMs;
    located.length = 0;
    const second = await prepare(out);
    expect(second.result.map((s) => [s.set, s.built, s.reused])).toEqual([
      ['dev', [], ['pan']],
      ['holdout', [], ['zoom']],
      ['smoke', [], ['bars']],
    ]);
    expect(second.events.map((e) => e.type)).toEqual(['reused', 'reused', 'reused']);
    expect(located).toEqual([]);
    expect(statSync(path.join(out, 'dev', MANIFEST_FILE)).mtimeMs).toBe(manifestTime);
  });

  it('moves a pan by whole pixels: frame n+1 is frame n shifted by (dx, dy)', async () => {
    const out = path.join(root, 'pan');
    await prepare(out);
    const [clip] = (await loadClipSet(path.join(out, 'dev'), reader)).clips;
    const row = (frame: Buffer, y: number, x: number, width: number): Buffer =>
      frame.subarray((y * 160 + x) * 3, (y * 160 + x + width) * 3);
    const [f0, f1] = [clip!.frames[0]!, clip!.frames[1]!];
    // Pixel (x+4, y+2) of frame 0 is pixel (x, y) of frame 1.
    expect(row(f1, 10, 0, 100).equals(row(f0, 12, 4, 100))).toBe(true);
    expect(f0.equals(f1)).toBe(false);
  });

  it('rebuilds a clip whose file changed or whose recipe changed, and only that one', async () => {
    const out = path.join(root, 'rebuild');
    await prepare(out);
    // Another clip in place of pan.mkv: same size, other pixels.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=10',
      '-frames:v',
      '8',
      '-c:v',
      'ffv1',
      '-pix_fmt',
      'bgr0',
      '-y',
      path.join(out, 'dev', 'pan.mkv'),
    ]);
    await expect(loadClipSet(path.join(out, 'dev'), reader)).rejects.toThrow(
      /pan: .*changed since it was prepared/,
    );
    const tampered = await prepare(out);
    expect(tampered.result.map((s) => s.built)).toEqual([['pan'], [], []]);
    await loadClipSet(path.join(out, 'dev'), reader);

    const moved: ClipCatalogue = {
      ...CATALOGUE,
      dev: [
        panClip({ name: 'pan', source: PHOTO, fps: 10, frames: 8, x0: 12, y0: 20, dx: 4, dy: 2 }),
      ],
    };
    const changed = await prepare(out, { catalogue: moved });
    expect(changed.result.map((s) => s.built)).toEqual([['pan'], [], []]);
  });

  it('reports every unavailable source at once and builds nothing in their place', async () => {
    const out = path.join(root, 'unavailable');
    const broken: PackageSource = {
      fileOf: (pkg) =>
        Promise.reject(
          new SourceUnavailableError(
            pkg,
            `cannot get Debian package ${pkg}: \`apt-get download ${pkg}\` exited 100`,
            {
              command: `apt-get download ${pkg}`,
            },
          ),
        ),
    };
    const catalogue: ClipCatalogue = {
      ...CATALOGUE,
      holdout: [
        panClip({
          name: 'elsewhere',
          source: { ...PHOTO, package: 'other-photos' },
          fps: 10,
          frames: 8,
          x0: 0,
          y0: 0,
          dx: 1,
          dy: 1,
        }),
      ],
    };
    let error: unknown;
    try {
      await prepare(out, { catalogue, source: broken });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodecLabError);
    const message = (error as Error).message;
    expect(message).toContain('2 sources are unavailable (no clip is substituted)');
    expect(message).toContain('`apt-get download fake-photos` exited 100 [needed by dev/pan]');
    expect(message).toContain(
      '`apt-get download other-photos` exited 100 [needed by holdout/elsewhere]',
    );
    for (const set of ['dev', 'holdout', 'smoke']) {
      expect(readdirSync(path.join(out, set)), set).toEqual([]);
    }
  });
});
