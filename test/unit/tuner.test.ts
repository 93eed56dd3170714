/**
 * The tuner (src/evaluation/tuner.ts) against a fake objective: it improves, it is deterministic;
 * and the tune stage's proxy and objective (tune-stage.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import type { ClipResult } from '../../src/evaluation/results.js';
import { meanBdRate, proxyClips, proxyQualities } from '../../src/evaluation/tune-stage.js';
import { gridOf, tune } from '../../src/evaluation/tuner.js';
import type { CodecParams, TunableSpec } from '../../src/evaluation/tunables.js';

const SPEC: TunableSpec = {
  q_scale: { type: 'float', min: 0.25, max: 4, default: 4 },
  block: { type: 'choice', choices: [4, 8, 16], default: 4 },
  keyint: { type: 'int', min: 1, max: 60, default: 60 },
};

/** Best at q_scale 1, block 8, keyint small: the defaults are poor. */
function objective(params: CodecParams): Promise<number | null> {
  const q = Number(params['q_scale']);
  const score =
    10 * Math.abs(Math.log2(q)) + (params['block'] === 8 ? 0 : 5) + Number(params['keyint']) / 6;
  return Promise.resolve(score);
}

describe('tune', () => {
  it('improves on poor defaults within its budget', async () => {
    const outcome = await tune(SPEC, 12, 7, objective);
    expect(outcome.trials.length).toBeLessThanOrEqual(12);
    expect(outcome.trials[0]?.params).toEqual({ q_scale: 4, block: 4, keyint: 60 });
    expect(outcome.defaultScore).toBeCloseTo(35, 6);
    expect(outcome.tunedScore).not.toBeNull();
    expect(outcome.tunedScore ?? Infinity).toBeLessThan(20);
    const tuned = await objective(outcome.params);
    expect(tuned).toBe(outcome.tunedScore);
  });

  it('gives the same params for the same seed, and may order differently for another', async () => {
    const a = await tune(SPEC, 12, 7, objective);
    const b = await tune(SPEC, 12, 7, objective);
    expect(b.params).toEqual(a.params);
    expect(b.trials).toEqual(a.trials);
  });

  it('treats an unmeasurable point as worst and never re-evaluates a point', async () => {
    const seen: string[] = [];
    const outcome = await tune(SPEC, 20, 1, (params) => {
      seen.push(JSON.stringify(params));
      return params['block'] === 16 ? Promise.resolve(null) : objective(params);
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(outcome.params['block']).not.toBe(16);
  });

  it('spends nothing on a budget of zero, and keeps the defaults', async () => {
    const outcome = await tune(SPEC, 0, 1, objective);
    expect(outcome.trials).toEqual([]);
    expect(outcome.params).toEqual({ q_scale: 4, block: 4, keyint: 60 });
  });

  it('puts grids within bounds, integers for int', () => {
    const grid = gridOf({ type: 'int', min: 1, max: 60, default: 12 }).map(Number);
    expect(grid.every((v) => Number.isInteger(v) && v >= 1 && v <= 60)).toBe(true);
    expect(grid[0]).toBe(1);
    expect(grid[grid.length - 1]).toBe(60);
    const floats = gridOf({ type: 'float', min: 0, max: 1, default: 0.5 }).map(Number);
    expect(floats).toContain(0.5);
  });
});

describe('the proxy the tune stage chooses', () => {
  it('takes four qualities spread over the sweep, or all of fewer', () => {
    expect(proxyQualities([0.1, 0.3, 0.5, 0.7, 0.9])).toEqual([0.1, 0.3, 0.7, 0.9]);
    expect(proxyQualities([0.9, 0.2, 0.5])).toEqual([0.2, 0.5, 0.9]);
  });

  it('takes the first two clips, their first four frames', () => {
    const clip = (name: string): Clip => ({
      name,
      width: 2,
      height: 2,
      fps: 30,
      frames: Array.from({ length: 9 }, () => Buffer.alloc(12)),
      source: `/clips/${name}`,
    });
    const proxy = proxyClips([clip('a'), clip('b'), clip('c')]);
    expect(proxy.map((c) => [c.name, c.frames.length])).toEqual([
      ['a', 4],
      ['b', 4],
    ]);
  });

  it('scores the mean per-clip BD-rate, null when a clip has none', () => {
    const result = (name: string, scale: number): ClipResult => ({
      clip: name,
      source: name,
      width: 2,
      height: 2,
      frames: 4,
      fps: 30,
      points: [30, 33, 36, 39].map((psnr, i) => ({
        bitrate_kbps: 100 * 2 ** i * scale,
        psnr_y_db: psnr,
      })) as unknown as ClipResult['points'],
    });
    const reference = [result('a', 1), result('b', 1)];
    expect(meanBdRate(reference, [result('a', 2), result('b', 1)])).toBeCloseTo(50, 6);
    expect(meanBdRate(reference, [result('c', 1)])).toBeNull();
  });
});
