import { describe, expect, it } from 'vitest';

import {
  DEFAULT_ADOPTION_POLICY,
  decideAdoption,
  worstBlockCheck,
} from '../../src/evaluation/adoption.js';
import { assessCodec } from '../../src/assessment/assessment.js';
import { fits } from '../../src/evaluation/cause.js';
import type { ClipResult, RdPointMetrics } from '../../src/evaluation/results.js';
import { summarise } from '../../src/evaluation/summary.js';
import {
  worstBlockFacts,
  worstBlockFailure,
  worstBlockFloorDb,
  type WorstBlockRule,
} from '../../src/evaluation/worst-block.js';
import { lookupCause } from '../../src/governance/cause-lookup.js';
import { recommend } from '../../src/governance/recommendations.js';
import { contract } from './governance-fakes.js';
import { clip, FakeClock, FakePorts, QUALITIES } from './loop-fakes.js';

const RULE: WorstBlockRule = DEFAULT_ADOPTION_POLICY.worstBlock;

function point(quality: number, psnr: number, block: number, x = 0, y = 0): RdPointMetrics {
  return {
    quality,
    frames: 4,
    width: 160,
    height: 120,
    fps: 25,
    total_bytes: 1000,
    bitrate_kbps: 100,
    bits_per_pixel: 0.1,
    psnr_y_db: psnr,
    worst_psnr_y_db: psnr - 1,
    worst_block_psnr_y_db: block,
    worst_block: { frame: 3, x, y },
    psnr_u_db: psnr,
    psnr_v_db: psnr,
    psnr_yuv_db: psnr,
    ssim_y: 0.9,
    per_frame_psnr_y_db: [psnr, psnr, psnr, psnr],
    encode_fps: 100,
    decode_fps: 100,
  };
}

const clipOf = (name: string, points: RdPointMetrics[]): ClipResult => ({
  clip: name,
  source: `/clips/${name}.mkv`,
  width: 160,
  height: 120,
  frames: 4,
  fps: 25,
  points,
});

describe('the worst-block floor', () => {
  it('is 15 dB below the point, or 30 dB, whichever is lower', () => {
    expect(RULE).toEqual({ maxGapDb: 15, passDb: 30 });
    expect(worstBlockFloorDb(25, RULE)).toBe(10);
    expect(worstBlockFloorDb(40, RULE)).toBe(25);
    expect(worstBlockFloorDb(45, RULE)).toBe(30);
    expect(worstBlockFloorDb(100, RULE)).toBe(30);
  });

  it("passes the anchors' measured worst cases (x265 11.5 dB, JPEG 7.1 dB below the point)", () => {
    const measured = worstBlockFacts(
      [
        clipOf('vtest-late', [point(0.1, 24.94, 13.46)]),
        clipOf('coffee-zoom', [point(0.3, 30.74, 23.63)]),
        clipOf('chelsea-pan', [point(0.9, 44.73, 37.55)]),
      ],
      RULE,
    );
    expect(measured).not.toBeNull();
    expect(worstBlockCheck(measured, RULE).passed).toBe(true);
  });

  it('picks the point furthest below its floor, naming the clip, quality, frame and block', () => {
    const facts = worstBlockFacts(
      [
        clipOf('tree', [point(0.1, 26, 12), point(0.9, 38, 33)]),
        clipOf('vtest-walk', [point(0.1, 27, 20), point(0.9, 38, 9.1, 64, 32)]),
      ],
      RULE,
    );
    expect(facts).toEqual({
      clip: 'vtest-walk',
      quality: 0.9,
      frame: 3,
      x: 64,
      y: 32,
      psnr_y_db: 9.1,
      point_psnr_y_db: 38,
      floor_db: 23,
    });
    const check = worstBlockCheck(facts, RULE);
    expect(check).toMatchObject({ name: 'worst_block', passed: false });
    expect(check.detail).toMatch(
      /^clip vtest-walk frame 3 block \(64,32\) at quality 0\.9: worst-block PSNR-Y 9\.10 dB, floor 23\.00 dB/,
    );
    expect(check.cause).toEqual({
      key: 'quality_floor:worst_block',
      subject: {
        clip: 'vtest-walk',
        quality: 0.9,
        frame: 3,
        block_x: 64,
        block_y: 32,
        psnr_y_db: 9.1,
        point_psnr_y_db: 38,
        floor_db: 23,
      },
    });
  });

  it('fails as quality_floor with a cause that fits the category', () => {
    const facts = worstBlockFacts([clipOf('tree', [point(0.9, 38, 9.1, 64, 32)])], RULE)!;
    const failure = worstBlockFailure(facts, RULE);
    expect(failure.category).toBe('quality_floor');
    expect(failure.message).toContain('clip tree frame 3 block (64,32)');
    expect(fits(failure.cause!.key, 'quality_floor')).toBe(true);
  });

  it('is a pass exactly at the floor, a refusal just below it', () => {
    const at = worstBlockFacts([clipOf('a', [point(0.5, 35, 20)])], RULE);
    const below = worstBlockFacts([clipOf('a', [point(0.5, 35, 19.99)])], RULE);
    expect(worstBlockCheck(at, RULE).passed).toBe(true);
    expect(worstBlockCheck(below, RULE).passed).toBe(false);
  });

  it('fails closed when the figure was not measured (results stored before it existed)', () => {
    const { worst_block_psnr_y_db: _gone, ...old } = point(0.5, 35, 20);
    const facts = worstBlockFacts([clipOf('a', [old as RdPointMetrics])], RULE);
    expect(facts).toBeNull();
    expect(worstBlockCheck(facts, RULE)).toMatchObject({ passed: false });
    expect(worstBlockCheck(facts, RULE).detail).toMatch(/not measured/);
  });

  it('refuses adoption of a first version on its own, whatever the other floors say', () => {
    const facts = worstBlockFacts([clipOf('tree', [point(0.9, 38, 9.1, 64, 32)])], RULE);
    const decision = decideAdoption({
      dev: null,
      holdout: null,
      candidate: {
        worstFramePsnrDb: 37,
        minTopPsnrDb: 38,
        secondsPerFrame: 0.01,
        worstBlock: facts,
      },
      incumbent: null,
    });
    expect(decision.adopt).toBe(false);
    expect(decision.summary).toMatch(/^not adopted: clip tree frame 3 block \(64,32\)/);
    expect(decision.checks.filter((check) => !check.passed).map((c) => c.name)).toEqual([
      'worst_block',
    ]);
  });
});

describe('assessCodec with the worst-block floor', () => {
  const clips = [clip('a'), clip('b'), clip('c')];
  const options = { qualities: QUALITIES };

  it('turns a codec that destroys a region into a quality_floor failure naming the block', async () => {
    const ports = new FakePorts(new FakeClock());
    const assessed = await assessCodec(
      {
        code: Buffer.from('# worst-block-gap: 25\n'),
        clips,
        holdout: null,
        incumbent: null,
        options,
      },
      ports,
    );
    expect(assessed.result.ok).toBe(false);
    if (assessed.result.ok) return;
    expect(assessed.result.stage).toBe('sweep');
    expect(assessed.result.failure.category).toBe('quality_floor');
    expect(assessed.result.failure.cause).toMatchObject({
      key: 'quality_floor:worst_block',
      subject: { clip: 'a', frame: 1, block_x: 0, block_y: 0 },
    });
    expect(assessed.adoption?.adopt).toBe(false);
    const failed = assessed.adoption?.checks.filter((check) => !check.passed);
    expect(failed?.map((check) => check.name)).toEqual(['worst_block']);
    // Nothing about it is adopted or isolated: the check comes first.
    expect(ports.isolationChecks).toEqual([]);
  });

  it('lets an honest codec through with the worst block reported in the decision', async () => {
    const ports = new FakePorts(new FakeClock());
    const assessed = await assessCodec(
      {
        code: Buffer.from('# worst-block-gap: 8\n'),
        clips,
        holdout: null,
        incumbent: null,
        options,
      },
      ports,
    );
    expect(assessed.result.ok).toBe(true);
    expect(assessed.adoption?.adopt).toBe(true);
    expect(assessed.adoption?.checks.find((c) => c.name === 'worst_block')).toMatchObject({
      passed: true,
      detail: expect.stringMatching(/^worst block nearest its floor: clip a frame 1/) as unknown,
    });
  });
});

describe('the self-debugger on a worst-block refusal', () => {
  const facts = worstBlockFacts([clipOf('tree', [point(0.9, 38, 9.1, 64, 32)])], RULE)!;
  const failureCause = worstBlockFailure(facts, RULE).cause!;

  it('files it under its own key, with the clip, frame and block read from the fields', () => {
    const found = lookupCause(failureCause, {
      category: 'quality_floor',
      stage: 'sweep',
      line: null,
      otherFunctions: () => [],
    });
    expect(found).toEqual({
      key: 'quality_floor:worst_block',
      label:
        'clip tree frame 3 block (64,32) at quality 0.9: worst-block PSNR-Y 9.1 dB, floor 23 dB',
      subject: 'worst_block',
    });
  });

  it('recommends reconstructing every block, naming where it failed, at every revision', () => {
    const label = 'clip tree frame 3 block (64,32) at quality 0.9: worst-block PSNR-Y 9.1 dB';
    const fixes = [1, 2, 3].map(
      (revision) =>
        recommend({
          pattern: {
            category: 'quality_floor',
            count: 2,
            causes: [{ key: 'quality_floor:worst_block', label, count: 2, attempt_ids: ['7'] }],
          },
          contract,
          limits: { timeoutS: 60, memoryMb: 1024 },
          revision,
        }).fix,
    );
    for (const fix of fixes) expect(fix).toContain(`Part of the picture was destroyed (${label})`);
    expect(fixes[0]).toContain('every 16×16 block of every frame must be reconstructed');
    expect(new Set(fixes).size).toBe(3);
  });
});

describe('summarise: the worst block per quality over the clips', () => {
  it('is the minimum over the clips, with the clip it is in', () => {
    const [low, high] = summarise(
      [
        clipOf('tree', [point(0.1, 26, 18, 48, 16), point(0.9, 38, 31)]),
        clipOf('vtest-walk', [point(0.1, 27, 21), point(0.9, 38, 30.5, 112, 32)]),
      ],
      [0.1, 0.9],
    );
    expect(low).toMatchObject({
      worst_block_psnr_y_db: 18,
      worst_block: { clip: 'tree', frame: 3, x: 48, y: 16 },
    });
    expect(high).toMatchObject({
      worst_block_psnr_y_db: 30.5,
      worst_block: { clip: 'vtest-walk', frame: 3, x: 112, y: 32 },
    });
  });
});
