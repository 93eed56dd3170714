import { join } from 'node:path';
import type { Config } from '../config.js';
import { loadClipSet } from '../clips/clip-set.js';
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
  }
}

export async function clipsPrepareCommand(
  config: Config,
  outDir: string | undefined,
  out: (text: string) => void,
  progress: (line: string) => void,
): Promise<void> {
  const target = outDir ?? clipsDir(config);
  const sets = await prepareClipSets({
    outDir: target,
    source: new DebianPackageSource(join(config.cacheDir, 'debs')),
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
    progress: (event) => progress(describe(event)),
  });
  const reader = new FfmpegClipReader(config.ffmpegPath);
  for (const set of sets) {
    const { manifest } = await loadClipSet(set.dir, reader);
    out(
      `${set.set} (${set.dir}): ${manifest.clips.length} clips, ${set.built.length} built, ${set.reused.length} reused`,
    );
    for (const clip of manifest.clips) {
      out(
        `  ${clip.name.padEnd(16)} ${clip.width}x${clip.height} ${String(clip.frames).padStart(3)} frames @ ${clip.fps} fps  ${clip.kind.padEnd(8)} ${clip.package}: ${clip.source_path}  [${clip.licence}]`,
      );
    }
  }
}
