/**
 * One `run` attempt as the ensemble's policies and the per-model figures read it: who wrote
 * it, what it cost, whether it passed, repaired or improved anything. The store answers these
 * (Store.modelOutcomes), so a restarted run rebuilds the same state.
 */
export interface ModelOutcome {
  readonly attemptId: string;
  /** The ensemble member (`--models` name); null for attempts made without an ensemble. */
  readonly member: string | null;
  readonly model: string;
  readonly ok: boolean;
  /** The failure category, when it failed. */
  readonly category: string | null;
  /** When this attempt repaired a failed parent: the parent's failure category. */
  readonly repairOf: string | null;
  readonly adopted: boolean;
  /**
   * BD-rate points gained against the incumbent when adopted (−mean dev BD-rate of the
   * adopting decision); 0 when not adopted, and for the first version (no incumbent to beat).
   */
  readonly gainPts: number;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The name an outcome is counted under: its member, or its model outside an ensemble. */
export function modelKey(outcome: Pick<ModelOutcome, 'member' | 'model'>): string {
  return outcome.member ?? outcome.model;
}
