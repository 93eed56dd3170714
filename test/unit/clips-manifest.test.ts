import { describe, expect, it } from 'vitest';

import {
  type ClipSetManifest,
  framesSha256,
  parseClipSetManifest,
  serialiseClipSetManifest,
} from '../../src/clips/clip-set.js';
import { CodecLabError } from '../../src/errors.js';

const MANIFEST: ClipSetManifest = {
  version: 1,
  set: 'dev',
  built_at: '2025-01-02T03:04:05.000Z',
  clips: [
    {
      name: 'vtest-walk',
      file: 'vtest-walk.mkv',
      kind: 'footage',
      package: 'opencv-doc',
      source_path: '/usr/share/doc/opencv-doc/examples/data/vtest.avi',
      licence: 'Apache-2.0 AND BSD-3-Clause (OpenCV sample data)',
      width: 160,
      height: 120,
      fps: 10,
      frames: 12,
      sha256: 'a'.repeat(64),
      filter: 'format=bgr0,crop=160:120:400:140',
    },
    {
      name: 'astronaut-pan',
      file: 'astronaut-pan.mkv',
      kind: 'pan',
      package: 'python3-skimage',
      source_path: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png',
      licence: 'public domain (NASA)',
      width: 160,
      height: 120,
      fps: 30000 / 1001,
      frames: 12,
      sha256: 'b'.repeat(64),
      filter: 'crop=160:120:150+4*n:40+2*n',
    },
  ],
};

function parseError(text: string): CodecLabError {
  try {
    parseClipSetManifest(text, '/sets/dev/manifest.json');
  } catch (err) {
    expect(err).toBeInstanceOf(CodecLabError);
    return err as CodecLabError;
  }
  throw new Error('parsed');
}

function withClip(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...MANIFEST, clips: [{ ...MANIFEST.clips[0], ...patch }] });
}

describe('clip set manifests', () => {
  it('round-trip through their JSON text exactly', () => {
    const text = serialiseClipSetManifest(MANIFEST);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseClipSetManifest(text, 'm.json')).toEqual(MANIFEST);
    expect(serialiseClipSetManifest(parseClipSetManifest(text, 'm.json'))).toBe(text);
  });

  it('reject text that is not JSON, naming the file and the fix', () => {
    const err = parseError('{"version": 1,');
    expect(err.code).toBe('CLIP_UNREADABLE');
    expect(err.message).toContain('/sets/dev/manifest.json');
    expect(err.message).toContain('codec-lab clips prepare');
  });

  it('reject another version and bad fields, listing each', () => {
    expect(parseError(JSON.stringify({ ...MANIFEST, version: 2 })).message).toMatch(/version/);
    const err = parseError(withClip({ sha256: 'xyz', frames: 0 }));
    expect(err.message).toMatch(/clips\.0\.sha256/);
    expect(err.message).toMatch(/clips\.0\.frames/);
    expect(parseError(withClip({ kind: 'cartoon' })).message).toMatch(/clips\.0\.kind/);
  });

  it('reject file names that leave the set folder', () => {
    for (const file of ['../x.mkv', '/etc/passwd', 'sub/x.mkv', '..', '.hidden.mkv']) {
      expect(parseError(withClip({ file })).message, file).toMatch(/clips\.0\.file/);
    }
  });

  it('reject a name or a file listed twice', () => {
    const twice = (patch: Record<string, unknown>): string =>
      JSON.stringify({
        ...MANIFEST,
        clips: [MANIFEST.clips[0], { ...MANIFEST.clips[1], ...patch }],
      });
    expect(parseError(twice({ name: 'vtest-walk' })).message).toMatch(/vtest-walk appears twice/);
    expect(parseError(twice({ file: 'vtest-walk.mkv' })).message).toMatch(/appears twice/);
  });

  it('hash the frames in order, as one stream of BGR bytes', () => {
    const a = Buffer.from([1, 2, 3]);
    const b = Buffer.from([4, 5, 6]);
    // sha256 of the six bytes 01..06.
    const expected = '7192385c3c0605de55bb9476ce1d90748190ecb32a8eed7f5207b30cf6a1fe89';
    expect(framesSha256([a, b])).toBe(expected);
    expect(framesSha256([Buffer.concat([a, b])])).toBe(expected);
    expect(framesSha256([b, a])).not.toBe(expected);
  });
});
