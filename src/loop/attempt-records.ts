/** The records the loop stores for attempts that were not evaluated by the cascade. Pure. */
import { cause } from '../evaluation/cause.js';
import { NO_USAGE, type Generation } from '../generators/generator.js';
import { codeSha256, type AttemptRecord } from '../store/store.js';
import type { PendingFix } from './repair-planner.js';

/** What the loop records: every attempt it stores is a `run` attempt with the loop's settings. */
export type LoopRecord = Omit<AttemptRecord, 'origin' | 'settings'>;

/** Where an attempt's code came from: the part of its record known before evaluation. */
export type CodeSource = Pick<
  AttemptRecord,
  'parentId' | 'generator' | 'model' | 'member' | 'prompt' | 'rawResponse' | 'usage'
>;

/** A mechanical fix (autofix.ts) is written by `autofix`, with its description as the response. */
export function autoFixSource({ fix, parent }: PendingFix): CodeSource {
  return {
    parentId: parent.id,
    generator: 'autofix',
    model: 'autofix',
    prompt: null,
    rawResponse: fix.description,
    usage: NO_USAGE,
  };
}

/** A response without usable code: stored as a failure at stage `generate`, with no code. */
export function generationFailureRecord(
  origin: CodeSource,
  generation: Extract<Generation, { ok: false }>,
  generationMs: number,
  nowMs: number,
): LoopRecord {
  return {
    ...origin,
    code: '',
    codeSha256: codeSha256(''),
    generationFailure: generation.kind,
    failureCause: cause(`generation:${generation.kind}`, { kind: generation.kind }),
    stage: 'generate',
    category: 'other',
    failureMessage: generation.message,
    traceback: null,
    failureLine: null,
    findings: [],
    log: '',
    imageId: null,
    metrics: null,
    assessment: null,
    decision: null,
    timings: { generationMs, evaluationMs: 0 },
    createdAtMs: nowMs,
  };
}
