/** Builds one clip of the catalogue with ffmpeg (a lossless FFV1/BGR Matroska file) and checks it. */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { CodecLabError } from '../errors.js';
import type { ClipReader } from '../evaluation/clip.js';
import type { ClipSpec } from './clip-spec.js';
import { type ClipManifestEntry, framesSha256 } from './clip-set.js';
import type { CommandRunner } from './sources.js';

export function clipFileName(spec: ClipSpec): string {
  return `${spec.name}.mkv`;
}

export function describeSource(spec: ClipSpec): { package: string; source_path: string } {
  return spec.kind === 'synthetic'
    ? { package: 'ffmpeg', source_path: `lavfi:${spec.lavfi}` }
    : { package: spec.source.package, source_path: `/${spec.source.path}` };
}

/** Makes one clip next to its final place, checks it, and renames it into place. */
export async function buildClip(
  spec: ClipSpec,
  input: string,
  dir: string,
  ffmpegPath: string,
  run: CommandRunner,
  reader: ClipReader,
): Promise<ClipManifestEntry> {
  const file = clipFileName(spec);
  const temp = path.join(
    dir,
    `.${spec.name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}.mkv`,
  );
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...spec.inputOptions,
    '-i',
    input,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    spec.filter,
    '-frames:v',
    String(spec.frames),
    '-c:v',
    'ffv1',
    // Level 3 adds a CRC per slice, so a damaged file fails to decode rather than decoding wrong.
    '-level',
    '3',
    '-g',
    '1',
    '-pix_fmt',
    'bgr0',
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-f',
    'matroska',
    temp,
  ];
  try {
    let result;
    try {
      result = await run(ffmpegPath, args, { cwd: dir });
    } catch (cause) {
      throw new CodecLabError(
        'CLIP_UNREADABLE',
        `cannot run ffmpeg at ${ffmpegPath} to build clip ${spec.name}; run \`npm install\` (it ships @ffmpeg-installer/ffmpeg)`,
        { cause },
      );
    }
    if (result.exitCode !== 0 || result.timedOut) {
      const why = result.timedOut ? 'timed out' : `exited ${result.exitCode ?? 'on a signal'}`;
      throw new CodecLabError(
        'CLIP_UNREADABLE',
        `ffmpeg ${why} building clip ${spec.name} from ${input}: ${lastLine(result.stderr)}; check that the file plays with \`ffmpeg -i ${input}\`, or point --clips at your own video files`,
      );
    }
    const clip = await reader.read(temp, { maxFrames: spec.frames + 1 });
    const mismatch =
      clip.width !== spec.width || clip.height !== spec.height
        ? `is ${clip.width}x${clip.height}, not ${spec.width}x${spec.height}`
        : clip.frames.length !== spec.frames
          ? `has ${clip.frames.length} frames, not ${spec.frames}`
          : Math.abs(clip.fps - spec.fps) > spec.fps * 0.01
            ? `plays at ${clip.fps} fps, not ${spec.fps}`
            : undefined;
    if (mismatch !== undefined) {
      throw new CodecLabError(
        'CLIP_UNREADABLE',
        `clip ${spec.name} built from ${input} ${mismatch}: the source is not the file the catalogue describes (another package version?); point --clips at your own video files`,
      );
    }
    const entry: ClipManifestEntry = {
      name: spec.name,
      file,
      kind: spec.kind,
      ...describeSource(spec),
      licence: spec.licence,
      width: spec.width,
      height: spec.height,
      fps: spec.fps,
      frames: spec.frames,
      sha256: framesSha256(clip.frames),
      filter: spec.filter,
    };
    await rename(temp, path.join(dir, file));
    return entry;
  } finally {
    await rm(temp, { force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}
