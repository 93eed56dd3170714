/** The tuner (src/evaluation/tuner.ts) against a fake objective: it improves, it is deterministic. */
import { describe, expect, it } from 'vitest';
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
