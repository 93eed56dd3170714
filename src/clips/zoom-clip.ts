/** A zoom into a still photograph: frame by frame exact crops, scaled with lanczos. Pure. */
import type { PackageFile, Rect, ZoomSpec } from './clip-spec.js';
import { CLIP_HEIGHT, CLIP_WIDTH, SWS_FLAGS, type Size } from './clip-filters.js';

export function zoomClip(
  o: {
    name: string;
    source: PackageFile;
    fps: number;
    frames: number;
    centreX: number;
    centreY: number;
    startWidth: number;
    startHeight: number;
    shrinkWidth: number;
    shrinkHeight: number;
  } & Size,
): ZoomSpec {
  const width = o.width ?? CLIP_WIDTH;
  const height = o.height ?? CLIP_HEIGHT;
  const spec: Omit<ZoomSpec, 'filter'> = {
    kind: 'zoom',
    name: o.name,
    source: o.source,
    centreX: o.centreX,
    centreY: o.centreY,
    startWidth: o.startWidth,
    startHeight: o.startHeight,
    shrinkWidth: o.shrinkWidth,
    shrinkHeight: o.shrinkHeight,
    width,
    height,
    fps: o.fps,
    frames: o.frames,
    licence: o.source.licence,
    // Sets the graph's frame rate, which the encoder's time base follows.
    inputOptions: ['-framerate', String(o.fps)],
  };
  return { ...spec, filter: zoomFilter(spec) };
}

/**
 * One branch per frame, each an exact crop scaled with lanczos, concatenated:
 * crop's own size cannot change per frame, and zoompan rounds and scales
 * bicubically. Scaling happens in planar RGB so swscale never detours via YUV.
 */
function zoomFilter(spec: Omit<ZoomSpec, 'filter'>): string {
  const rects = zoomRects(spec);
  // A rectangle not exactly of the clip's aspect makes scale set a non-square SAR, which concat
  // refuses; the cif zooms (11:9 shrinking by 2.2×1.8 pixels) are within 0.3 % of it.
  const sar = rects.every((r) => r.width * spec.height === r.height * spec.width)
    ? ''
    : ',setsar=1';
  const split = rects.map((_, n) => `[s${n}]`).join('');
  const branches = rects.map(
    (r, n) =>
      `[s${n}]crop=${r.width}:${r.height}:${r.x}:${r.y},scale=${spec.width}:${spec.height}:flags=lanczos+accurate_rnd+bitexact${sar}[z${n}]`,
  );
  const joined = rects.map((_, n) => `[z${n}]`).join('');
  return [
    `scale=flags=${SWS_FLAGS},format=gbrp,split=${rects.length}${split}`,
    ...branches,
    `${joined}concat=n=${rects.length}:v=1:a=0,settb=AVTB,setpts=N/(${spec.fps}*TB),format=bgr0`,
  ].join(';');
}

/** The source rectangle each frame of a zoom shows. */
export function zoomRects(
  spec: Pick<
    ZoomSpec,
    'frames' | 'centreX' | 'centreY' | 'startWidth' | 'startHeight' | 'shrinkWidth' | 'shrinkHeight'
  >,
): Rect[] {
  return Array.from({ length: spec.frames }, (_, n) => {
    // Whole pixels; shrinks may be fractional (the cif zooms keep 11:9 that way).
    const width = Math.round(spec.startWidth - n * spec.shrinkWidth);
    const height = Math.round(spec.startHeight - n * spec.shrinkHeight);
    return {
      width,
      height,
      x: Math.round(spec.centreX - width / 2),
      y: Math.round(spec.centreY - height / 2),
    };
  });
}
