/**
 * The `cif` preset: 352×288 × 30 frames, the size codec papers report on, cut from the same
 * real sources as the `small` catalogue (catalogue.ts) in the same way: crops of footage, pans
 * and zooms over photographs, and one resample (tree.avi is 320×240, so it is scaled by 1.2
 * to 384×288 before its crop). Dev and holdout keep the same separation. Pure data.
 */
import { footageClip, panClip, syntheticClip } from './clip-builders.js';
import type { ClipCatalogue, ClipSpec } from './clip-spec.js';
import { ASTRONAUT, CHELSEA, COFFEE, ROCKET, TREE, VTEST } from './package-files.js';
import { zoomClip } from './zoom-clip.js';

const FRAMES = 30;
const CIF = { width: 352, height: 288 } as const;

const CIF_DEV: readonly ClipSpec[] = [
  footageClip({
    name: 'vtest-walk',
    source: VTEST,
    startFrame: 0,
    frames: FRAMES,
    x: 360,
    y: 120,
    ...CIF,
  }),
  footageClip({
    name: 'tree',
    source: TREE,
    startFrame: 0,
    frames: FRAMES,
    scaledTo: { width: 384, height: 288 },
    x: 16,
    y: 0,
    ...CIF,
  }),
  panClip({
    name: 'astronaut-pan',
    source: ASTRONAUT,
    fps: 10,
    frames: FRAMES,
    x0: 20,
    y0: 20,
    dx: 4,
    dy: 2,
    ...CIF,
  }),
  zoomClip({
    name: 'coffee-zoom',
    source: COFFEE,
    fps: 10,
    frames: FRAMES,
    centreX: 300,
    centreY: 200,
    startWidth: 440,
    startHeight: 360,
    shrinkWidth: 2.2,
    shrinkHeight: 1.8,
    ...CIF,
  }),
];

const CIF_HOLDOUT: readonly ClipSpec[] = [
  panClip({
    name: 'chelsea-pan',
    source: CHELSEA,
    fps: 10,
    frames: FRAMES,
    x0: 96,
    y0: 6,
    dx: -3,
    dy: 0,
    ...CIF,
  }),
  zoomClip({
    name: 'rocket-zoom',
    source: ROCKET,
    fps: 10,
    frames: FRAMES,
    centreX: 320,
    centreY: 213,
    startWidth: 440,
    startHeight: 360,
    shrinkWidth: 2.2,
    shrinkHeight: 1.8,
    ...CIF,
  }),
  footageClip({
    name: 'vtest-late',
    source: VTEST,
    startFrame: 600,
    frames: FRAMES,
    x: 400,
    y: 260,
    ...CIF,
  }),
];

const CIF_SMOKE: readonly ClipSpec[] = [
  syntheticClip({ name: 'testsrc2', graph: 'testsrc2', ...CIF, fps: 10, frames: 8 }),
];

export const CIF_CATALOGUE: ClipCatalogue = {
  dev: CIF_DEV,
  holdout: CIF_HOLDOUT,
  smoke: CIF_SMOKE,
};
