/**
 * Per-model figures of the loop's attempts (`status --json` → `models`, /api/status, /metrics,
 * the dashboard): one computation over Store.modelOutcomes. A model is its ensemble member's
 * name, or the model id for attempts made without an ensemble.
 */
import { modelKey, type ModelOutcome } from '../generators/ensemble/outcome.js';

export interface ModelFiguresJson {
  /** The member's name (`--models`), or the model id outside an ensemble. */
  readonly name: string;
  /** The model ids it answered as (one, unless a name was reused for another model). */
  readonly model_ids: readonly string[];
  readonly attempts: number;
  readonly successes: number;
  readonly success_rate: number | null;
  readonly adoptions: number;
  /** BD-rate points its adopted attempts gained on the incumbent they replaced. */
  readonly bd_rate_points_gained: number;
  readonly dollars: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  /** dollars / bd_rate_points_gained; null while it gained none. */
  readonly dollars_per_bd_rate_point: number | null;
}

/** One entry per model, in the order each first wrote an attempt. */
export function modelFigures(outcomes: readonly ModelOutcome[]): ModelFiguresJson[] {
  const groups = new Map<string, ModelOutcome[]>();
  for (const outcome of outcomes) {
    const key = modelKey(outcome);
    const group = groups.get(key);
    if (group) group.push(outcome);
    else groups.set(key, [outcome]);
  }
  return [...groups].map(([name, own]) => {
    const sum = (pick: (o: ModelOutcome) => number): number =>
      own.reduce((total, o) => total + pick(o), 0);
    const successes = own.filter((o) => o.ok).length;
    const gained = sum((o) => o.gainPts);
    const dollars = sum((o) => o.costUsd);
    return {
      name,
      model_ids: [...new Set(own.map((o) => o.model))],
      attempts: own.length,
      successes,
      success_rate: successes / own.length,
      adoptions: own.filter((o) => o.adopted).length,
      bd_rate_points_gained: gained,
      dollars,
      input_tokens: sum((o) => o.inputTokens),
      output_tokens: sum((o) => o.outputTokens),
      dollars_per_bd_rate_point: gained > 0 ? dollars / gained : null,
    };
  });
}
