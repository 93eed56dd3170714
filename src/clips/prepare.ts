/**
 * Builds the clip sets of the catalogue into `<outDir>/<set>/`: each clip a
 * lossless FFV1/BGR Matroska file, each set a manifest pinning the clips'
 * pixels by hash. Clips that already match their manifest entry are kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { CodecLabError } from '../errors.js';
import type { ClipReader } from '../evaluation/clip.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import { FFMPEG_TIMEOUT_MS, defaultFfmpegPath } from '../ffmpeg.js';
import { writeFileAtomic } from '../atomic-file.js';
import { CATALOGUE } from './catalogue.js';
import { catalogueProblems } from './catalogue-checks.js';
import {
  CLIP_SET_NAMES,
  type ClipCatalogue,
  type ClipSetName,
  type ClipSpec,
} from './clip-spec.js';
import {
  type ClipManifestEntry,
  type ClipSetManifest,
  MANIFEST_FILE,
  framesSha256,
  readClipSetManifest,
  readEntry,
  serialiseClipSetManifest,
} from './clip-set.js';
import {
  type CommandRunner,
  type PackageSource,
  SourceUnavailableError,
  spawnRunner,
} from './sources.js';

export type PrepareEvent =
  | { readonly type: 'reused'; readonly set: ClipSetName; readonly clip: string }
  | {
      readonly type: 'locating';
      readonly set: ClipSetName;
      readonly clip: string;
      readonly package: string;
      readonly path: string;
    }
  | { readonly type: 'building'; readonly set: ClipSetName; readonly clip: string }
  | {
      readonly type: 'built';
      readonly set: ClipSetName;
      readonly clip: string;
      readonly file: string;
      readonly bytes: number;
    }
  | {
      /** The old manifest was invalid: every clip of the set is rebuilt. */
      readonly type: 'manifest_invalid';
      readonly set: ClipSetName;
      readonly reason: string;
    }
  | { readonly type: 'manifest_written'; readonly set: ClipSetName; readonly file: string };

export interface PrepareClipSetsOptions {
  /** Absolute (the config resolves every user path): ffmpeg runs in another directory. */
  readonly outDir: string;
  readonly source: PackageSource;
  /** Default: `defaultFfmpegPath()`. */
  readonly ffmpegPath?: string;
  readonly progress?: (event: PrepareEvent) => void;
  /** Default: every set (dev, holdout, smoke). */
  readonly sets?: readonly ClipSetName[];
  /** Default: `CATALOGUE`; tests pass small ones. */
  readonly catalogue?: ClipCatalogue;
  /** Reads clips back for hashing; default an `FfmpegClipReader` on `ffmpegPath`. */
  readonly reader?: ClipReader;
  /** Runs ffmpeg; default `spawnRunner`. */
  readonly run?: CommandRunner;
  readonly now?: () => Date;
}

export interface PreparedSet {
  readonly set: ClipSetName;
  readonly dir: string;
  readonly manifest: ClipSetManifest;
  /** Names of the clips built by this call. */
  readonly built: readonly string[];
  /** Names of the clips that already matched their manifest entry. */
  readonly reused: readonly string[];
}

interface SetPlan {
  readonly set: ClipSetName;
  readonly dir: string;
  readonly previous: ClipSetManifest | undefined;
  /** Every spec of the set, in order, with its kept entry when it needs no rebuild. */
  readonly clips: readonly { readonly spec: ClipSpec; readonly kept?: ClipManifestEntry }[];
}

export async function prepareClipSets(options: PrepareClipSetsOptions): Promise<PreparedSet[]> {
  if (!path.isAbsolute(options.outDir)) {
    // A relative path would mean one place to this process and another to ffmpeg, which runs
    // in the set's folder (issue 19): callers resolve user paths once, with resolveUserPath.
    throw new Error(`prepareClipSets needs an absolute outDir, not ${options.outDir}`);
  }
  const catalogue = options.catalogue ?? CATALOGUE;
  const problems = catalogueProblems(catalogue);
  if (problems.length > 0) throw new Error(`the clip catalogue is unsound: ${problems.join('; ')}`);
  const ffmpegPath = options.ffmpegPath ?? defaultFfmpegPath();
  const reader = options.reader ?? new FfmpegClipReader(ffmpegPath);
  const run = options.run ?? spawnRunner(FFMPEG_TIMEOUT_MS);
  const progress = options.progress ?? ((): void => {});
  const now = options.now ?? ((): Date => new Date());

  const plans: SetPlan[] = [];
  for (const set of options.sets ?? CLIP_SET_NAMES) {
    plans.push(
      await planSet(set, path.join(options.outDir, set), catalogue[set], reader, progress),
    );
  }
  const toBuild = plans.flatMap((plan) =>
    plan.clips.filter((c) => c.kept === undefined).map((c) => ({ set: plan.set, spec: c.spec })),
  );
  const inputs = await locateSources(toBuild, options.source, progress);

  const prepared: PreparedSet[] = [];
  for (const plan of plans) {
    const entries: ClipManifestEntry[] = [];
    const built: string[] = [];
    const reused: string[] = [];
    for (const { spec, kept } of plan.clips) {
      if (kept !== undefined) {
        // Fields that do not change pixels (the licence text) follow the catalogue.
        entries.push({ ...kept, ...describeSource(spec), licence: spec.licence });
        reused.push(spec.name);
        continue;
      }
      progress({ type: 'building', set: plan.set, clip: spec.name });
      const input = spec.kind === 'synthetic' ? spec.lavfi : inputs.get(spec);
      if (input === undefined) throw new Error(`no source located for clip ${spec.name}`);
      const entry = await buildClip(spec, input, plan.dir, ffmpegPath, run, reader);
      const file = path.join(plan.dir, entry.file);
      progress({
        type: 'built',
        set: plan.set,
        clip: spec.name,
        file,
        bytes: (await stat(file)).size,
      });
      entries.push(entry);
      built.push(spec.name);
    }
    const manifest = await writeManifest(plan, entries, now, progress);
    prepared.push({ set: plan.set, dir: plan.dir, manifest, built, reused });
  }
  return prepared;
}

/** Which clips of a set can be kept: the file is there, was made the same way, and hashes right. */
async function planSet(
  set: ClipSetName,
  dir: string,
  specs: readonly ClipSpec[],
  reader: ClipReader,
  progress: (event: PrepareEvent) => void,
): Promise<SetPlan> {
  await mkdir(dir, { recursive: true });
  let previous: ClipSetManifest | undefined;
  try {
    previous = await readClipSetManifest(dir);
  } catch (err) {
    if (!(err instanceof CodecLabError)) throw err;
    progress({ type: 'manifest_invalid', set, reason: err.message });
  }
  const clips: { spec: ClipSpec; kept?: ClipManifestEntry }[] = [];
  for (const spec of specs) {
    const entry = previous?.clips.find((c) => c.name === spec.name);
    if (entry !== undefined && sameRecipe(entry, spec)) {
      const clip = await readEntry(dir, entry, reader);
      if (typeof clip !== 'string') {
        progress({ type: 'reused', set, clip: spec.name });
        clips.push({ spec, kept: entry });
        continue;
      }
    }
    clips.push({ spec });
  }
  return { set, dir, previous, clips };
}

function sameRecipe(entry: ClipManifestEntry, spec: ClipSpec): boolean {
  const source = describeSource(spec);
  return (
    entry.file === clipFileName(spec) &&
    entry.kind === spec.kind &&
    entry.package === source.package &&
    entry.source_path === source.source_path &&
    entry.filter === spec.filter &&
    entry.width === spec.width &&
    entry.height === spec.height &&
    entry.fps === spec.fps &&
    entry.frames === spec.frames
  );
}

function clipFileName(spec: ClipSpec): string {
  return `${spec.name}.mkv`;
}

function describeSource(spec: ClipSpec): { package: string; source_path: string } {
  return spec.kind === 'synthetic'
    ? { package: 'ffmpeg', source_path: `lavfi:${spec.lavfi}` }
    : { package: spec.source.package, source_path: `/${spec.source.path}` };
}

/**
 * The input file of every clip to build, fetching each package once. Every
 * unavailable package is reported at once; none is replaced by anything else.
 */
async function locateSources(
  toBuild: readonly { set: ClipSetName; spec: ClipSpec }[],
  source: PackageSource,
  progress: (event: PrepareEvent) => void,
): Promise<Map<ClipSpec, string>> {
  const inputs = new Map<ClipSpec, string>();
  const failed = new Map<string, { error: SourceUnavailableError; clips: string[] }>();
  for (const { set, spec } of toBuild) {
    if (spec.kind === 'synthetic') continue;
    const pkg = spec.source.package;
    const failure = failed.get(pkg);
    if (failure !== undefined) {
      failure.clips.push(`${set}/${spec.name}`);
      continue;
    }
    progress({ type: 'locating', set, clip: spec.name, package: pkg, path: spec.source.path });
    try {
      const file = await source.fileOf(pkg, spec.source.path);
      // ffmpeg runs in the set's folder: a relative input would be looked up there.
      if (!path.isAbsolute(file)) throw new Error(`${pkg} gave a relative path: ${file}`);
      inputs.set(spec, file);
    } catch (err) {
      if (!(err instanceof SourceUnavailableError)) throw err;
      failed.set(pkg, { error: err, clips: [`${set}/${spec.name}`] });
    }
  }
  if (failed.size === 0) return inputs;
  const reports = [...failed.values()].map(
    ({ error, clips }) => `${error.message} [needed by ${clips.join(', ')}]`,
  );
  const errors = [...failed.values()].map((f) => f.error);
  throw new CodecLabError(
    'CLIP_UNREADABLE',
    `cannot build the clip sets: ${failed.size === 1 ? 'a source is' : `${failed.size} sources are`} unavailable (no clip is substituted):\n- ${reports.join('\n- ')}`,
    { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) },
  );
}

/** Makes one clip next to its final place, checks it, and renames it into place. */
async function buildClip(
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

/** Writes the manifest unless it would say the same as the one there. */
async function writeManifest(
  plan: SetPlan,
  clips: ClipManifestEntry[],
  now: () => Date,
  progress: (event: PrepareEvent) => void,
): Promise<ClipSetManifest> {
  const previous = plan.previous;
  if (
    previous !== undefined &&
    previous.set === plan.set &&
    isDeepStrictEqual(previous.clips, clips)
  ) {
    return previous;
  }
  const manifest: ClipSetManifest = {
    version: 1,
    set: plan.set,
    built_at: now().toISOString(),
    clips,
  };
  const file = path.join(plan.dir, MANIFEST_FILE);
  await writeFileAtomic(file, serialiseClipSetManifest(manifest));
  progress({ type: 'manifest_written', set: plan.set, file });
  return manifest;
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}
