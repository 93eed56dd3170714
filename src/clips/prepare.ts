/**
 * Builds the clip sets of the catalogue into `<outDir>/<set>/`: each clip a
 * lossless FFV1/BGR Matroska file, each set a manifest pinning the clips'
 * pixels by hash. Clips that already match their manifest entry are kept.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { CodecLabError } from '../errors.js';
import type { ClipReader } from '../evaluation/clip.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';
import { FFMPEG_TIMEOUT_MS, defaultFfmpegPath } from '../ffmpeg.js';
import { writeFileAtomic } from '../atomic-file.js';
import { buildClip, clipFileName, describeSource } from './build-clip.js';
import { CATALOGUES } from './catalogue.js';
import { catalogueProblems } from './catalogue-checks.js';
import {
  CLIP_SET_NAMES,
  type ClipCatalogue,
  type ClipPreset,
  type ClipSetName,
  type ClipSpec,
} from './clip-spec.js';
import {
  type ClipManifestEntry,
  type ClipSetManifest,
  MANIFEST_FILE,
  manifestPreset,
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
  | { readonly type: 'manifest_written'; readonly set: ClipSetName; readonly file: string }
  | {
      /** The folder held another preset's set: it is rebuilt as this preset. */
      readonly type: 'replacing';
      readonly set: ClipSetName;
      readonly dir: string;
      readonly from: ClipPreset;
      readonly to: ClipPreset;
    };

export interface PrepareClipSetsOptions {
  /** Absolute (the config resolves every user path): ffmpeg runs in another directory. */
  readonly outDir: string;
  readonly source: PackageSource;
  /** Default: `defaultFfmpegPath()`. */
  readonly ffmpegPath?: string;
  readonly progress?: (event: PrepareEvent) => void;
  /** Default: every set (dev, holdout, smoke). */
  readonly sets?: readonly ClipSetName[];
  /** Default `small`; recorded in every manifest. */
  readonly preset?: ClipPreset;
  /** Default: the preset's catalogue (`CATALOGUES`); tests pass small ones. */
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
  readonly preset: ClipPreset;
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
  const preset = options.preset ?? 'small';
  const catalogue = options.catalogue ?? CATALOGUES[preset];
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
      await planSet(
        { set, preset, dir: path.join(options.outDir, set) },
        catalogue[set],
        reader,
        progress,
      ),
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
  target: { readonly set: ClipSetName; readonly preset: ClipPreset; readonly dir: string },
  specs: readonly ClipSpec[],
  reader: ClipReader,
  progress: (event: PrepareEvent) => void,
): Promise<SetPlan> {
  const { set, preset, dir } = target;
  await mkdir(dir, { recursive: true });
  let previous: ClipSetManifest | undefined;
  try {
    previous = await readClipSetManifest(dir);
  } catch (err) {
    if (!(err instanceof CodecLabError)) throw err;
    progress({ type: 'manifest_invalid', set, reason: err.message });
  }
  if (previous !== undefined && manifestPreset(previous) !== preset) {
    progress({ type: 'replacing', set, dir, from: manifestPreset(previous), to: preset });
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
  return { set, preset, dir, previous, clips };
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
    previous.preset === plan.preset &&
    isDeepStrictEqual(previous.clips, clips)
  ) {
    return previous;
  }
  const manifest: ClipSetManifest = {
    version: 1,
    set: plan.set,
    preset: plan.preset,
    built_at: now().toISOString(),
    clips,
  };
  const file = path.join(plan.dir, MANIFEST_FILE);
  await writeFileAtomic(file, serialiseClipSetManifest(manifest));
  progress({ type: 'manifest_written', set: plan.set, file });
  return manifest;
}
