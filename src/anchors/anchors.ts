/**
 * The anchors measured on the same clips as candidates (docs/ARCHITECTURE.md §3.4): per-frame
 * JPEG, x264, x265, VP9 and AV1, their BD-rates against each other, and a candidate's BD-rate
 * against each.
 * `measureAnchors` is the only function here with side effects, all behind the injected anchors
 * and cache; the rest is pure.
 */
import type { Clip } from '../evaluation/clip.js';
import { bdRate } from '../evaluation/bd-rate.js';
import { summariseBdRates } from '../evaluation/bd-rate-summary.js';
import type { BdFailureReason, BdRateResult, RdPoint } from '../evaluation/bd-types.js';
import { type AnchorCache, type ClipIdentity, clipIdentity } from './anchor-cache.js';
import {
  ANCHOR_NAMES,
  FFMPEG_ANCHOR_NAMES,
  type AnchorName,
  type AnchorPoint,
  type AnchorPoints,
  type AnchorSettings,
  type FfmpegAnchorName,
  perAnchor,
  settingLabel,
} from './anchor-point.js';
import type { FfmpegAnchor } from './ffmpeg-anchor.js';
import type { JpegAnchor } from './jpeg-anchor.js';

export interface AnchorClipRow {
  readonly clip: string;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
  readonly anchors: AnchorPoints;
}

export interface AnchorTable {
  /** Exactly what each anchor was measured with (the cache key's contents). */
  readonly settings: { readonly [A in AnchorName]: AnchorSettings };
  readonly clips: readonly AnchorClipRow[];
}

export interface AnchorProgress {
  readonly anchor: AnchorName;
  readonly clips: readonly string[];
  readonly from: 'cache' | 'measured';
  readonly wallMs: number;
}

export interface MeasureAnchorsOptions {
  readonly clips: readonly Clip[];
  readonly ffmpeg: Pick<FfmpegAnchor, 'settings' | 'measure'>;
  readonly jpeg: Pick<JpegAnchor, 'settings' | 'measure'>;
  readonly cache: AnchorCache;
  readonly progress?: (event: AnchorProgress) => void;
  readonly now?: () => number;
}

/**
 * Every anchor on every clip, from the cache where it holds a trusted result. The JPEG anchor
 * (in the sandbox) runs alongside the ffmpeg ones (on the host).
 */
export async function measureAnchors(options: MeasureAnchorsOptions): Promise<AnchorTable> {
  const { clips, ffmpeg, jpeg, cache } = options;
  const now = options.now ?? Date.now;
  const progress = options.progress ?? ((): void => undefined);
  if (clips.length === 0) throw new Error('measureAnchors needs at least one clip');
  const names = clips.map((clip) => clip.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new Error(`two clips are named ${repeated}; names must differ`);
  const ids = clips.map(clipIdentity);
  const [jpegSettings, ...ffmpegSettings] = await Promise.all([
    jpeg.settings(),
    ...FFMPEG_ANCHOR_NAMES.map((anchor) => ffmpeg.settings(anchor)),
  ]);
  const settings = {
    jpeg: jpegSettings,
    ...Object.fromEntries(FFMPEG_ANCHOR_NAMES.map((anchor, i) => [anchor, ffmpegSettings[i]!])),
  } as AnchorTable['settings'];

  async function fromCache<A extends AnchorName>(
    settings: AnchorSettings & { readonly anchor: A },
  ): Promise<{ found: Array<AnchorPoints[A] | undefined>; missing: number[] }> {
    const started = now();
    const found = await Promise.all(ids.map((id) => cache.get(settings, id)));
    const missing = found.flatMap((points, i) => (points === undefined ? [i] : []));
    const hits = ids.filter((_, i) => found[i] !== undefined).map((id) => id.name);
    if (hits.length > 0) {
      progress({ anchor: settings.anchor, clips: hits, from: 'cache', wallMs: now() - started });
    }
    return { found, missing };
  }

  async function measureJpeg(): Promise<Array<AnchorPoints['jpeg']>> {
    const settings = { ...jpegSettings, anchor: 'jpeg' as const };
    const { found, missing } = await fromCache(settings);
    if (missing.length > 0) {
      const started = now();
      const measured = await jpeg.measure(missing.map((i) => clips[i]!));
      for (const [k, i] of missing.entries()) {
        found[i] = measured[k]!;
        await cache.put(settings, ids[i]!, measured[k]!);
      }
      const done = missing.map((i) => names[i]!);
      progress({ anchor: 'jpeg', clips: done, from: 'measured', wallMs: now() - started });
    }
    return found.map((points) => points!);
  }

  async function measureFfmpeg(
    anchor: FfmpegAnchorName,
    base: AnchorSettings,
  ): Promise<Array<AnchorPoints[FfmpegAnchorName]>> {
    const settings = { ...base, anchor };
    const { found, missing } = await fromCache(settings);
    for (const i of missing) {
      const started = now();
      const points = await ffmpeg.measure(clips[i]!, anchor);
      found[i] = points;
      await cache.put(settings, ids[i]!, points);
      progress({ anchor, clips: [names[i]!], from: 'measured', wallMs: now() - started });
    }
    return found.map((points) => points!);
  }

  // allSettled, not all: a failure in one must not leave the other writing in the background.
  // The ffmpeg anchors run one after the other (each single-threaded), beside the sandbox's JPEG.
  const [jpegOutcome, ffmpegOutcome] = await Promise.allSettled([
    measureJpeg(),
    (async () => {
      const measured: Array<Array<AnchorPoints[FfmpegAnchorName]>> = [];
      for (const anchor of FFMPEG_ANCHOR_NAMES) {
        measured.push(await measureFfmpeg(anchor, settings[anchor]));
      }
      return measured;
    })(),
  ]);
  if (jpegOutcome.status === 'rejected') throw jpegOutcome.reason;
  if (ffmpegOutcome.status === 'rejected') throw ffmpegOutcome.reason;
  const ffmpegPoints = ffmpegOutcome.value;
  return {
    settings,
    clips: ids.map((id: ClipIdentity, i) => ({
      clip: id.name,
      sha256: id.sha256,
      width: id.width,
      height: id.height,
      frames: id.frames,
      fps: id.fps,
      anchors: {
        jpeg: jpegOutcome.value[i]!,
        ...Object.fromEntries(
          FFMPEG_ANCHOR_NAMES.map((anchor, k) => [anchor, ffmpegPoints[k]![i]!]),
        ),
      } as AnchorPoints,
    })),
  };
}

// --- BD-rates (pure) ------------------------------------------------------------------------

export type BdClipFailureReason = BdFailureReason | 'no_anchor_for_clip';

export interface BdClipResult {
  readonly clip: string;
  /** Negative: the test codec needs fewer bits than the reference for the same luma PSNR. */
  readonly bd_rate_pct: number | null;
  /** Fraction of the reference's PSNR range the comparison covered. */
  readonly coverage?: number;
  readonly reason?: BdClipFailureReason;
  readonly message?: string;
}

export interface BdComparison {
  /** Mean over clips; null unless every clip has a BD-rate (a partial mean is another number). */
  readonly mean_pct: number | null;
  readonly median_pct: number | null;
  /** Why mean_pct is null. */
  readonly reason?: string;
  readonly per_clip: readonly BdClipResult[];
}

export interface AnchorPairBdRate extends BdComparison {
  readonly test: AnchorName;
  readonly reference: AnchorName;
}

/**
 * Each pair reads "test vs reference": newer against older, everything against naive JPEG.
 * The first three are the original pairs, in their original order; the newer anchors follow,
 * each against x264 (the reference researchers quote), x265 and JPEG.
 */
export const ANCHOR_PAIRS: ReadonlyArray<{
  readonly test: AnchorName;
  readonly reference: AnchorName;
}> = [
  { test: 'x265', reference: 'x264' },
  { test: 'x264', reference: 'jpeg' },
  { test: 'x265', reference: 'jpeg' },
  { test: 'vp9', reference: 'x264' },
  { test: 'av1', reference: 'x264' },
  { test: 'av1', reference: 'x265' },
  { test: 'av1', reference: 'vp9' },
  { test: 'vp9', reference: 'jpeg' },
  { test: 'av1', reference: 'jpeg' },
];

/** The anchors' BD-rates against each other, per clip and averaged. */
export function anchorBdRates(table: AnchorTable): AnchorPairBdRate[] {
  return ANCHOR_PAIRS.map(({ test, reference }) => ({
    test,
    reference,
    ...compareBdRates(
      table.clips.map((row) => ({
        clip: row.clip,
        result: bdRate(rdCurve(row.anchors[reference]), rdCurve(row.anchors[test])),
      })),
    ),
  }));
}

/** A codec's measured curve on one clip: `ClipResult` from the evaluator fits. */
export interface CodecClipCurve {
  readonly clip: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
  readonly points: ReadonlyArray<{ readonly bitrate_kbps: number; readonly psnr_y_db: number }>;
}

/** A candidate's BD-rate against each anchor, matched clip by clip (the evaluate JSON's `bd_rate`). */
export function codecBdRates(
  codec: readonly CodecClipCurve[],
  table: AnchorTable,
): Record<AnchorName, BdComparison> {
  const forAnchor = (anchor: AnchorName): BdComparison =>
    compareBdRates(
      codec.map((curve) => {
        const row = table.clips.find((r) => r.clip === curve.clip);
        const same =
          row !== undefined &&
          row.width === curve.width &&
          row.height === curve.height &&
          row.frames === curve.frames &&
          row.fps === curve.fps;
        if (!same) {
          const had = row ? ` (they were measured on ${describeClip(row)})` : '';
          return {
            clip: curve.clip,
            result: {
              ok: false as const,
              reason: 'no_anchor_for_clip' as const,
              message: `no ${anchor} anchor measured on clip ${curve.clip} as evaluated, ${describeClip(curve)}${had}; measure the anchors on the same clips and frames`,
            },
          };
        }
        return {
          clip: curve.clip,
          result: bdRate(rdCurve(row.anchors[anchor]), rdCurve(curve.points)),
        };
      }),
    );
  return perAnchor(forAnchor);
}

type ClipOutcome =
  | BdRateResult
  | { readonly ok: false; readonly reason: 'no_anchor_for_clip'; readonly message: string };

/** Per-clip BD-rates to one comparison: a mean only when every clip has a BD-rate. */
export function compareBdRates(
  perClip: ReadonlyArray<{ clip: string; result: ClipOutcome }>,
): BdComparison {
  const per_clip: BdClipResult[] = perClip.map(({ clip, result }) =>
    result.ok
      ? { clip, bd_rate_pct: result.bd_rate_pct, coverage: result.coverage }
      : { clip, bd_rate_pct: null, reason: result.reason, message: result.message },
  );
  const failed = per_clip.filter((c) => c.bd_rate_pct === null);
  if (per_clip.length === 0) {
    return { mean_pct: null, median_pct: null, reason: 'no clips to compare on', per_clip };
  }
  if (failed.length > 0) {
    const why = failed.map((c) => `${c.clip}: ${c.reason} (${c.message})`).join('; ');
    return {
      mean_pct: null,
      median_pct: null,
      reason: `${failed.length} of ${per_clip.length} clip(s) have no BD-rate: ${why}`,
      per_clip,
    };
  }
  const summary = summariseBdRates(
    perClip.flatMap(({ clip, result }) => (result.ok ? [{ clip, result }] : [])),
  );
  return { mean_pct: summary.mean_bd_rate_pct, median_pct: summary.median_bd_rate_pct, per_clip };
}

function rdCurve(
  points: ReadonlyArray<{ readonly bitrate_kbps: number; readonly psnr_y_db: number }>,
): RdPoint[] {
  return points.map((p) => ({ bitrate_kbps: p.bitrate_kbps, psnr_db: p.psnr_y_db }));
}

function describeClip(c: { width: number; height: number; frames: number; fps: number }): string {
  return `${c.width}x${c.height}, ${c.frames} frames @ ${c.fps} fps`;
}

// --- output (pure) --------------------------------------------------------------------------

/** `codec-lab anchors`: a table per clip, then the BD-rates of the anchors against each other. */
export function renderAnchorTable(
  table: AnchorTable,
  bdRates: readonly AnchorPairBdRate[],
): string {
  const lines: string[] = [];
  for (const row of table.clips) {
    lines.push(`clip ${row.clip}   ${describeClip(row)}   sha256 ${row.sha256.slice(0, 12)}`);
    lines.push('anchor  setting   kbps      bpp     PSNR-Y  worst   PSNR-YUV  SSIM-Y');
    for (const anchor of ANCHOR_NAMES) {
      for (const point of row.anchors[anchor] as readonly AnchorPoint[]) {
        lines.push(
          [
            anchor.padEnd(7),
            settingLabel(point).padEnd(9),
            fixed(point.bitrate_kbps, 1).padEnd(9),
            fixed(point.bits_per_pixel, 3).padEnd(7),
            fixed(point.psnr_y_db, 2).padEnd(7),
            fixed(point.worst_psnr_y_db, 2).padEnd(7),
            fixed(point.psnr_yuv_db, 2).padEnd(9),
            fixed(point.ssim_y, 4),
          ].join(' '),
        );
      }
    }
    lines.push('');
  }
  lines.push(
    'BD-rate on luma PSNR, per clip then averaged (negative: fewer bits for the same PSNR)',
  );
  for (const pair of bdRates) {
    const clips = pair.per_clip
      .map((c) => `${c.clip} ${c.bd_rate_pct === null ? `n/a (${c.reason})` : pct(c.bd_rate_pct)}`)
      .join(', ');
    const summary =
      pair.mean_pct === null
        ? `n/a: ${pair.reason ?? 'unknown'}`
        : `mean ${pct(pair.mean_pct)}  median ${pct(pair.median_pct ?? pair.mean_pct)}`;
    lines.push(`${`${pair.test} vs ${pair.reference}`.padEnd(13)} ${summary}   [${clips}]`);
  }
  return lines.join('\n');
}

/** `codec-lab anchors --json`: the anchors' own points per clip and their BD-rates. */
export function anchorsJson(
  table: AnchorTable,
  bdRates: readonly AnchorPairBdRate[],
): Record<string, unknown> {
  return { settings: table.settings, clips: table.clips, bd_rates: bdRates };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

function pct(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}
