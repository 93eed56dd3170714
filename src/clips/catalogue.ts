/**
 * The clips codec-lab builds for itself, per set: which source file, which segment or motion.
 * Pure data (the specs: clip-spec.ts; their filters: clip-builders.ts, zoom-clip.ts; the
 * checks: catalogue-checks.ts).
 */
import { centredFootageClip, footageClip, panClip, syntheticClip } from './clip-builders.js';
import { CIF_CATALOGUE } from './catalogue-cif.js';
import type { ClipCatalogue, ClipPreset, ClipSpec } from './clip-spec.js';
import { ASTRONAUT, CHELSEA, COFFEE, ROCKET, TREE, VTEST } from './package-files.js';
import { zoomClip } from './zoom-clip.js';

const FRAMES = 12;

/** What the loop develops against: every clip the prompt may describe. */
export const DEV_CLIPS: readonly ClipSpec[] = [
  // The brief's y=200 showed only legs; from y=140 whole people walk through.
  footageClip({ name: 'vtest-walk', source: VTEST, startFrame: 0, frames: FRAMES, x: 400, y: 140 }),
  centredFootageClip({ name: 'tree', source: TREE, startFrame: 0, frames: FRAMES }),
  panClip({
    name: 'astronaut-pan',
    source: ASTRONAUT,
    fps: 10,
    frames: FRAMES,
    x0: 150,
    y0: 40,
    dx: 4,
    dy: 2,
  }),
  zoomClip({
    name: 'coffee-zoom',
    source: COFFEE,
    fps: 10,
    frames: FRAMES,
    centreX: 300,
    centreY: 170,
    startWidth: 400,
    startHeight: 300,
    shrinkWidth: 8,
    shrinkHeight: 6,
  }),
];

/** Kept apart from what the prompt shows: other photographs, another stretch of vtest. */
export const HOLDOUT_CLIPS: readonly ClipSpec[] = [
  panClip({
    name: 'chelsea-pan',
    source: CHELSEA,
    fps: 10,
    frames: FRAMES,
    x0: 240,
    y0: 60,
    dx: -6,
    dy: 2,
  }),
  zoomClip({
    name: 'rocket-zoom',
    source: ROCKET,
    fps: 10,
    frames: FRAMES,
    centreX: 320,
    centreY: 290,
    startWidth: 320,
    startHeight: 240,
    shrinkWidth: 8,
    shrinkHeight: 6,
  }),
  footageClip({
    name: 'vtest-late',
    source: VTEST,
    startFrame: 600,
    frames: FRAMES,
    x: 420,
    y: 280,
  }),
];

/** Synthetic, for smoke tests only: never scored. */
export const SMOKE_CLIPS: readonly ClipSpec[] = [
  syntheticClip({
    name: 'testsrc2',
    graph: 'testsrc2',
    width: 160,
    height: 120,
    fps: 10,
    frames: 8,
  }),
];

export const CATALOGUE: ClipCatalogue = {
  dev: DEV_CLIPS,
  holdout: HOLDOUT_CLIPS,
  smoke: SMOKE_CLIPS,
};

/** Every preset's catalogue (`clips prepare --preset`); `small` is the default. */
export const CATALOGUES: Readonly<Record<ClipPreset, ClipCatalogue>> = {
  small: CATALOGUE,
  cif: CIF_CATALOGUE,
};
