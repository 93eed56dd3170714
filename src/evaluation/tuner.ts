/**
 * The tuner (docs/ARCHITECTURE.md §3.7): a seeded, deterministic coordinate search over a
 * codec's TUNABLES, within a budget of objective evaluations. Choices are enumerated; int and
 * float parameters move on a grid within their bounds (log-spaced when the range spans a factor
 * of 4 or more above zero), by a step that halves when a whole pass finds nothing better. The
 * seed orders the parameters. Lower objective is better; null (unmeasurable) is worst. Pure:
 * the objective is injected.
 */
import type { CodecParams, ParamValue, TunableEntry, TunableSpec } from './tunables.js';
import { defaultsOf } from './tunables.js';
import { mulberry32 } from '../random.js';

const GRID_POINTS = 17;

export interface Trial {
  readonly params: CodecParams;
  /** The objective (proxy BD-rate %), null when it could not be measured. */
  readonly score: number | null;
}

export interface TuneOutcome {
  readonly params: CodecParams;
  readonly defaultScore: number | null;
  readonly tunedScore: number | null;
  readonly trials: readonly Trial[];
}

/** The values a parameter may take, in order. */
export function gridOf(entry: TunableEntry): readonly ParamValue[] {
  if (entry.type === 'choice') return entry.choices;
  const { min, max } = entry;
  const log = min > 0 && max / min >= 4;
  const values: number[] = [];
  for (let i = 0; i < GRID_POINTS; i += 1) {
    const t = i / (GRID_POINTS - 1);
    const raw = log ? min * (max / min) ** t : min + (max - min) * t;
    const value = entry.type === 'int' ? Math.round(raw) : Number(raw.toPrecision(6));
    const bounded = Math.min(max, Math.max(min, value));
    if (values[values.length - 1] !== bounded) values.push(bounded);
  }
  return values;
}

function nearestIndex(grid: readonly ParamValue[], value: ParamValue): number {
  let best = 0;
  grid.forEach((candidate, index) => {
    const here = Math.abs(Number(candidate) - Number(value));
    const there = Math.abs(Number(grid[best]) - Number(value));
    if (candidate === value || (typeof value === 'number' && here < there)) best = index;
  });
  const exact = grid.indexOf(value);
  return exact >= 0 ? exact : best;
}

function better(score: number | null, than: number | null): boolean {
  return score !== null && (than === null || score < than - 1e-9);
}

export async function tune(
  spec: TunableSpec,
  budget: number,
  seed: number,
  objective: (params: CodecParams) => Promise<number | null>,
): Promise<TuneOutcome> {
  const names = Object.keys(spec).sort();
  const random = mulberry32(seed);
  for (let i = names.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j] as string, names[i] as string];
  }
  const grids = new Map(names.map((name) => [name, gridOf(spec[name] as TunableEntry)]));
  const trials: Trial[] = [];
  const seen = new Map<string, number | null>();
  const key = (params: CodecParams): string => JSON.stringify(names.map((name) => params[name]));
  const evaluate = async (params: CodecParams): Promise<number | null> => {
    const score = await objective(params);
    seen.set(key(params), score);
    trials.push({ params, score });
    return score;
  };

  let current: CodecParams = defaultsOf(spec);
  if (budget < 1 || names.length === 0) {
    return { params: current, defaultScore: null, tunedScore: null, trials };
  }
  const defaultScore = await evaluate(current);
  let best = defaultScore;
  const index = new Map(names.map((n) => [n, nearestIndex(grids.get(n) ?? [], current[n] ?? 0)]));
  const step = new Map(
    names.map((n) => [n, Math.max(1, Math.floor((grids.get(n)?.length ?? 1) / 4))]),
  );

  for (;;) {
    let improved = false;
    let tried = false;
    for (const name of names) {
      const grid = grids.get(name) ?? [];
      const at = index.get(name) ?? 0;
      const s = step.get(name) ?? 1;
      const moves =
        spec[name]?.type === 'choice'
          ? grid.map((_, i) => i).filter((i) => i !== at)
          : [at + s, at - s].filter((i) => i >= 0 && i < grid.length);
      for (const to of moves) {
        if (trials.length >= budget) break;
        const candidate = { ...current, [name]: grid[to] as ParamValue };
        if (seen.has(key(candidate))) continue;
        tried = true;
        const score = await evaluate(candidate);
        if (better(score, best)) {
          best = score;
          current = candidate;
          index.set(name, to);
          improved = true;
          if (spec[name]?.type !== 'choice') break;
        }
      }
    }
    if (trials.length >= budget) break;
    if (!improved) {
      // Nothing better at the finest step (or nothing left to try): converged.
      if (!tried || names.every((n) => (step.get(n) ?? 1) === 1)) break;
      for (const n of names) step.set(n, Math.max(1, Math.floor((step.get(n) ?? 1) / 2)));
    }
  }
  return { params: current, defaultScore, tunedScore: best, trials };
}
