import type { AnchorTable } from '../anchors/anchors.js';
import type { CodecContract } from '../contract.js';
import type { GenerationContext } from '../generators/generator.js';
import { buildPrompt, type Recommendation } from '../prompt/prompt-builder.js';
import type { Store, StoredAttempt } from '../store/store.js';
import { attemptSummary, rdTable } from './context.js';
import type { RepairPlanner } from './repair-planner.js';

/** The self-debugger as the loop sees it (src/governance/governor.ts). */
export interface RecommendationSource {
  /** What every prompt carries now: empty until the window's failures pass the trigger. */
  recommendations(nowMs: number): readonly Recommendation[];
  /** What the repair of one failed attempt carries (its own category), trigger or not. */
  repairRecommendations?(attempt: StoredAttempt, nowMs: number): readonly Recommendation[];
  /** Writes a self-governance report when something changed; returns its path or null. */
  maybeReport?(nowMs: number): Promise<string | null>;
}

/** Attempts the generator sees (the offline search needs its whole history; the prompt shows the newest few). */
const RECENT_ATTEMPTS = 500;

export interface ContextSources {
  readonly store: Store;
  readonly contract: CodecContract;
  readonly anchors: AnchorTable | null;
  readonly repairs: RepairPlanner;
  readonly recommendations?: RecommendationSource | undefined;
}

/**
 * What the generator is given for `iteration`: the incumbent, the parent (a failed attempt to
 * repair, else the incumbent), recent attempts and the prompt built from them.
 */
export function generationContext(
  sources: ContextSources,
  iteration: number,
  nowMs: number,
): GenerationContext {
  const { store, contract, anchors, repairs } = sources;
  const incumbentVersion = store.incumbent();
  const incumbent = incumbentVersion ? attemptSummary(incumbentVersion.attempt) : null;
  // The loop's own attempts: what `evaluate` measured is not the search's to repair.
  const newestFirst = store.attempts({
    origin: 'run',
    limit: RECENT_ATTEMPTS,
    offset: 0,
    order: 'desc',
  }).attempts;
  const recent = newestFirst.slice().reverse().map(attemptSummary);
  const source = sources.recommendations;
  const recommendations = [...(source?.recommendations(nowMs) ?? [])];
  const target = repairs.target(newestFirst);
  if (target !== null) {
    for (const extra of source?.repairRecommendations?.(target, nowMs) ?? []) {
      if (!recommendations.some((r) => r.issue === extra.issue)) recommendations.push(extra);
    }
  }
  const parent = target === null ? incumbent : attemptSummary(target);
  const incumbentRd =
    incumbentVersion?.attempt.metrics != null
      ? rdTable(
          incumbentVersion.attempt.metrics,
          anchors,
          incumbentVersion.attempt.assessment?.bd_rate,
        )
      : null;
  const base = { iteration, incumbent, parent, recent };
  return {
    ...base,
    prompt: buildPrompt({ ...base, contract, incumbentRd, recommendations }),
  };
}
