/**
 * The attempt store: every attempt (pass or fail, at whatever stage, made by `run` or
 * `evaluate`), every adopted codec version, and the running totals. It is the one writer of
 * attempts; the server and the self-debugger read it. Implementations: SqliteStore (the SQLite index plus the attempt tree in the data
 * directory), MemoryStore (tests).
 *
 * Synchronous on purpose: better-sqlite3 is, the writes are a few small files and one
 * transaction per attempt, and a caller never sees a half-recorded attempt.
 */
import { createHash } from 'node:crypto';
import type { AdoptionDecision } from '../evaluation/adoption.js';
import type { Assessment } from '../assessment/assessment.js';
import type {
  CandidateResult,
  EvaluationMetrics,
  ValidationFinding,
} from '../evaluation/evaluator.js';
import type { FailureCause } from '../evaluation/cause.js';
import { PASSING_ENDS, type FailureCategory, type Stage } from '../evaluation/failure.js';
import type { ScreeningRecord } from '../evaluation/screening.js';
import type { TuningRecord } from '../evaluation/tune-stage.js';
import type { CodecParams } from '../evaluation/tunables.js';
import type { GenerationFailureKind, Prompt, Usage } from '../generators/generator.js';
import type { ModelOutcome } from '../generators/ensemble/outcome.js';

/**
 * Which command made an attempt: `run` (the research loop) or `evaluate` (one codec file a
 * user measured). Both are recorded alike; only the loop's attempts take part in its search
 * (duplicates, repairs, the prompt's recent attempts) and only the loop adopts.
 */
export const ATTEMPT_ORIGINS = ['run', 'evaluate'] as const;
export type AttemptOrigin = (typeof ATTEMPT_ORIGINS)[number];

/** Where an attempt stopped: `generate` when the response carried no usable code. */
export type AttemptStage = 'generate' | Stage;

/**
 * BD-rates of an attempt, as `evaluate --json` prints them, and what the anchors were measured
 * with (absent in attempts stored before it was recorded; their `bd_rate` also lacks `vp9` and
 * `av1`, so readers default both to null).
 */
export type AttemptAssessment = Pick<Assessment, 'bd_rate' | 'bd_rate_details'> & {
  readonly anchor_settings?: Assessment['anchor_settings'];
};

export interface AttemptTimings {
  readonly generationMs: number;
  readonly evaluationMs: number;
}

/** One attempt as the loop hands it to the store. */
export interface AttemptRecord {
  readonly origin: AttemptOrigin;
  /** The codec source; empty when generation failed. */
  readonly code: string;
  /** sha256 (hex) of the UTF-8 code; the store checks it. */
  readonly codeSha256: string;
  readonly parentId: string | null;
  /** The generator's name (`anthropic`, `offline`, `replay`, `autofix`; `file` for evaluate). */
  readonly generator: string;
  readonly model: string;
  /** What was sent; null for generators that send no prompt. */
  readonly prompt: Prompt | null;
  readonly rawResponse: string;
  /** Set exactly when stage is `generate`. */
  readonly generationFailure: GenerationFailureKind | null;
  readonly stage: AttemptStage;
  /** Null exactly when the attempt passed every stage (stage `done`). */
  readonly category: FailureCategory | null;
  /** For people; code reads failureCause. */
  readonly failureMessage: string | null;
  /** What exactly failed (evaluation/cause.ts); null when passing or unknown. */
  readonly failureCause: FailureCause | null;
  readonly traceback: string | null;
  /** 1-based line in the code, when known. */
  readonly failureLine: number | null;
  /** Every validator finding, when validation failed. */
  readonly findings: readonly ValidationFinding[];
  /** What the codec printed in the failing run (capped by the evaluator). */
  readonly log: string;
  /** Sandbox image the attempt ran in; null when it never reached the sandbox. */
  readonly imageId: string | null;
  readonly metrics: EvaluationMetrics | null;
  readonly assessment: AttemptAssessment | null;
  readonly decision: AdoptionDecision | null;
  readonly usage: Usage;
  readonly timings: AttemptTimings;
  /**
   * How the attempt was measured: for `evaluate`, its codec file, qualities, frames, clips,
   * incumbent, skip_validation and sandbox limits; for both `evaluate` and `run`, `clip_split`
   * (clips/holdout-split.ts: the dev and holdout clips and frames, and the rule). Null for
   * attempts stored before the split was recorded, and for loops given no settings.
   */
  readonly settings: Readonly<Record<string, unknown>> | null;
  readonly createdAtMs: number;
  /** sha256 of what the codec did on the smoke clip (behaviour.ts); null before smoke passed. */
  readonly behaviourSha256?: string | null;
  /** Set exactly when stage is `duplicate_behaviour`: the earlier attempt it behaved like. */
  readonly duplicateOf?: string | null;
  /** The screening stage's record, when screening ran (passed, inconclusive or screened out). */
  readonly screening?: ScreeningRecord | null;
  /**
   * config['params'] the sweep ran with (tuned, given or the defaults); null when unknown (no
   * validation, or before params were recorded). An adopted version's params are part of it.
   */
  readonly params?: CodecParams | null;
  /** The tune stage's record (§3.7), when it ran. */
  readonly tuning?: TuningRecord | null;
  /** The ensemble member (`--models`: its `name`) that wrote it; null outside an ensemble. */
  readonly member?: string | null;
}

export interface StoredAttempt extends AttemptRecord {
  readonly behaviourSha256: string | null;
  readonly duplicateOf: string | null;
  readonly screening: ScreeningRecord | null;
  readonly params: CodecParams | null;
  readonly tuning: TuningRecord | null;
  readonly member: string | null;
  /** Decimal digits; assigned by the store, increasing (epoch ms like the seed, bumped). */
  readonly id: string;
  readonly ok: boolean;
  /** The codec version this attempt became, if it was adopted. */
  readonly version: number | null;
}

export interface AttemptQuery {
  /** created_at ≥ sinceMs */
  readonly sinceMs?: number;
  /** created_at < untilMs */
  readonly untilMs?: number;
  readonly stage?: AttemptStage;
  readonly category?: FailureCategory;
  readonly origin?: AttemptOrigin;
  /** Only successes (true) or only failures (false). */
  readonly ok?: boolean;
  /** Only attempts whose prompt was sent to an LLM (true) or that had none (false). */
  readonly prompted?: boolean;
  /** By id; newest first unless `asc`. */
  readonly order?: 'asc' | 'desc';
  /** 1 … MAX_PAGE_SIZE */
  readonly limit: number;
  readonly offset: number;
}

export const MAX_PAGE_SIZE = 1000;

export interface AttemptPage {
  /** How many attempts match the filters, ignoring limit and offset. */
  readonly total: number;
  readonly attempts: readonly StoredAttempt[];
}

export interface CodecVersion {
  /** 1, 2, 3, … without gaps, continuing across restarts. */
  readonly version: number;
  readonly attemptId: string;
  readonly adoptedAtMs: number;
  readonly codeSha256: string;
  readonly decision: AdoptionDecision;
}

export interface IncumbentVersion extends CodecVersion {
  readonly attempt: StoredAttempt;
}

export interface CostTotals {
  readonly dollars: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

export interface StoreTotals {
  readonly attempts: number;
  /** Attempts per origin (every origin present, 0 when none). */
  readonly attemptsByOrigin: Readonly<Record<AttemptOrigin, number>>;
  readonly successes: number;
  readonly failures: number;
  /** Passing attempts stopped at screening: worse than the incumbent, stopped early. */
  readonly screened: number;
  /** Passing attempts whose smoke behaviour equalled an earlier attempt's. */
  readonly duplicateBehaviours: number;
  /** Failed attempts per category (generation failures count under their category too). */
  readonly failuresByCategory: Readonly<Partial<Record<FailureCategory, number>>>;
  /** Responses without usable code. */
  readonly generationFailures: number;
  readonly firstAttemptAtMs: number | null;
  readonly firstSuccessAtMs: number | null;
  readonly versions: number;
  /** What tuning cost (§3.7): the attempts tuned, their proxy evaluations and wall time. */
  readonly tuning: {
    readonly attempts: number;
    readonly evaluations: number;
    readonly wallMs: number;
  };
  readonly cost: CostTotals;
}

export interface Store {
  /** Stores an attempt with every file that belongs to it; the id is the store's. */
  recordAttempt(record: AttemptRecord): StoredAttempt;
  /**
   * The most recent `run` attempt with exactly this code (the loop never evaluates the same
   * code twice). `evaluate` attempts do not count: they were measured on the user's settings.
   */
  hasCode(codeSha256: string): string | null;
  /** The earliest attempt with this behavioural fingerprint (behavioural dedup). */
  hasBehaviour(behaviourSha256: string): string | null;
  attempts(query: AttemptQuery): AttemptPage;
  attempt(id: string): StoredAttempt | null;
  /** Failed attempts created at or after sinceMs, oldest first (the self-debugger's window). */
  recentFailures(sinceMs: number): StoredAttempt[];
  /** Replaces the attempt's decision (the latest one is kept; earlier ones stay in history). */
  recordDecision(attemptId: string, decision: AdoptionDecision): void;
  /** Makes a successful attempt the next codec version; returns its number. */
  adopt(attemptId: string, decision: AdoptionDecision): number;
  /** Oldest first. */
  versions(): CodecVersion[];
  incumbent(): IncumbentVersion | null;
  totals(): StoreTotals;
  /** Who wrote each `run` attempt and what came of it, oldest first (model-outcomes.ts). */
  modelOutcomes(): ModelOutcome[];
  close(): void;
}

export function codeSha256(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** Whether a record ends without failing: every stage passed, or it ended early on purpose. */
export function passes(record: Pick<AttemptRecord, 'stage' | 'category'>): boolean {
  return record.category === null && (PASSING_ENDS as readonly string[]).includes(record.stage);
}

/** The new fields of a record, null where absent (records made before they existed). */
export function earlyFields(
  record: AttemptRecord,
): Pick<
  StoredAttempt,
  'behaviourSha256' | 'duplicateOf' | 'screening' | 'params' | 'tuning' | 'member'
> {
  return {
    behaviourSha256: record.behaviourSha256 ?? null,
    duplicateOf: record.duplicateOf ?? null,
    screening: record.screening ?? null,
    params: record.params ?? null,
    tuning: record.tuning ?? null,
    member: record.member ?? null,
  };
}

/** The record's fields an evaluation result determines, for the loop to spread in. */
export function evaluationOutcome(
  result: CandidateResult,
): Pick<
  AttemptRecord,
  | 'stage'
  | 'category'
  | 'failureMessage'
  | 'failureCause'
  | 'traceback'
  | 'failureLine'
  | 'findings'
  | 'log'
  | 'imageId'
  | 'metrics'
  | 'behaviourSha256'
  | 'duplicateOf'
  | 'screening'
  | 'params'
  | 'tuning'
> {
  const early = {
    behaviourSha256: result.behaviourSha256 ?? null,
    duplicateOf: result.stage === 'duplicate_behaviour' ? result.duplicateOf : null,
    screening: ('screening' in result ? result.screening : null) ?? null,
    params: ('params' in result ? result.params : null) ?? null,
    tuning: ('tuning' in result ? result.tuning : null) ?? null,
  };
  if (result.failure === null) {
    // Passed, or ended early without failing: a behavioural duplicate, or screened out with
    // partial metrics (the reason is its message).
    return {
      stage: result.stage,
      category: null,
      failureMessage: result.stage === 'screen' ? result.screening.reason : null,
      failureCause: null,
      traceback: null,
      failureLine: null,
      findings: [],
      log: '',
      imageId: result.imageId,
      metrics: result.metrics,
      ...early,
    };
  }
  return {
    stage: result.stage,
    category: result.failure.category,
    failureMessage: result.failure.message,
    failureCause: result.failure.cause,
    traceback: result.failure.traceback ?? null,
    failureLine: result.failure.line ?? null,
    findings: result.findings ?? [],
    log: result.log,
    imageId: result.imageId,
    metrics: null,
    ...early,
  };
}

/** Refuses records that contradict themselves: programming errors, not data. */
export function checkAttemptRecord(record: AttemptRecord): void {
  const problems: string[] = [];
  if (codeSha256(record.code) !== record.codeSha256) problems.push('codeSha256 is not the code');
  const ended = record.stage === 'duplicate_behaviour' || record.stage === 'done';
  if (ended && record.category !== null) problems.push(`a ${record.stage} attempt has no category`);
  if (record.stage !== 'screen' && !ended && record.category === null) {
    problems.push(
      'category must be set unless the attempt passed (done, screen, duplicate_behaviour)',
    );
  }
  const screenedOut = record.screening?.verdict === 'screened_out';
  if (screenedOut !== (record.stage === 'screen' && record.category === null)) {
    problems.push('a passing screen attempt, and only it, has a screened_out screening record');
  }
  if ((record.stage === 'duplicate_behaviour') !== ((record.duplicateOf ?? null) !== null)) {
    problems.push('duplicateOf must be set exactly when stage is duplicate_behaviour');
  }
  if ((record.duplicateOf ?? null) !== null && !isAttemptId(record.duplicateOf ?? '')) {
    problems.push('bad duplicateOf');
  }
  if ((record.stage === 'generate') !== (record.generationFailure !== null)) {
    problems.push('generationFailure must be set exactly when stage is generate');
  }
  if (!ATTEMPT_ORIGINS.includes(record.origin)) problems.push('unknown origin');
  if (record.parentId !== null && !isAttemptId(record.parentId)) problems.push('bad parentId');
  if (!Number.isSafeInteger(record.createdAtMs)) problems.push('createdAtMs is not integer ms');
  const { costUsd, ...tokens } = record.usage;
  if (Object.values(tokens).some((count) => !Number.isSafeInteger(count) || count < 0)) {
    problems.push('token counts must be non-negative integers');
  }
  if (!Number.isFinite(costUsd)) problems.push('costUsd is not a number');
  if (problems.length > 0) throw new Error(`invalid attempt record: ${problems.join('; ')}`);
}

export function isAttemptId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id));
}

export function checkQuery(query: AttemptQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer in 1…${MAX_PAGE_SIZE}, got ${query.limit}`);
  }
  if (!Number.isSafeInteger(query.offset) || query.offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${query.offset}`);
  }
}

/** The next attempt id: the clock in ms, but always above the last one. */
export function nextAttemptId(nowMs: number, lastId: number): number {
  return Math.max(Math.floor(nowMs), lastId + 1);
}

export function checkAdoption(
  attempt: StoredAttempt | null,
  attemptId: string,
  decision: AdoptionDecision,
): asserts attempt is StoredAttempt {
  if (attempt === null) throw new Error(`cannot adopt attempt ${attemptId}: no such attempt`);
  if (!attempt.ok) throw new Error(`cannot adopt attempt ${attemptId}: it failed`);
  if (attempt.version !== null) {
    throw new Error(`cannot adopt attempt ${attemptId}: it is already v${attempt.version}`);
  }
  if (!decision.adopt) {
    throw new Error(`cannot adopt attempt ${attemptId}: the decision says not to`);
  }
}
