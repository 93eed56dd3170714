/** Mapping between attempt rows in SQLite and the store's types. */
import type { AdoptionDecision } from '../evaluation/adoption.js';
import type { EvaluationMetrics, ValidationFinding } from '../evaluation/evaluator.js';
import type { FailureCause } from '../evaluation/cause.js';
import type { FailureCategory } from '../evaluation/failure.js';
import type { GenerationFailureKind, RecommendationRef } from '../generators/generator.js';
import type { ScreeningRecord } from '../evaluation/screening.js';
import type { TuningRecord } from '../evaluation/tune-stage.js';
import type { CodecParams } from '../evaluation/tunables.js';
import type {
  AttemptAssessment,
  AttemptOrigin,
  AttemptStage,
  CodecVersion,
  StoredAttempt,
} from './store.js';

export interface AttemptRow {
  id: number;
  origin: string;
  settings_json: string | null;
  created_at: number;
  code: string;
  code_sha256: string;
  parent_id: number | null;
  generator: string;
  model: string;
  prompt_system: string | null;
  prompt_user: string | null;
  prompt_references_json: string | null;
  raw_response: string;
  generation_failure: string | null;
  stage: string;
  category: string | null;
  ok: number;
  failure_message: string | null;
  failure_cause_json: string | null;
  traceback: string | null;
  failure_line: number | null;
  findings_json: string;
  log: string;
  image_id: string | null;
  metrics_json: string | null;
  assessment_json: string | null;
  decision_json: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  generation_ms: number;
  evaluation_ms: number;
  behaviour_sha256: string | null;
  duplicate_of: number | null;
  screening_json: string | null;
  params_json: string | null;
  tuning_json: string | null;
  member: string | null;
  version: number | null;
}

export interface VersionRow {
  version: number;
  attempt_id: number;
  adopted_at: number;
  decision_json: string;
  code_sha256: string;
}

/** The columns of a new attempt row, as named parameters. */
export function attemptParams(
  attempt: StoredAttempt,
  recordedAtMs: number,
): Record<string, unknown> {
  return {
    id: Number(attempt.id),
    origin: attempt.origin,
    settings_json: json(attempt.settings),
    created_at: attempt.createdAtMs,
    recorded_at: Math.round(recordedAtMs),
    code: attempt.code,
    code_sha256: attempt.codeSha256,
    parent_id: attempt.parentId === null ? null : Number(attempt.parentId),
    generator: attempt.generator,
    model: attempt.model,
    prompt_system: attempt.prompt?.system ?? null,
    prompt_user: attempt.prompt?.user ?? null,
    prompt_references_json:
      attempt.prompt?.references === undefined ? null : JSON.stringify(attempt.prompt.references),
    raw_response: attempt.rawResponse,
    generation_failure: attempt.generationFailure,
    stage: attempt.stage,
    category: attempt.category,
    ok: attempt.ok ? 1 : 0,
    failure_message: attempt.failureMessage,
    failure_cause_json: json(attempt.failureCause),
    traceback: attempt.traceback,
    failure_line: attempt.failureLine,
    findings_json: JSON.stringify(attempt.findings),
    log: attempt.log,
    image_id: attempt.imageId,
    metrics_json: json(attempt.metrics),
    assessment_json: json(attempt.assessment),
    decision_json: json(attempt.decision),
    input_tokens: attempt.usage.inputTokens,
    output_tokens: attempt.usage.outputTokens,
    cache_read_tokens: attempt.usage.cacheReadTokens,
    cache_write_tokens: attempt.usage.cacheWriteTokens,
    cost_usd: attempt.usage.costUsd,
    generation_ms: attempt.timings.generationMs,
    evaluation_ms: attempt.timings.evaluationMs,
    behaviour_sha256: attempt.behaviourSha256,
    duplicate_of: attempt.duplicateOf === null ? null : Number(attempt.duplicateOf),
    screening_json: json(attempt.screening),
    params_json: json(attempt.params),
    tuning_json: json(attempt.tuning),
    member: attempt.member,
  };
}

export const json = (value: unknown): string | null =>
  value === null ? null : JSON.stringify(value);

function parsed<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function attemptFromRow(row: AttemptRow): StoredAttempt {
  return {
    id: String(row.id),
    ok: row.ok === 1,
    version: row.version,
    origin: row.origin as AttemptOrigin,
    code: row.code,
    codeSha256: row.code_sha256,
    parentId: row.parent_id === null ? null : String(row.parent_id),
    generator: row.generator,
    model: row.model,
    prompt:
      row.prompt_system === null && row.prompt_user === null
        ? null
        : {
            system: row.prompt_system ?? '',
            user: row.prompt_user ?? '',
            ...(row.prompt_references_json === null
              ? {}
              : { references: JSON.parse(row.prompt_references_json) as RecommendationRef[] }),
          },
    rawResponse: row.raw_response,
    generationFailure: row.generation_failure as GenerationFailureKind | null,
    stage: row.stage as AttemptStage,
    category: row.category as FailureCategory | null,
    failureMessage: row.failure_message,
    failureCause: parsed<FailureCause>(row.failure_cause_json),
    traceback: row.traceback,
    failureLine: row.failure_line,
    findings: JSON.parse(row.findings_json) as ValidationFinding[],
    log: row.log,
    imageId: row.image_id,
    metrics: parsed<EvaluationMetrics>(row.metrics_json),
    assessment: parsed<AttemptAssessment>(row.assessment_json),
    decision: parsed<AdoptionDecision>(row.decision_json),
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      costUsd: row.cost_usd,
    },
    timings: { generationMs: row.generation_ms, evaluationMs: row.evaluation_ms },
    settings: parsed<Record<string, unknown>>(row.settings_json),
    createdAtMs: row.created_at,
    behaviourSha256: row.behaviour_sha256,
    duplicateOf: row.duplicate_of === null ? null : String(row.duplicate_of),
    screening: parsed<ScreeningRecord>(row.screening_json),
    params: parsed<CodecParams>(row.params_json),
    tuning: parsed<TuningRecord>(row.tuning_json),
    member: row.member,
  };
}

export function versionFromRow(row: VersionRow): CodecVersion {
  return {
    version: row.version,
    attemptId: String(row.attempt_id),
    adoptedAtMs: row.adopted_at,
    codeSha256: row.code_sha256,
    decision: JSON.parse(row.decision_json) as AdoptionDecision,
  };
}
