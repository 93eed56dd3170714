/**
 * A prepared clip set on disk: a folder of lossless clips and the manifest
 * that names them, says where they came from and pins their pixels by hash.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

import { CodecLabError } from '../errors.js';
import { type Clip, type ClipReader, ClipReadError } from '../evaluation/clip.js';
import { CLIP_PRESETS, type ClipPreset } from './clip-spec.js';

export const MANIFEST_FILE = 'manifest.json';
export const PREPARE_COMMAND = 'codec-lab clips prepare';

const entrySchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, _ . - only'),
  file: z
    .string()
    .regex(/^[\w][\w.-]*$/, 'a plain file name inside the set folder')
    .refine((f) => !f.includes('..'), 'a plain file name inside the set folder'),
  kind: z.enum(['footage', 'pan', 'zoom', 'synthetic']),
  package: z.string().min(1),
  source_path: z.string().min(1),
  licence: z.string().min(1),
  width: z.int().positive(),
  height: z.int().positive(),
  fps: z.number().positive(),
  frames: z.int().positive(),
  /** Of the decoded frames as BGR24, in order: see `framesSha256`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  /** The `-vf` graph the clip was made with. */
  filter: z.string(),
});

const manifestSchema = z.object({
  version: z.literal(1),
  set: z.string().min(1),
  /** Which catalogue built it (`clips prepare --preset`); absent in older manifests: small. */
  preset: z.enum(CLIP_PRESETS as [ClipPreset, ...ClipPreset[]]).optional(),
  built_at: z.string().min(1),
  clips: z.array(entrySchema),
});

export type ClipManifestEntry = z.infer<typeof entrySchema>;
export type ClipSetManifest = z.infer<typeof manifestSchema>;

/** The preset a set was built from; manifests written before presets existed are `small`. */
export function manifestPreset(manifest: ClipSetManifest): ClipPreset {
  return manifest.preset ?? 'small';
}

/**
 * Refuses a dev set and a holdout set of different presets (a `clips prepare` interrupted
 * while replacing one preset with the other): the holdout would not judge what dev measured.
 */
export function checkSamePreset(
  dev: ClipSetManifest,
  holdout: ClipSetManifest,
  where: string,
): ClipPreset {
  const preset = manifestPreset(dev);
  if (manifestPreset(holdout) !== preset) {
    throw new CodecLabError(
      'CLIP_UNREADABLE',
      `the prepared sets in ${where} mix presets (dev: ${preset}, holdout: ${manifestPreset(holdout)}); run \`${PREPARE_COMMAND} --preset ${preset}\` (or the other preset) to finish preparing one`,
    );
  }
  return preset;
}

/** sha256 over the raw BGR24 frames, concatenated in order. */
export function framesSha256(frames: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const frame of frames) hash.update(frame);
  return hash.digest('hex');
}

export function serialiseClipSetManifest(manifest: ClipSetManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Parses and checks a manifest; `where` names the file in messages. */
export function parseClipSetManifest(text: string, where: string): ClipSetManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw corrupt(where, 'it is not JSON', cause);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw corrupt(where, problems.join('; '));
  }
  const names = new Set<string>();
  const files = new Set<string>();
  for (const clip of parsed.data.clips) {
    if (names.has(clip.name)) throw corrupt(where, `clip name ${clip.name} appears twice`);
    if (files.has(clip.file)) throw corrupt(where, `file ${clip.file} appears twice`);
    names.add(clip.name);
    files.add(clip.file);
  }
  return parsed.data;
}

function corrupt(where: string, why: string, cause?: unknown): CodecLabError {
  return new CodecLabError(
    'CLIP_UNREADABLE',
    `clip set manifest ${where} is invalid (${why}); re-run \`${PREPARE_COMMAND}\` to rebuild it`,
    { cause },
  );
}

/** Whether `dir` holds a clip set (its manifest file exists). */
export async function clipSetExists(dir: string): Promise<boolean> {
  return stat(path.join(dir, MANIFEST_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The manifest of the set in `dir`, or undefined when there is none. Throws when it is invalid. */
export async function readClipSetManifest(dir: string): Promise<ClipSetManifest | undefined> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CodecLabError('CLIP_UNREADABLE', `cannot read clip set manifest ${file}`, {
      cause: err,
    });
  }
  return parseClipSetManifest(text, file);
}

export interface LoadedClipSet {
  readonly manifest: ClipSetManifest;
  /** In manifest order, named as in the manifest. */
  readonly clips: Clip[];
}

/**
 * Reads every clip of the set in `dir` and checks each against its manifest
 * entry (geometry, frame count, sha256 of the pixels); reports every clip
 * that does not match at once.
 */
export async function loadClipSet(dir: string, reader: ClipReader): Promise<LoadedClipSet> {
  const manifest = await readClipSetManifest(dir);
  if (manifest === undefined) {
    throw new CodecLabError(
      'CLIP_UNREADABLE',
      `no clip set in ${dir} (no ${MANIFEST_FILE}); run \`${PREPARE_COMMAND}\` to build it, or point --clips at your own video files`,
    );
  }
  const clips: Clip[] = [];
  const problems: string[] = [];
  for (const entry of manifest.clips) {
    const result = await readEntry(dir, entry, reader);
    if (typeof result === 'string') problems.push(result);
    else clips.push(result);
  }
  if (problems.length > 0) {
    throw new CodecLabError(
      'CLIP_UNREADABLE',
      `clip set ${dir} does not match its manifest: ${problems.join('; ')}; re-run \`${PREPARE_COMMAND}\` to rebuild the clips`,
    );
  }
  return { manifest, clips };
}

/** The clip, or what is wrong with it. */
export async function readEntry(
  dir: string,
  entry: ClipManifestEntry,
  reader: ClipReader,
): Promise<Clip | string> {
  const file = path.join(dir, entry.file);
  let clip: Clip;
  try {
    // One frame more than listed, so an appended frame shows up as a changed file.
    clip = await reader.read(file, { maxFrames: entry.frames + 1 });
  } catch (err) {
    if (err instanceof ClipReadError && err.code === 'CLIP_NOT_FOUND') {
      return `${entry.name}: ${file} is missing`;
    }
    if (err instanceof ClipReadError && err.code !== 'FFMPEG_UNAVAILABLE') {
      return `${entry.name}: ${file} cannot be read (${err.message})`;
    }
    throw err;
  }
  if (clip.width !== entry.width || clip.height !== entry.height) {
    return `${entry.name}: ${file} changed: it is ${clip.width}x${clip.height}, the manifest says ${entry.width}x${entry.height}`;
  }
  if (clip.frames.length !== entry.frames) {
    return `${entry.name}: ${file} changed: it has ${clip.frames.length} frames, the manifest says ${entry.frames}`;
  }
  const sha256 = framesSha256(clip.frames);
  if (sha256 !== entry.sha256) {
    return `${entry.name}: ${file} changed since it was prepared (sha256 of its frames is ${sha256}, the manifest says ${entry.sha256})`;
  }
  // The manifest's exact rate, not the one ffmpeg prints rounded.
  return { ...clip, name: entry.name, fps: entry.fps };
}
