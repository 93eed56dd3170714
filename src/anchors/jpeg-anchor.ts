/**
 * The per-frame JPEG anchor (docs/ARCHITECTURE.md §3, "the naive codec"): an OpenCV JPEG codec file run
 * through exactly the pipeline candidate codecs go through — validation, smoke, the sandboxed
 * sweep, the same byte counting and metrics — so nothing about the comparison is special-cased.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { DEFAULT_QUALITIES } from '../contract.js';
import type { Clip } from '../evaluation/clip.js';
import type { Evaluator } from '../evaluation/evaluator.js';
import {
  AnchorError,
  type AnchorSettings,
  type JpegAnchorPoint,
  pickAnchorMetrics,
} from './anchor-point.js';

export const JPEG_ANCHOR_CODEC = fileURLToPath(
  new URL('../../assets/anchors/jpeg_opencv.py', import.meta.url),
);

/**
 * The evaluation's default sweep: JPEG quality 14 to 86 in the codec file's mapping
 * int(5 + 90·q).
 */
export const DEFAULT_JPEG_QUALITIES: readonly number[] = DEFAULT_QUALITIES;

export interface JpegAnchorOptions {
  /** The image the evaluator's sandbox runs (`sandbox.imageId`): part of the cache key. */
  readonly imageId: string;
  readonly codecPath?: string;
  readonly qualities?: readonly number[];
}

export class JpegAnchor {
  readonly codecPath: string;
  readonly qualities: readonly number[];
  private readonly imageId: string;
  private codec: Promise<Buffer> | undefined;

  constructor(
    private readonly evaluator: Pick<Evaluator, 'evaluate'>,
    options: JpegAnchorOptions,
  ) {
    this.imageId = options.imageId;
    this.codecPath = options.codecPath ?? JPEG_ANCHOR_CODEC;
    this.qualities = options.qualities ?? DEFAULT_JPEG_QUALITIES;
    const bad = this.qualities.filter((q) => !Number.isFinite(q) || q < 0 || q > 1);
    if (
      this.qualities.length === 0 ||
      bad.length > 0 ||
      new Set(this.qualities).size !== this.qualities.length
    ) {
      throw new AnchorError(
        'USAGE',
        `JPEG anchor qualities must be distinct numbers in [0, 1] (got ${this.qualities.join(', ') || 'none'})`,
      );
    }
  }

  async settings(): Promise<AnchorSettings> {
    const codec = await this.code();
    return {
      anchor: 'jpeg',
      levels: [...this.qualities],
      details: {
        codec_sha256: createHash('sha256').update(codec).digest('hex'),
        sandbox_image: this.imageId,
      },
    };
  }

  /** Every quality on every clip, in one evaluation; the result is in the order of `clips`. */
  async measure(clips: readonly Clip[]): Promise<JpegAnchorPoint[][]> {
    if (clips.length === 0) return [];
    const result = await this.evaluator.evaluate(await this.code(), clips, {
      qualities: this.qualities,
    });
    if (!result.ok) {
      throw new AnchorError(
        'JPEG_ANCHOR_FAILED',
        `the JPEG anchor (${this.codecPath}) failed at ${result.stage}: ` +
          `${result.failure.category}: ${result.failure.message}; it is a known-good codec, so ` +
          `check the sandbox image (codec-lab image status) and its limits`,
      );
    }
    if (result.imageId !== this.imageId) {
      throw new AnchorError(
        'JPEG_ANCHOR_FAILED',
        `the JPEG anchor ran in image ${result.imageId}, not ${this.imageId} as its cache key ` +
          `says; pass the evaluator's own sandbox.imageId`,
      );
    }
    return clips.map((clip, i) => {
      const measured = result.metrics.clips[i];
      if (measured?.clip !== clip.name || measured.points.length !== this.qualities.length) {
        throw new AnchorError(
          'JPEG_ANCHOR_FAILED',
          `the evaluation of the JPEG anchor has no complete result for clip ${clip.name}`,
        );
      }
      return measured.points.map((point) => ({
        quality: point.quality,
        ...pickAnchorMetrics(point),
      }));
    });
  }

  private code(): Promise<Buffer> {
    this.codec ??= readFile(this.codecPath).catch((cause: NodeJS.ErrnoException) => {
      this.codec = undefined;
      throw new AnchorError(
        'JPEG_ANCHOR_FAILED',
        `cannot read the JPEG anchor codec ${this.codecPath} (${cause.code ?? cause.message}); ` +
          `reinstall codec-lab or pass codecPath`,
        { cause },
      );
    });
    return this.codec;
  }
}
