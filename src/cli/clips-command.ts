import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { MANIFEST_FILE, loadClipSet } from '../clips/clip-set.js';
import type { ClipPreset } from '../clips/clip-spec.js';
import { prepareClipSets, type PrepareEvent } from '../clips/prepare.js';
import { DebianPackageSource } from '../clips/sources.js';
import { FfmpegClipReader } from '../evaluation/ffmpeg-clip-reader.js';

/** Where `clips prepare` puts the sets by default, and where evaluate looks for them. */
export function clipsDir(config: Config): string {
  return join(config.dataDir, 'clips');
}

function describe(event: PrepareEvent): string {
  switch (event.type) {
    case 'reused':
      return `${event.set}/${event.clip}: up to date`;
    case 'locating':
      return `${event.set}/${event.clip}: locating ${event.path} in Debian's ${event.package}`;
    case 'building':
      return `${event.set}/${event.clip}: building`;
    case 'built':
      return `${event.set}/${event.clip}: built ${event.file} (${event.bytes} bytes)`;
    case 'manifest_invalid':
      return `${event.set}: the old manifest is invalid (${event.reason}); rebuilding the set`;
    case 'manifest_written':
      return `${event.set}: wrote ${event.file}`;
    case 'replacing':
      return `${event.set}: ${event.dir} holds the ${event.from} preset: replacing it with ${event.to} (\`clips prepare --preset ${event.from}\` brings it back)`;
  }
}

export async function clipsPrepareCommand(
  config: Config,
  options: { readonly outDir?: string | undefined; readonly preset: ClipPreset },
  out: (text: string) => void,
  progress: (line: string) => void,
): Promise<void> {
  const target = options.outDir ?? clipsDir(config);
  const startedMs = Date.now();
  const sets = await prepareClipSets({
    outDir: target,
    preset: options.preset,
    source: new DebianPackageSource(join(config.cacheDir, 'debs')),
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
    progress: (event) => progress(describe(event)),
  });
  const reader = new FfmpegClipReader(config.ffmpegPath);
  let bytes = 0;
  for (const set of sets) {
    const { manifest } = await loadClipSet(set.dir, reader);
    const setBytes = await filesBytes(set.dir, [
      MANIFEST_FILE,
      ...manifest.clips.map((clip) => clip.file),
    ]);
    bytes += setBytes;
    out(
      `${set.set} (${set.dir}): ${manifest.clips.length} clips of preset ${options.preset}, ${set.built.length} built, ${set.reused.length} reused, ${megabytes(setBytes)}`,
    );
    for (const clip of manifest.clips) {
      out(
        `  ${clip.name.padEnd(16)} ${clip.width}x${clip.height} ${String(clip.frames).padStart(3)} frames @ ${clip.fps} fps  ${clip.kind.padEnd(8)} ${clip.package}: ${clip.source_path}  [${clip.licence}]`,
      );
    }
  }
  out(
    `preset ${options.preset} in ${target}: ${megabytes(bytes)} on disk, prepared in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
  );
}

async function filesBytes(dir: string, files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(join(dir, file))).size;
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
