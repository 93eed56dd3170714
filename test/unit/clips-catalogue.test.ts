import { describe, expect, it } from 'vitest';

import { CATALOGUE, DEV_CLIPS, HOLDOUT_CLIPS, SMOKE_CLIPS } from '../../src/clips/catalogue.js';
import {
  catalogueProblems,
  clipSpecProblems,
  segmentsOverlap,
  sourceSegment,
} from '../../src/clips/catalogue-checks.js';
import { footageClip, panClip } from '../../src/clips/clip-builders.js';
import { CLIP_SET_NAMES, type ClipSpec } from '../../src/clips/clip-spec.js';
import { ASTRONAUT, COFFEE, VTEST } from '../../src/clips/package-files.js';
import { zoomClip, zoomRects } from '../../src/clips/zoom-clip.js';

const scored: readonly ClipSpec[] = [...DEV_CLIPS, ...HOLDOUT_CLIPS];

describe('the clip catalogue', () => {
  it('has the four dev clips and the three holdout clips', () => {
    expect(DEV_CLIPS.map((c) => c.name)).toEqual([
      'vtest-walk',
      'tree',
      'astronaut-pan',
      'coffee-zoom',
    ]);
    expect(HOLDOUT_CLIPS.map((c) => c.name)).toEqual(['chelsea-pan', 'rocket-zoom', 'vtest-late']);
  });

  it('is sound as a whole', () => {
    expect(catalogueProblems(CATALOGUE)).toEqual([]);
  });

  it('keeps dev and holdout apart: no shared name, no shared source pictures', () => {
    const devNames = new Set(DEV_CLIPS.map((c) => c.name));
    for (const held of HOLDOUT_CLIPS) {
      expect(devNames.has(held.name)).toBe(false);
      for (const dev of DEV_CLIPS) {
        expect(
          segmentsOverlap(sourceSegment(held), sourceSegment(dev)),
          `${held.name}/${dev.name}`,
        ).toBe(false);
      }
    }
    // Each still photograph serves one set only.
    const stills = (specs: readonly ClipSpec[]): string[] =>
      specs
        .filter((c) => c.kind === 'pan' || c.kind === 'zoom')
        .map((c) => sourceSegment(c).source);
    const devStills = new Set(stills(DEV_CLIPS));
    for (const still of stills(HOLDOUT_CLIPS)) expect(devStills.has(still)).toBe(false);
  });

  it('makes every scored clip 160x120 (even), at least 8 frames, from real pictures', () => {
    for (const spec of scored) {
      expect([spec.width, spec.height], spec.name).toEqual([160, 120]);
      expect((spec.width % 2) + (spec.height % 2)).toBe(0);
      expect(spec.frames).toBeGreaterThanOrEqual(8);
      expect(spec.kind).not.toBe('synthetic');
      expect(spec.fps).toBeGreaterThan(0);
      expect(spec.licence).not.toBe('');
      expect(clipSpecProblems(spec)).toEqual([]);
    }
  });

  it('keeps synthetic clips in the smoke set only', () => {
    expect(SMOKE_CLIPS.map((c) => [c.name, c.kind])).toEqual([['testsrc2', 'synthetic']]);
    const smokeNames = new Set(SMOKE_CLIPS.map((c) => c.name));
    for (const spec of scored) expect(smokeNames.has(spec.name)).toBe(false);
    expect(new Set(CLIP_SET_NAMES)).toEqual(new Set(['dev', 'holdout', 'smoke']));
  });

  it('never uses the film trailer in the OpenCV data', () => {
    for (const spec of scored) expect(sourceSegment(spec).source).not.toMatch(/Megamind/i);
  });

  it('records the licence of each source', () => {
    const licence = Object.fromEntries(scored.map((c) => [c.name, c.licence]));
    expect(licence['vtest-walk']).toBe('Apache-2.0 AND BSD-3-Clause (OpenCV sample data)');
    expect(licence['astronaut-pan']).toBe('public domain (NASA)');
    expect(licence['coffee-zoom']).toBe('CC0 (Rachel Michetti)');
  });

  it('writes the exact filters from the geometry', () => {
    const walk = DEV_CLIPS[0]!;
    expect(walk.filter).toBe(
      'trim=start_frame=0:end_frame=12,settb=AVTB,setpts=N/(10*TB),scale=flags=accurate_rnd+full_chroma_int+bitexact,format=bgr0,crop=160:120:400:140',
    );
    const pan = DEV_CLIPS[2]!;
    expect(pan.filter).toMatch(/crop=160:120:150\+4\*n:40\+2\*n$/);
    expect(pan.inputOptions).toEqual(['-loop', '1', '-framerate', '10']);
    const left = panClip({
      name: 'p',
      source: ASTRONAUT,
      fps: 10,
      frames: 8,
      x0: 100,
      y0: 50,
      dx: -3,
      dy: 0,
    });
    expect(left.filter).toMatch(/crop=160:120:100-3\*n:50$/);
    const zoom = DEV_CLIPS[3]!;
    expect(zoom.filter.split(';')).toHaveLength(12 + 2);
    expect(zoom.filter).toContain('[s0]crop=400:300:100:20,scale=160:120:flags=lanczos');
    expect(zoom.filter).toContain('[s11]crop=312:234:144:53,scale=160:120:flags=lanczos');
    expect(zoom.filter).toMatch(/concat=n=12:v=1:a=0,settb=AVTB,setpts=N\/\(10\*TB\),format=bgr0$/);
  });

  it('zooms in steadily about a fixed centre', () => {
    const rects = zoomRects({
      frames: 4,
      centreX: 300,
      centreY: 170,
      startWidth: 400,
      startHeight: 300,
      shrinkWidth: 8,
      shrinkHeight: 6,
    });
    expect(rects).toEqual([
      { width: 400, height: 300, x: 100, y: 20 },
      { width: 392, height: 294, x: 104, y: 23 },
      { width: 384, height: 288, x: 108, y: 26 },
      { width: 376, height: 282, x: 112, y: 29 },
    ]);
  });

  it('finds geometry that leaves the source', () => {
    const late = footageClip({
      name: 'too-late',
      source: VTEST,
      startFrame: 790,
      frames: 12,
      x: 700,
      y: 0,
    });
    const problems = clipSpecProblems(late);
    expect(problems.join('\n')).toMatch(/outside the 768x576 source/);
    expect(problems.join('\n')).toMatch(/frames 790-801 are not all within the source's 795/);
    const pan = panClip({
      name: 'off',
      source: ASTRONAUT,
      fps: 10,
      frames: 12,
      x0: 300,
      y0: 0,
      dx: 10,
      dy: 0,
    });
    expect(clipSpecProblems(pan).join('\n')).toMatch(/frame \d+ crops 160x120 at \d+,0, outside/);
    const zoom = zoomClip({
      name: 'up',
      source: COFFEE,
      fps: 10,
      frames: 12,
      centreX: 300,
      centreY: 200,
      startWidth: 200,
      startHeight: 150,
      shrinkWidth: 8,
      shrinkHeight: 6,
    });
    expect(clipSpecProblems(zoom).join('\n')).toMatch(/would upscale/);
  });

  it('finds overlap between dev and holdout, and a synthetic clip outside smoke', () => {
    const early = footageClip({
      name: 'vtest-early',
      source: VTEST,
      startFrame: 6,
      frames: 12,
      x: 0,
      y: 0,
    });
    const synthetic = SMOKE_CLIPS[0]!;
    const problems = catalogueProblems({
      dev: DEV_CLIPS,
      holdout: [early, { ...synthetic, name: 'synth' }],
      smoke: SMOKE_CLIPS,
    });
    expect(problems).toContain('holdout vtest-early shares source pictures with dev vtest-walk');
    expect(problems).toContain('synth: synthetic clips are for smoke only');
    expect(catalogueProblems({ dev: DEV_CLIPS, holdout: [DEV_CLIPS[1]!], smoke: [] })).toContain(
      'tree is in both dev and holdout',
    );
  });
});
