import type { AnchorTable } from '../anchors/anchors.js';
import type { CodecContract } from '../contract.js';
import type { AdoptionPolicy } from '../evaluation/adoption.js';
import type { AssessPorts } from '../assessment/assessment.js';
import type { Clip } from '../evaluation/clip.js';
import type { CodeGenerator } from '../generators/generator.js';
import type { Logger } from '../logger.js';
import { codeSha256, evaluationOutcome, type Store, type StoredAttempt } from '../store/store.js';
import {
  autoFixSource,
  generationFailureRecord,
  type CodeSource,
  type LoopRecord,
} from './attempt-records.js';
import { generateWithBackoff } from './backoff.js';
import { CandidateAssessor, type LoopTuning } from './candidate-assessor.js';
import type { Clock } from './clock.js';
import { generationContext, type RecommendationSource } from './generation-context.js';
import {
  attemptReport,
  duplicateReport,
  type IterationReport,
  type IterationTimings,
  type LoopSummary,
} from './iteration-report.js';
import type { LoopControl } from './loop-control.js';
import { RepairPlanner, type PendingFix } from './repair-planner.js';
import type { EarlyStageSettings } from './early-plan.js';
import { stopReason, type StopLimits } from './stop-policy.js';

export interface LoopDependencies {
  readonly store: Store;
  readonly generator: CodeGenerator;
  readonly ports: AssessPorts;
  readonly contract: CodecContract;
  readonly clips: readonly Clip[];
  readonly holdout: readonly Clip[] | null;
  /**
   * What the run measures on, stored with each of its attempts (the CLI's `clip_split`: which
   * clips and frames are dev and which holdout). Never part of a prompt. Default null.
   */
  readonly settings?: Readonly<Record<string, unknown>> | null;
  readonly qualities: readonly number[];
  readonly policy: AdoptionPolicy;
  readonly log: Logger;
  readonly clock: Clock;
  readonly recommendations?: RecommendationSource;
  /**
   * Repair attempts of one failed candidate (with its traceback and recommendation) before the
   * search returns to the parent (default 2). None for a generator that does not build on its
   * parent (`capabilities.repairsParent` false, e.g. offline).
   */
  readonly maxRepairs?: number;
  /** Apply mechanical fixes (autofix.ts) to failed attempts, as new attempts. Default on. */
  readonly autoFix?: boolean;
  /** Called once per finished iteration (the CLI prints a progress line). */
  readonly onIteration?: (report: IterationReport) => void;
  /** Pause, resume and stop from outside (the admin routes of `run --serve`). */
  readonly control?: LoopControl;
  /** Behavioural dedup and screening (early-plan.ts); both on by default. */
  readonly earlyStages?: EarlyStageSettings;
  /** Tuning of codecs with TUNABLES (§3.7); absent: off. */
  readonly tuning?: LoopTuning;
}

export interface RunLimits extends StopLimits {
  /** Pause between iterations (the seed's "every 60 s"); 0 = back-to-back. */
  readonly intervalMs: number;
  /** Candidates evaluated at once. */
  readonly parallel: number;
  readonly signal: AbortSignal;
}

/**
 * The main job: generate → evaluate (the cascade) → store → adopt? → next, until a limit is
 * reached or the signal aborts. Every attempt is stored before the next one starts; a crash
 * loses at most the attempt in flight.
 */
export class ResearchLoop {
  private anchors: AnchorTable | null = null;
  private iteration = 0;
  private adopted = 0;
  private duplicates = 0;
  private recorded = 0;
  /** Code being evaluated right now (sha → iteration), so parallel workers never evaluate it twice. */
  private readonly inFlight = new Map<string, number>();
  /** API dollars spent on generations that were not stored (duplicates). */
  private unrecordedDollars = 0;
  private readonly assessor: CandidateAssessor;
  private readonly repairs: RepairPlanner;

  constructor(private readonly deps: LoopDependencies) {
    this.repairs = new RepairPlanner(deps.store, {
      maxRepairs: deps.generator.capabilities.repairsParent ? (deps.maxRepairs ?? 2) : 0,
      autoFix: deps.autoFix !== false,
    });
    this.assessor = new CandidateAssessor(deps);
  }

  async run(limits: RunLimits): Promise<LoopSummary> {
    this.anchors = await this.deps.ports.anchors(this.deps.clips);
    let stoppedBecause = '';
    const stop = (): string | null => {
      const totals = this.deps.store.totals();
      return stopReason(limits, {
        aborted: limits.signal.aborted,
        stopRequested: this.deps.control?.stopRequested === true,
        iterations: this.iteration,
        nowMs: this.deps.clock.now(),
        // The loop's own attempts: what `evaluate` recorded is not this search's budget.
        attempts: totals.attemptsByOrigin.run + this.inFlight.size,
        dollars: totals.cost.dollars + this.unrecordedDollars,
      });
    };
    const worker = async (): Promise<void> => {
      for (;;) {
        // Paused: start nothing new until resumed, stopped or aborted.
        await this.deps.control?.whenRunnable(limits.signal);
        const reason = stop();
        if (reason !== null) {
          stoppedBecause ||= reason;
          return;
        }
        this.iteration += 1;
        const finished = this.deps.control?.begin();
        try {
          await this.once(this.iteration, limits.signal);
        } finally {
          finished?.();
        }
        if (limits.intervalMs > 0 && stop() === null) {
          const control = this.deps.control;
          await this.deps.clock.sleep(
            limits.intervalMs,
            control ? AbortSignal.any([limits.signal, control.stopSignal]) : limits.signal,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, limits.parallel) }, worker));
    return {
      iterations: this.iteration,
      attempts: this.recorded,
      adopted: this.adopted,
      duplicates: this.duplicates,
      stoppedBecause: stoppedBecause || 'done',
    };
  }

  /** Evaluates a queued mechanical fix as its own attempt (generator `autofix`); false if it was seen. */
  private async applyAutoFix(
    iteration: number,
    pending: PendingFix,
    started: number,
  ): Promise<boolean> {
    const { fix, parent } = pending;
    const sha = codeSha256(fix.code);
    if (this.deps.store.hasCode(sha) !== null || this.inFlight.has(sha)) return false;
    this.deps.log.info(
      { iteration, parentId: parent.id, cause: fix.causeKey, component: 'governance' },
      `auto-fix of attempt ${parent.id}: ${fix.description}`,
    );
    await this.evaluateOnce(iteration, fix.code, sha, autoFixSource(pending), started, 0);
    return true;
  }

  private async afterIteration(): Promise<void> {
    const source = this.deps.recommendations;
    if (source?.maybeReport === undefined) return;
    try {
      await source.maybeReport(this.deps.clock.now());
    } catch (error) {
      this.deps.log.error(
        { err: error, component: 'governance' },
        'writing the self-governance report failed',
      );
    }
  }

  private async once(iteration: number, signal: AbortSignal): Promise<void> {
    await this.attemptOnce(iteration, signal);
    await this.afterIteration();
  }

  private async attemptOnce(iteration: number, signal: AbortSignal): Promise<void> {
    const { clock, store, log, generator } = this.deps;
    const started = clock.now();
    for (let pending = this.repairs.nextFix(); pending; pending = this.repairs.nextFix()) {
      if (await this.applyAutoFix(iteration, pending, started)) return;
    }
    const context = generationContext(
      { ...this.deps, anchors: this.anchors, repairs: this.repairs },
      iteration,
      clock.now(),
    );
    const generated = clock.now();
    const generation = await generateWithBackoff(generator, context, clock, log, signal);
    const generationMs = clock.now() - generated;
    if (generation === null) return;
    const origin: CodeSource = {
      parentId: context.parent?.attemptId ?? null,
      generator: generator.name,
      model: generation.model,
      member: generation.member ?? null,
      prompt: generator.capabilities.usesPrompt ? context.prompt : null,
      rawResponse: generation.raw,
      usage: generation.usage,
    };
    if (!generation.ok) {
      const stored = this.record(
        generationFailureRecord(origin, generation, generationMs, clock.now()),
      );
      this.report(iteration, stored, 'failed', {
        generationMs,
        evaluationMs: 0,
        loopOverheadMs: clock.now() - started - generationMs,
      });
      return;
    }
    const sha = codeSha256(generation.code);
    const seen = store.hasCode(sha);
    const twin = this.inFlight.get(sha);
    if (seen !== null || twin !== undefined) {
      // Identical code is never evaluated twice: its result is (or will be) another attempt.
      this.duplicates += 1;
      this.unrecordedDollars += generation.usage.costUsd;
      log.info(
        { iteration, attemptId: seen, twinIteration: twin },
        'generator repeated a codec: skipped',
      );
      this.deps.onIteration?.(
        duplicateReport(iteration, generator.name, seen, twin, {
          generationMs,
          loopOverheadMs: clock.now() - started - generationMs,
        }),
      );
      return;
    }
    await this.evaluateOnce(iteration, generation.code, sha, origin, started, generationMs);
  }

  /** Evaluates code no worker is evaluating, holding its sha in flight meanwhile. */
  private async evaluateOnce(
    iteration: number,
    source: string,
    sha: string,
    origin: CodeSource,
    started: number,
    generationMs: number,
  ): Promise<void> {
    this.inFlight.set(sha, iteration);
    try {
      await this.evaluateAndDecide(iteration, source, sha, origin, started, generationMs);
    } finally {
      this.inFlight.delete(sha);
    }
  }

  private async evaluateAndDecide(
    iteration: number,
    source: string,
    sha: string,
    origin: CodeSource,
    started: number,
    generationMs: number,
  ): Promise<void> {
    const { clock, store, log } = this.deps;
    const evaluated = clock.now();
    await this.assessor.assessAndDecide(Buffer.from(source, 'utf8'), (final) => {
      const evaluationMs = clock.now() - evaluated;
      // An early ending (screened out, or no behavioural change) has nothing compared or decided.
      const assessed = 'result' in final ? final : null;
      const stored = this.record({
        ...origin,
        code: source,
        codeSha256: sha,
        generationFailure: null,
        ...evaluationOutcome('result' in final ? final.result : final),
        assessment: assessed && {
          bd_rate: assessed.bd_rate,
          bd_rate_details: assessed.bd_rate_details,
          anchor_settings: assessed.anchor_settings,
        },
        decision: assessed?.adoption ?? null,
        timings: { generationMs, evaluationMs },
        createdAtMs: clock.now(),
      });
      this.repairs.recorded(stored);
      let outcome: IterationReport['outcome'] = stored.ok ? 'kept' : 'failed';
      if (stored.ok && stored.stage === 'screen') outcome = 'screened';
      if (stored.stage === 'duplicate_behaviour') outcome = 'duplicate_behaviour';
      let version: number | null = null;
      if (assessed?.adoption?.adopt) {
        version = store.adopt(stored.id, assessed.adoption);
        this.adopted += 1;
        outcome = 'adopted';
        log.info({ iteration, attemptId: stored.id, version }, `adopted as v${version}`);
      }
      this.report(iteration, { ...stored, version }, outcome, {
        generationMs,
        evaluationMs,
        loopOverheadMs: clock.now() - started - generationMs - evaluationMs,
      });
    });
  }

  private record(record: LoopRecord): StoredAttempt {
    const stored = this.deps.store.recordAttempt({
      ...record,
      origin: 'run',
      settings: this.deps.settings ?? null,
    });
    this.recorded += 1;
    return stored;
  }

  private report(
    iteration: number,
    attempt: StoredAttempt,
    outcome: IterationReport['outcome'],
    timings: IterationTimings,
  ): void {
    const report = attemptReport(iteration, attempt, outcome, timings);
    this.deps.log.info({ ...report, component: 'loop' }, 'iteration finished');
    this.deps.onIteration?.(report);
  }
}
