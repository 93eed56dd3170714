/**
 * How the ensemble picks the member for an attempt. Pure: the state is the stored outcomes
 * (Store.modelOutcomes), so a restart picks exactly as the run before it would have.
 *
 * - `weighted`: member i with probability weight_i / Σ weight, from a uniform number that is
 *   a hash of (seed, iteration): the same seed gives the same sequence of members.
 * - `bandit`: UCB1 on improvement per dollar (docs/ARCHITECTURE.md §10.2).
 * - repairs: the cheapest member that has repaired that failure category before.
 */
import { createHash } from 'node:crypto';
import { modelKey, type ModelOutcome } from './outcome.js';

export const MODEL_POLICIES = ['weighted', 'bandit'] as const;
export type ModelPolicy = (typeof MODEL_POLICIES)[number];

export interface PolicyMember {
  readonly name: string;
  readonly weight: number;
  /** Dollars per million input + output tokens (ranks "cheapest"). */
  readonly pricePerMTok: number;
}

/**
 * A local model costs 0 dollars: each attempt is charged at least this much, so its
 * improvement per dollar stays finite and comparable (a free model that improves as often
 * as a paid one still wins by the ratio of their costs).
 */
export const COST_FLOOR_USD = 0.001;
/** Every member gets at least this share of the ensemble's attempts (capped at 1 / members). */
export const BANDIT_MIN_SHARE = 0.1;

/** A uniform number in [0, 1) from (seed, iteration): sha256, its first 48 bits. */
export function seededUniform(seed: number, iteration: number): number {
  const digest = createHash('sha256').update(`${seed}:${iteration}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function weightedPick(
  members: readonly PolicyMember[],
  seed: number,
  iteration: number,
): string {
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  let point = seededUniform(seed, iteration) * total;
  for (const member of members) {
    point -= member.weight;
    if (point < 0) return member.name;
  }
  return members[members.length - 1]!.name;
}

export interface MemberStats {
  readonly name: string;
  readonly attempts: number;
  /** Σ max(cost, COST_FLOOR_USD) over its attempts. */
  readonly chargedUsd: number;
  readonly gainPts: number;
}

export function memberStats(
  members: readonly PolicyMember[],
  outcomes: readonly ModelOutcome[],
): MemberStats[] {
  return members.map((member) => {
    const own = outcomes.filter((outcome) => modelKey(outcome) === member.name);
    return {
      name: member.name,
      attempts: own.length,
      chargedUsd: own.reduce((sum, o) => sum + Math.max(o.costUsd, COST_FLOOR_USD), 0),
      gainPts: own.reduce((sum, o) => sum + o.gainPts, 0),
    };
  });
}

export interface BanditChoice {
  readonly name: string;
  /** `untried`, `floor` (below its minimum share) or `ucb`. */
  readonly reason: 'untried' | 'floor' | 'ucb';
  /** Each member's upper confidence bound (only for `ucb`). */
  readonly scores: Readonly<Record<string, number>>;
}

/**
 * UCB1 on improvement per dollar: value_i = gain_i / charged_i, normalised by the best value
 * (so it lies in [0, 1] like UCB1's rewards), plus sqrt(2 ln N / n_i). Before that: a member
 * never tried goes first, then a member below its minimum share. Ties: fewer attempts, then
 * the file's order.
 */
export function banditPick(
  members: readonly PolicyMember[],
  outcomes: readonly ModelOutcome[],
): BanditChoice {
  const stats = memberStats(members, outcomes);
  const untried = stats.find((s) => s.attempts === 0);
  if (untried) return { name: untried.name, reason: 'untried', scores: {} };
  const total = stats.reduce((sum, s) => sum + s.attempts, 0);
  const minShare = Math.min(BANDIT_MIN_SHARE, 1 / stats.length);
  const starved = stats
    .filter((s) => s.attempts < minShare * total)
    .sort((a, b) => a.attempts - b.attempts)[0];
  if (starved) return { name: starved.name, reason: 'floor', scores: {} };
  const values = stats.map((s) => Math.max(0, s.gainPts) / s.chargedUsd);
  const best = Math.max(...values);
  const scores: Record<string, number> = {};
  let chosen = stats[0]!;
  let chosenScore = -Infinity;
  stats.forEach((s, index) => {
    const value = best > 0 ? values[index]! / best : 0;
    const score = value + Math.sqrt((2 * Math.log(total)) / s.attempts);
    scores[s.name] = score;
    if (
      score > chosenScore + 1e-12 ||
      (Math.abs(score - chosenScore) <= 1e-12 && s.attempts < chosen.attempts)
    ) {
      chosen = s;
      chosenScore = score;
    }
  });
  return { name: chosen.name, reason: 'ucb', scores };
}

/**
 * The member a repair of `category` goes to: the cheapest (price per million tokens, then the
 * file's order) with a passing repair of that category on record; null when none has one.
 */
export function repairPick(
  members: readonly PolicyMember[],
  outcomes: readonly ModelOutcome[],
  category: string,
): string | null {
  const fixers = new Set(
    outcomes.filter((o) => o.ok && o.repairOf === category).map((o) => modelKey(o)),
  );
  const able = members.filter((member) => fixers.has(member.name));
  if (able.length === 0) return null;
  return able.reduce((cheapest, member) =>
    member.pricePerMTok < cheapest.pricePerMTok ? member : cheapest,
  ).name;
}
