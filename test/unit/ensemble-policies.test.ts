import { describe, expect, it } from 'vitest';

import type { ModelOutcome } from '../../src/generators/ensemble/outcome.js';
import {
  BANDIT_MIN_SHARE,
  COST_FLOOR_USD,
  banditPick,
  memberStats,
  repairPick,
  weightedPick,
  type PolicyMember,
} from '../../src/generators/ensemble/policies.js';

const A: PolicyMember = { name: 'a', weight: 3, pricePerMTok: 18 };
const B: PolicyMember = { name: 'b', weight: 1, pricePerMTok: 0 };
const C: PolicyMember = { name: 'c', weight: 1, pricePerMTok: 5 };

let nextId = 1;
function outcome(member: string, overrides: Partial<ModelOutcome> = {}): ModelOutcome {
  nextId += 1;
  return {
    attemptId: String(nextId),
    member,
    model: `model-${member}`,
    ok: true,
    category: null,
    repairOf: null,
    adopted: false,
    gainPts: 0,
    costUsd: 0.01,
    inputTokens: 1000,
    outputTokens: 500,
    ...overrides,
  };
}

/** Runs the bandit `n` times, each pick's attempt scored by `score(member)`. */
function banditRun(
  members: readonly PolicyMember[],
  n: number,
  score: (member: string) => Partial<ModelOutcome>,
  start: readonly ModelOutcome[] = [],
): ModelOutcome[] {
  const outcomes = [...start];
  for (let i = 0; i < n; i += 1) {
    const { name } = banditPick(members, outcomes);
    outcomes.push(outcome(name, score(name)));
  }
  return outcomes;
}

const count = (outcomes: readonly ModelOutcome[], member: string): number =>
  outcomes.filter((o) => o.member === member).length;

describe('weighted policy', () => {
  it('splits attempts by weight under a seed, the same sequence for the same seed', () => {
    const picks = Array.from({ length: 4000 }, (_, i) => weightedPick([A, B], 7, i + 1));
    const share = picks.filter((p) => p === 'a').length / picks.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
    const again = Array.from({ length: 4000 }, (_, i) => weightedPick([A, B], 7, i + 1));
    expect(again).toEqual(picks);
    const other = Array.from({ length: 50 }, (_, i) => weightedPick([A, B], 8, i + 1));
    expect(other).not.toEqual(picks.slice(0, 50));
  });

  it('gives a single member every attempt', () => {
    expect(new Set(Array.from({ length: 20 }, (_, i) => weightedPick([C], 1, i)))).toEqual(
      new Set(['c']),
    );
  });
});

describe('bandit policy', () => {
  it('tries every member once first, in the file order', () => {
    const outcomes = banditRun([A, B, C], 3, () => ({}));
    expect(outcomes.map((o) => o.member)).toEqual(['a', 'b', 'c']);
    expect(banditPick([A, B, C], []).reason).toBe('untried');
  });

  it('alternates while no member has improved anything', () => {
    const outcomes = banditRun([A, B], 10, () => ({}));
    expect(count(outcomes, 'a')).toBe(5);
    expect(count(outcomes, 'b')).toBe(5);
  });

  it('shifts towards the member whose attempts improve the incumbent', () => {
    const outcomes = banditRun([A, B], 60, (member) =>
      member === 'b' ? { adopted: true, gainPts: 2 } : {},
    );
    expect(count(outcomes, 'b')).toBeGreaterThan(45);
    // The floor: the other member keeps its minimum share.
    expect(count(outcomes, 'a')).toBeGreaterThanOrEqual(Math.floor(BANDIT_MIN_SHARE * 60));
  });

  it('ranks by improvement per dollar: the same gain from a cheaper member wins', () => {
    const outcomes = banditRun([A, C], 60, (member) =>
      member === 'a'
        ? { adopted: true, gainPts: 1, costUsd: 0.05 }
        : { adopted: true, gainPts: 1, costUsd: 0.005 },
    );
    expect(count(outcomes, 'c')).toBeGreaterThan(count(outcomes, 'a'));
  });

  it('charges a free local model the cost floor, so its value stays finite', () => {
    const stats = memberStats([B], [outcome('b', { costUsd: 0, gainPts: 1 })]);
    expect(stats[0]).toMatchObject({ attempts: 1, chargedUsd: COST_FLOOR_USD, gainPts: 1 });
    const pick = banditPick([A, B], [outcome('a'), outcome('b', { costUsd: 0, gainPts: 1 })]);
    expect(pick.reason).toBe('ucb');
    expect(Number.isFinite(pick.scores.b)).toBe(true);
    expect(pick.name).toBe('b');
  });

  it('lifts a starved member to its minimum share before any confidence bound', () => {
    const history = [
      ...Array.from({ length: 19 }, () => outcome('a', { adopted: true, gainPts: 5 })),
      outcome('b'),
    ];
    expect(1 / history.length).toBeLessThan(BANDIT_MIN_SHARE);
    expect(banditPick([A, B], history)).toMatchObject({ name: 'b', reason: 'floor' });
  });

  it('picks the same from the same stored outcomes (its state is the store)', () => {
    const history = banditRun([A, B, C], 25, (member) =>
      member === 'c' ? { adopted: true, gainPts: 1.5 } : {},
    );
    const restarted = structuredClone(history);
    expect(banditPick([A, B, C], restarted)).toEqual(banditPick([A, B, C], history));
  });
});

describe('repair routing', () => {
  it('goes to the cheapest member that has repaired that category', () => {
    const history = [
      outcome('a', { repairOf: 'runtime_errors' }),
      outcome('c', { repairOf: 'runtime_errors' }),
      outcome('b', { repairOf: 'timeouts' }),
      outcome('b', { repairOf: 'runtime_errors', ok: false, category: 'runtime_errors' }),
    ];
    expect(repairPick([A, B, C], history, 'runtime_errors')).toBe('c');
    expect(repairPick([A, B, C], history, 'timeouts')).toBe('b');
  });

  it('answers null without a passing repair of that category on record', () => {
    const history = [outcome('b', { repairOf: 'runtime_errors', ok: false })];
    expect(repairPick([A, B, C], history, 'runtime_errors')).toBeNull();
    expect(repairPick([A, B, C], [], 'timeouts')).toBeNull();
  });
});
