/**
 * Anchor results cached on disk, one file per anchor, settings and clip content:
 * `<dataDir>/anchors/<anchor>-<settingsHash>-<clipSha>.json`. A file is served only when every
 * part of it checks out; anything else is logged and re-measured, never trusted.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Clip } from '../evaluation/clip.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../atomic-file.js';
import {
  ANCHOR_METRIC_KEYS,
  type AnchorName,
  type AnchorPoints,
  type AnchorSettings,
  type JsonValue,
} from './anchor-point.js';

const FORMAT = 'codec-lab anchor v1';
const SETTINGS_HASH_CHARS = 16;

/** What a clip is, for caching: its content, not its name or where it came from. */
export interface ClipIdentity {
  readonly name: string;
  /** sha256 of geometry, frame rate, frame count and every raw frame. */
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
}

export function clipIdentity(clip: Clip): ClipIdentity {
  const hash = createHash('sha256').update(
    `codec-lab clip v1 ${clip.width}x${clip.height} fps=${clip.fps} frames=${clip.frames.length}\n`,
  );
  for (const frame of clip.frames) hash.update(frame);
  return {
    name: clip.name,
    sha256: hash.digest('hex'),
    width: clip.width,
    height: clip.height,
    frames: clip.frames.length,
    fps: clip.fps,
  };
}

/** JSON with object keys sorted at every level, so equal settings always hash alike. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v as JsonValue)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as { readonly [key: string]: JsonValue })
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function settingsHash(settings: AnchorSettings): string {
  return createHash('sha256')
    .update(canonicalJson(settings as unknown as JsonValue))
    .digest('hex')
    .slice(0, SETTINGS_HASH_CHARS);
}

export function anchorCachePath(
  dataDir: string,
  settings: AnchorSettings,
  clip: ClipIdentity,
): string {
  return path.join(
    dataDir,
    'anchors',
    `${settings.anchor}-${settingsHash(settings)}-${clip.sha256}.json`,
  );
}

export interface AnchorCache {
  get<A extends AnchorName>(
    settings: AnchorSettings & { readonly anchor: A },
    clip: ClipIdentity,
  ): Promise<AnchorPoints[A] | undefined>;
  put<A extends AnchorName>(
    settings: AnchorSettings & { readonly anchor: A },
    clip: ClipIdentity,
    points: AnchorPoints[A],
  ): Promise<void>;
}

export class FileAnchorCache implements AnchorCache {
  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  async get<A extends AnchorName>(
    settings: AnchorSettings & { readonly anchor: A },
    clip: ClipIdentity,
  ): Promise<AnchorPoints[A] | undefined> {
    const file = anchorCachePath(this.dataDir, settings, clip);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.log.warn({ err, file }, 'anchor cache file unreadable; measuring again');
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      this.log.warn({ file, problem: 'not JSON' }, 'ignoring corrupt anchor cache file');
      return undefined;
    }
    const problem = checkCacheFile(data, settings, clip);
    if (problem !== undefined) {
      this.log.warn({ file, problem }, 'ignoring corrupt anchor cache file');
      return undefined;
    }
    // Rebuilt from the checked fields only: nothing else in the file is passed on.
    const levelKey = settings.anchor === 'jpeg' ? 'quality' : 'crf';
    const points = (data as { points: Array<Record<string, number>> }).points.map((point) => {
      const kept: Record<string, number> = { [levelKey]: point[levelKey]! };
      for (const key of ANCHOR_METRIC_KEYS) kept[key] = point[key]!;
      return kept;
    });
    return points as unknown as AnchorPoints[A];
  }

  async put<A extends AnchorName>(
    settings: AnchorSettings & { readonly anchor: A },
    clip: ClipIdentity,
    points: AnchorPoints[A],
  ): Promise<void> {
    const file = anchorCachePath(this.dataDir, settings, clip);
    await mkdir(path.dirname(file), { recursive: true });
    const content = {
      format: FORMAT,
      anchor: settings.anchor,
      settings_hash: settingsHash(settings),
      settings,
      clip,
      points,
    };
    await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
    this.log.debug({ file, anchor: settings.anchor, clip: clip.name }, 'anchor result cached');
  }
}

/** Why a parsed cache file cannot be trusted for these settings and this clip, if it cannot. */
export function checkCacheFile(
  data: unknown,
  settings: AnchorSettings,
  clip: ClipIdentity,
): string | undefined {
  if (!isObject(data)) return 'not a JSON object';
  if (data.format !== FORMAT) return `format is ${JSON.stringify(data.format)}, not '${FORMAT}'`;
  if (data.anchor !== settings.anchor) return `anchor is ${JSON.stringify(data.anchor)}`;
  if (data.settings_hash !== settingsHash(settings)) return 'settings hash differs';
  // The hash in the file name is truncated: compare the settings themselves.
  if (
    canonicalJson(data.settings as JsonValue) !== canonicalJson(settings as unknown as JsonValue)
  ) {
    return 'settings differ';
  }
  if (!isObject(data.clip) || data.clip.sha256 !== clip.sha256) return 'clip hash differs';
  const points = data.points;
  if (!Array.isArray(points)) return 'points is not an array';
  if (points.length !== settings.levels.length) {
    return `${points.length} points for ${settings.levels.length} settings`;
  }
  const levelKey = settings.anchor === 'jpeg' ? 'quality' : 'crf';
  for (const [i, point] of points.entries()) {
    if (!isObject(point)) return `point ${i} is not an object`;
    if (point[levelKey] !== settings.levels[i]) {
      return `point ${i} has ${levelKey} ${JSON.stringify(point[levelKey])}, expected ${settings.levels[i]}`;
    }
    for (const key of ANCHOR_METRIC_KEYS) {
      const value = point[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return `point ${i} has ${key} = ${JSON.stringify(value)}`;
      }
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
