/**
 * The geometry and separation checks of a catalogue: every crop inside its source, sizes even,
 * names unique, and no holdout clip sharing source pictures with a dev clip. Pure.
 */
import {
  CLIP_SET_NAMES,
  type ClipCatalogue,
  type ClipSetName,
  type ClipSpec,
  type PackageFile,
  type Rect,
} from './clip-spec.js';
import { zoomRects } from './zoom-clip.js';

/** Where a clip's pictures come from, for telling whether two clips overlap. */
export interface SourceSegment {
  /** `package:path`, or `lavfi:graph`. */
  readonly source: string;
  /** Inclusive frame range; a still photograph is one segment as a whole. */
  readonly firstFrame: number;
  readonly lastFrame: number;
}

export function sourceSegment(spec: ClipSpec): SourceSegment {
  switch (spec.kind) {
    case 'footage':
      return {
        source: `${spec.source.package}:${spec.source.path}`,
        firstFrame: spec.startFrame,
        lastFrame: spec.startFrame + spec.frames - 1,
      };
    case 'pan':
    case 'zoom':
      return {
        source: `${spec.source.package}:${spec.source.path}`,
        firstFrame: 0,
        lastFrame: 0,
      };
    case 'synthetic':
      return { source: `lavfi:${spec.lavfi}`, firstFrame: 0, lastFrame: spec.frames - 1 };
  }
}

export function segmentsOverlap(a: SourceSegment, b: SourceSegment): boolean {
  return a.source === b.source && a.firstFrame <= b.lastFrame && b.firstFrame <= a.lastFrame;
}

/** Everything wrong with one spec (empty when it is sound). */
export function clipSpecProblems(spec: ClipSpec): string[] {
  const problems: string[] = [];
  const bad = (what: string): void => {
    problems.push(`${spec.name}: ${what}`);
  };
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.name)) bad('name must be lower-case letters, digits and -');
  if (!isEvenSize(spec.width) || !isEvenSize(spec.height)) {
    bad(`size ${spec.width}x${spec.height} must be even and at least 2x2`);
  }
  if (!Number.isSafeInteger(spec.frames) || spec.frames < 1) bad('frames must be positive');
  if (!(spec.fps > 0)) bad('fps must be positive');
  const inside = (r: Rect, source: PackageFile, frame: number): void => {
    if (r.x < 0 || r.y < 0 || r.x + r.width > source.width || r.y + r.height > source.height) {
      bad(
        `frame ${frame} crops ${r.width}x${r.height} at ${r.x},${r.y}, outside the ${source.width}x${source.height} source`,
      );
    }
  };
  switch (spec.kind) {
    case 'footage':
      inside(
        { width: spec.width, height: spec.height, x: spec.x, y: spec.y },
        { ...spec.source, ...spec.scaledTo },
        0,
      );
      if (spec.startFrame < 0 || spec.startFrame + spec.frames > spec.source.frames) {
        bad(
          `frames ${spec.startFrame}-${spec.startFrame + spec.frames - 1} are not all within the source's ${spec.source.frames}`,
        );
      }
      break;
    case 'pan':
      for (let n = 0; n < spec.frames; n++) {
        const r = {
          width: spec.width,
          height: spec.height,
          x: spec.x0 + n * spec.dx,
          y: spec.y0 + n * spec.dy,
        };
        inside(r, spec.source, n);
      }
      break;
    case 'zoom':
      for (const [n, r] of zoomRects(spec).entries()) {
        if (r.width < spec.width || r.height < spec.height) {
          bad(`frame ${n} would upscale a ${r.width}x${r.height} rectangle`);
        }
        inside(r, spec.source, n);
      }
      break;
    case 'synthetic':
      break;
  }
  return problems;
}

function isEvenSize(size: number): boolean {
  return Number.isSafeInteger(size) && size >= 2 && size % 2 === 0;
}

/** Problems across a whole catalogue: each spec, unique names, no holdout overlap. */
export function catalogueProblems(catalogue: ClipCatalogue): string[] {
  const problems = CLIP_SET_NAMES.flatMap((set) => catalogue[set].flatMap(clipSpecProblems));
  const all = CLIP_SET_NAMES.flatMap((set) => catalogue[set].map((spec) => ({ set, spec })));
  const seen = new Map<string, ClipSetName>();
  for (const { set, spec } of all) {
    const other = seen.get(spec.name);
    if (other !== undefined) problems.push(`${spec.name} is in both ${other} and ${set}`);
    seen.set(spec.name, set);
  }
  for (const held of catalogue.holdout) {
    for (const dev of catalogue.dev) {
      if (segmentsOverlap(sourceSegment(held), sourceSegment(dev))) {
        problems.push(`holdout ${held.name} shares source pictures with dev ${dev.name}`);
      }
    }
  }
  for (const spec of [...catalogue.dev, ...catalogue.holdout]) {
    if (spec.kind === 'synthetic')
      problems.push(`${spec.name}: synthetic clips are for smoke only`);
  }
  return problems;
}
