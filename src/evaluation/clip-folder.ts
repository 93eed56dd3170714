/**
 * Turns a `--clips` path into clips: a file is one clip, a folder gives one
 * clip per video file in it (not recursive), in a stable order. Raw `.yuv` files
 * are read as the `raw` option describes them (raw-video.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { type Clip, type ClipReadOptions, type ClipReader, ClipReadError } from './clip.js';
import { RAW_VIDEO_EXTENSIONS, isRawVideoPath } from './raw-video.js';

/** Extensions taken from a folder, lower case with the dot. */
export const VIDEO_EXTENSIONS: readonly string[] = [
  '.avi',
  '.y4m',
  '.mkv',
  '.mp4',
  '.m4v',
  '.mov',
  '.webm',
  '.mpg',
  '.mpeg',
  '.ts',
  '.nut',
  '.flv',
  '.ogv',
  '.wmv',
  '.gif',
  ...RAW_VIDEO_EXTENSIONS,
];

export interface FolderReadOptions extends ClipReadOptions {
  /** Overrides `VIDEO_EXTENSIONS`; matched case-insensitively. */
  readonly extensions?: readonly string[];
}

/** The video file names among `names`, sorted by code point (not locale) so runs agree. */
export function selectVideoFiles(
  names: readonly string[],
  extensions: readonly string[] = VIDEO_EXTENSIONS,
): string[] {
  const wanted = new Set(extensions.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()));
  return names
    .filter((name) => !name.startsWith('.') && wanted.has(path.extname(name).toLowerCase()))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * One name per file: the base name without extension, or the whole file name
 * where two files share a base name (`a.avi`, `a.mp4`).
 */
export function clipNames(files: readonly string[]): string[] {
  const stems = files.map((f) => path.basename(f, path.extname(f)));
  const count = new Map<string, number>();
  for (const stem of stems) count.set(stem, (count.get(stem) ?? 0) + 1);
  return files.map((f, i) => (count.get(stems[i]!)! > 1 ? path.basename(f) : stems[i]!));
}

/** Every video file in `folder`, each read as one clip. */
export async function readClipFolder(
  reader: ClipReader,
  folder: string,
  options: FolderReadOptions,
): Promise<Clip[]> {
  const extensions = options.extensions ?? VIDEO_EXTENSIONS;
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (cause) {
    throw new ClipReadError(
      'CLIP_NOT_FOUND',
      `cannot list clip folder ${folder}; check the --clips path`,
      { cause },
    );
  }
  const names = selectVideoFiles(
    entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name),
    extensions,
  );
  if (names.length === 0) {
    throw new ClipReadError(
      'CLIP_NOT_FOUND',
      `no video files in ${folder} (looked for ${extensions.join(' ')}); put clips there or point --clips at a video file`,
    );
  }
  checkRawUsed(folder, names, options);
  const readOptions = readOptionsOnly(options);
  const labels = clipNames(names);
  const clips: Clip[] = [];
  for (const [i, name] of names.entries()) {
    const clip = await reader.read(path.join(folder, name), readOptions);
    clips.push({ ...clip, name: labels[i]! });
  }
  return clips;
}

/** A file gives one clip, a folder one clip per video file in it. */
export async function readClips(
  reader: ClipReader,
  clipPath: string,
  options: FolderReadOptions,
): Promise<Clip[]> {
  const isFolder = await stat(clipPath).then(
    (s) => s.isDirectory(),
    () => false, // the reader reports a missing file (or handles a frame pattern)
  );
  if (isFolder) return readClipFolder(reader, clipPath, options);
  checkRawUsed(clipPath, [clipPath], options);
  return [await reader.read(clipPath, readOptionsOnly(options))];
}

/** A raw format given for clips that have no raw file is a mistake to report, not to ignore. */
function checkRawUsed(where: string, files: readonly string[], options: FolderReadOptions): void {
  if (options.raw === undefined || files.some(isRawVideoPath)) return;
  throw new ClipReadError(
    'USAGE',
    `--size, --pix-fmt and --fps describe raw ${RAW_VIDEO_EXTENSIONS.join(' ')} files, and ${where} has none (Y4M and other containers carry their own size, format and rate): drop those flags`,
  );
}

function readOptionsOnly(options: FolderReadOptions): ClipReadOptions {
  const { maxFrames, maxWidth, maxHeight, startFrame, raw } = options;
  return {
    maxFrames,
    ...(maxWidth === undefined ? {} : { maxWidth }),
    ...(maxHeight === undefined ? {} : { maxHeight }),
    ...(startFrame === undefined ? {} : { startFrame }),
    ...(raw === undefined ? {} : { raw }),
  };
}
