import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  type Clip,
  type ClipReadOptions,
  type ClipReader,
  ClipReadError,
} from '../../src/evaluation/clip.js';
import {
  VIDEO_EXTENSIONS,
  clipNames,
  readClipFolder,
  readClips,
  selectVideoFiles,
} from '../../src/evaluation/clip-folder.js';
import { tempDir } from './ffmpeg-fixtures.js';

/** Records what it was asked to read and returns a one-frame clip. */
class FakeClipReader implements ClipReader {
  readonly calls: { path: string; options: ClipReadOptions }[] = [];

  read(file: string, options: ClipReadOptions): Promise<Clip> {
    this.calls.push({ path: file, options });
    return Promise.resolve({
      name: path.basename(file, path.extname(file)),
      width: 2,
      height: 2,
      fps: 25,
      frames: [Buffer.alloc(12)],
      source: file,
    });
  }
}

describe('selectVideoFiles', () => {
  it('keeps video extensions case-insensitively, skips hidden files, sorts by code point', () => {
    expect(
      selectVideoFiles([
        'b.mkv',
        'notes.txt',
        'a.mp4',
        '.hidden.avi',
        'Z.Y4M',
        'a.AVI',
        'clip.png',
      ]),
    ).toEqual(['Z.Y4M', 'a.AVI', 'a.mp4', 'b.mkv']);
  });

  it('takes an extension list with or without dots', () => {
    expect(selectVideoFiles(['a.png', 'b.mkv', 'c.PNG'], ['png'])).toEqual(['a.png', 'c.PNG']);
    expect(selectVideoFiles(['a.png', 'b.mkv'], ['.mkv'])).toEqual(['b.mkv']);
  });

  it('covers the formats the design names', () => {
    for (const ext of ['.avi', '.y4m', '.mkv', '.mp4']) expect(VIDEO_EXTENSIONS).toContain(ext);
  });
});

describe('clipNames', () => {
  it('uses the stem, or the whole file name where stems collide', () => {
    expect(clipNames(['a.avi', 'a.mp4', 'tree.avi', 'dir/vtest.avi'])).toEqual([
      'a.avi',
      'a.mp4',
      'tree',
      'vtest',
    ]);
  });
});

describe('readClipFolder / readClips', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  function folderWith(files: string[], dirs: string[] = []): string {
    const { dir, remove } = tempDir('clips');
    cleanup = remove;
    for (const f of files) writeFileSync(path.join(dir, f), 'x');
    for (const d of dirs) mkdirSync(path.join(dir, d));
    return dir;
  }

  it('reads every video file in order, names them uniquely and passes the read options on', async () => {
    const dir = folderWith(['b.mkv', 'notes.txt', 'a.mp4', 'a.avi', '.hidden.mp4'], ['sub.mkv']);
    const reader = new FakeClipReader();
    const clips = await readClipFolder(reader, dir, {
      maxFrames: 5,
      maxWidth: 64,
      extensions: VIDEO_EXTENSIONS,
    });
    expect(reader.calls.map((c) => path.basename(c.path))).toEqual(['a.avi', 'a.mp4', 'b.mkv']);
    expect(reader.calls[0]!.options).toEqual({ maxFrames: 5, maxWidth: 64 });
    expect(clips.map((c) => c.name)).toEqual(['a.avi', 'a.mp4', 'b']);
  });

  it('explains an empty folder', async () => {
    const dir = folderWith(['readme.md']);
    const error = await readClipFolder(new FakeClipReader(), dir, { maxFrames: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClipReadError);
    expect((error as ClipReadError).code).toBe('CLIP_NOT_FOUND');
    expect((error as ClipReadError).message).toMatch(/no video files in .*--clips/);
  });

  it('explains a missing folder', async () => {
    const error = await readClipFolder(new FakeClipReader(), '/nonexistent/clips', {
      maxFrames: 1,
    }).catch((e: unknown) => e);
    expect((error as ClipReadError).code).toBe('CLIP_NOT_FOUND');
  });

  it('treats a folder path as a folder and anything else as one clip', async () => {
    const dir = folderWith(['x.y4m', 'y.y4m']);
    const reader = new FakeClipReader();
    expect(await readClips(reader, dir, { maxFrames: 2 })).toHaveLength(2);
    const single = await readClips(reader, path.join(dir, 'x.y4m'), {
      maxFrames: 2,
      extensions: ['.y4m'],
    });
    expect(single.map((c) => c.name)).toEqual(['x']);
    expect(reader.calls[2]!.options).toEqual({ maxFrames: 2 });
  });
});
