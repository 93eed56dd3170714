/**
 * Every trusted anchor result in `<dataDir>/anchors/`, grouped by clip, for the status server:
 * it has no clips to measure, only the cache the loop and `codec-lab anchors` filled. A file is
 * listed only when it passes the same checks the cache applies before serving it.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkCacheFile, type ClipIdentity } from './anchor-cache.js';
import type { AnchorClipRow } from './anchors.js';
import {
  ANCHOR_NAMES,
  type AnchorName,
  type AnchorPoint,
  type AnchorSettings,
} from './anchor-point.js';

/** A clip as the anchor table describes it, with whichever anchors its cache holds. */
export interface ListedAnchorClip extends Omit<AnchorClipRow, 'anchors'> {
  /** The newest result of each anchor measured on this clip content. */
  readonly anchors: Partial<Record<AnchorName, readonly AnchorPoint[]>>;
}

interface CacheFileContent {
  readonly anchor: AnchorName;
  readonly settings: AnchorSettings;
  readonly clip: ClipIdentity;
  readonly points: readonly AnchorPoint[];
}

function parse(text: string): CacheFileContent | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const file = data as Partial<CacheFileContent> | null;
  if (
    typeof file !== 'object' ||
    file === null ||
    !ANCHOR_NAMES.includes(file.anchor as AnchorName) ||
    typeof file.settings !== 'object' ||
    typeof file.clip !== 'object' ||
    file.clip === null
  ) {
    return null;
  }
  const problem = checkCacheFile(data, file.settings, file.clip);
  return problem === undefined ? (data as CacheFileContent) : null;
}

export async function listAnchors(dataDir: string): Promise<ListedAnchorClip[]> {
  const dir = path.join(dataDir, 'anchors');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      try {
        const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
        const content = parse(text);
        return content === null ? null : { content, mtimeMs: info.mtimeMs };
      } catch {
        return null; // removed while listing
      }
    }),
  );
  const byClip = new Map<
    string,
    {
      clip: ClipIdentity;
      anchors: Map<AnchorName, { mtimeMs: number; points: readonly AnchorPoint[] }>;
    }
  >();
  for (const entry of files) {
    if (entry === null) continue;
    const { clip, anchor, points } = entry.content;
    let row = byClip.get(clip.sha256);
    if (row === undefined) {
      row = { clip, anchors: new Map() };
      byClip.set(clip.sha256, row);
    }
    const known = row.anchors.get(anchor);
    if (known === undefined || known.mtimeMs < entry.mtimeMs) {
      row.anchors.set(anchor, { mtimeMs: entry.mtimeMs, points });
    }
  }
  return [...byClip.values()]
    .map(({ clip, anchors }) => ({
      clip: clip.name,
      sha256: clip.sha256,
      width: clip.width,
      height: clip.height,
      frames: clip.frames,
      fps: clip.fps,
      anchors: Object.fromEntries([...anchors].map(([name, { points }]) => [name, points])),
    }))
    .sort((a, b) => a.clip.localeCompare(b.clip) || a.frames - b.frames);
}
