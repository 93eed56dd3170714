/** What the sweep's points add up to: the summary per quality and the quality floor. */
import { cause } from './cause.js';
import type { Failure } from './failure.js';
import type { ClipResult, RdPointMetrics, SummaryPoint } from './results.js';

/** The quality floor: at its best quality point, every clip must reach `floorDb`. */
export function qualityFloorFailure(clips: readonly ClipResult[], floorDb: number): Failure | null {
  for (const clip of clips) {
    const top = clip.points.reduce<RdPointMetrics | undefined>(
      (best, point) => (best === undefined || point.quality > best.quality ? point : best),
      undefined,
    );
    if (top !== undefined && top.psnr_y_db < floorDb) {
      return {
        category: 'quality_floor',
        message: `on clip ${clip.clip} the best quality point (quality ${top.quality}) reaches only ${top.psnr_y_db.toFixed(2)} dB luma PSNR; the floor is ${floorDb} dB: the decoder must reconstruct the frames, not approximate them`,
        cause: cause('quality_floor', {
          clip: clip.clip,
          quality: top.quality,
          psnr_y_db: Number(top.psnr_y_db.toFixed(2)),
          floor_db: floorDb,
        }),
      };
    }
  }
  return null;
}

/** Per quality, the mean over clips of each figure (the worst frame and block are minima). */
export function summarise(
  clips: readonly ClipResult[],
  qualities: readonly number[],
): SummaryPoint[] {
  return qualities.map((quality) => {
    const found = clips.flatMap((clip) => {
      const point = clip.points.find((p) => p.quality === quality);
      return point === undefined ? [] : [{ clip: clip.clip, point }];
    });
    const points = found.map(({ point }) => point);
    const worstBlock = found.reduce<(typeof found)[number] | undefined>(
      (worst, entry) =>
        worst === undefined || entry.point.worst_block_psnr_y_db < worst.point.worst_block_psnr_y_db
          ? entry
          : worst,
      undefined,
    );
    const mean = (pick: (point: RdPointMetrics) => number): number =>
      points.reduce((sum, point) => sum + pick(point), 0) / Math.max(points.length, 1);
    return {
      quality,
      bitrate_kbps: mean((p) => p.bitrate_kbps),
      bits_per_pixel: mean((p) => p.bits_per_pixel),
      psnr_y_db: mean((p) => p.psnr_y_db),
      worst_psnr_y_db: Math.min(...points.map((p) => p.worst_psnr_y_db)),
      worst_block_psnr_y_db: worstBlock?.point.worst_block_psnr_y_db ?? Number.POSITIVE_INFINITY,
      worst_block: worstBlock
        ? { clip: worstBlock.clip, ...worstBlock.point.worst_block }
        : { clip: '', frame: 0, x: 0, y: 0 },
      psnr_yuv_db: mean((p) => p.psnr_yuv_db),
      ssim_y: mean((p) => p.ssim_y),
      encode_fps: mean((p) => p.encode_fps),
      decode_fps: mean((p) => p.decode_fps),
    };
  });
}
