import type { AnchorTable } from '../anchors/anchors.js';
import type { CodecContract } from '../contract.js';
import type { AdoptionPolicy } from '../evaluation/adoption.js';
import { assessCandidate, type AssessPorts, type Assessment } from '../evaluation/assessment.js';
import type { Clip } from '../evaluation/clip.js';
import type { EndedEarly } from '../evaluation/early-stages.js';
import type { EvaluateOptions, EvaluationResult } from '../evaluation/evaluator.js';
import {
  NO_USAGE,
  RateLimitedError,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
} from '../generators/generator.js';
import type { Logger } from '../logger.js';
import { buildPrompt, type Recommendation } from '../prompt/prompt-builder.js';
import {
  codeSha256,
  evaluationOutcome,
  type AttemptRecord,
  type Store,
  type StoredAttempt,
} from '../store/store.js';
import { attemptSummary, rdTable } from './context.js';
import { DEFAULT_EARLY_STAGES, earlyStageOptions, type EarlyStageSettings } from './early-plan.js';
import type { LoopControl } from './loop-control.js';
import { RepairPlanner, type PendingFix } from './repair-planner.js';

/** Time, injected so back-off and intervals are tested without sleeping. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** The self-debugger as the loop sees it (src/governance/governor.ts). */
export interface RecommendationSource {
  /** What every prompt carries now: empty until the window's failures pass the trigger. */
  recommendations(nowMs: number): readonly Recommendation[];
  /** What the repair of one failed attempt carries (its own category), trigger or not. */
  repairRecommendations?(attempt: StoredAttempt, nowMs: number): readonly Recommendation[];
  /** Writes a self-governance report when something changed; returns its path or null. */
  maybeReport?(nowMs: number): Promise<string | null>;
}

export interface LoopDependencies {
  readonly store: Store;
  readonly generator: CodeGenerator;
  readonly ports: AssessPorts;
  readonly contract: CodecContract;
  readonly clips: readonly Clip[];
  readonly holdout: readonly Clip[] | null;
  readonly qualities: readonly number[];
  readonly policy: AdoptionPolicy;
  readonly log: Logger;
  readonly clock: Clock;
  readonly recommendations?: RecommendationSource;
  /**
   * Repair attempts of one failed candidate (with its traceback and recommendation) before the
   * search returns to the parent; 0 for generators that do not read the parent (offline).
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
}

export interface RunLimits {
  readonly iterations?: number;
  /** Stop starting iterations at this time (epoch ms). */
  readonly untilMs?: number;
  /** Stop once the store holds this many attempts in total. */
  readonly maxAttempts?: number;
  /** Stop once the store's API cost reaches this many dollars. */
  readonly maxDollars?: number;
  /** Pause between iterations (the seed's "every 60 s"); 0 = back-to-back. */
  readonly intervalMs: number;
  /** Candidates evaluated at once. */
  readonly parallel: number;
  readonly signal: AbortSignal;
}

export interface IterationReport {
  readonly iteration: number;
  readonly attemptId: string | null;
  /** Who wrote the code: the generator's name, or `autofix` for a mechanical repair. */
  readonly generator: string;
  /**
   * 'duplicate' when the generator repeated code that was already evaluated; 'screened' when
   * screening stopped it as clearly worse; 'duplicate_behaviour' when it behaved exactly like an
   * earlier attempt (its edit changed nothing).
   */
  readonly outcome:
    'adopted' | 'kept' | 'failed' | 'duplicate' | 'screened' | 'duplicate_behaviour';
  readonly stage: string;
  readonly category: string | null;
  readonly version: number | null;
  readonly bdRateVsIncumbentPct: number | null;
  readonly bdRateVsJpegPct: number | null;
  readonly summary: string;
  readonly generationMs: number;
  readonly evaluationMs: number;
  readonly loopOverheadMs: number;
}

export interface LoopSummary {
  readonly iterations: number;
  readonly attempts: number;
  readonly adopted: number;
  readonly duplicates: number;
  readonly stoppedBecause: string;
}

/** Attempts the generator sees (the offline search needs its whole history; the prompt shows the newest few). */
const RECENT_ATTEMPTS = 500;
const MAX_BACKOFF_MS = 5 * 60_000;

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
  /** Adoption is decided one candidate at a time, against the incumbent of that moment. */
  private adoptionQueue: Promise<unknown> = Promise.resolve();
  /** Code being evaluated right now (sha → iteration), so parallel workers never evaluate it twice. */
  private readonly inFlight = new Map<string, number>();
  /** API dollars spent on generations that were not stored (duplicates). */
  private unrecordedDollars = 0;
  /**
   * The incumbent's own evaluations, measured once per clip set and reused for every candidate
   * compared with it (a deterministic codec on the same clips, image and qualities).
   */
  private readonly incumbentResults = new Map<string, Promise<EvaluationResult>>();
  /** Which incumbent each assessment was made against. */
  private readonly incumbentAtAssessment = new WeakMap<Assessment | EndedEarly, string | null>();
  private readonly repairs: RepairPlanner;

  constructor(private readonly deps: LoopDependencies) {
    this.repairs = new RepairPlanner(deps.store, {
      maxRepairs: deps.maxRepairs ?? 2,
      autoFix: deps.autoFix !== false,
    });
  }

  async run(limits: RunLimits): Promise<LoopSummary> {
    this.anchors = await this.deps.ports.anchors(this.deps.clips);
    let stoppedBecause = '';
    const stop = (): string | null => {
      if (limits.signal.aborted) return 'asked to stop';
      if (this.deps.control?.stopRequested) return 'stopped by an admin';
      if (limits.iterations !== undefined && this.iteration >= limits.iterations) {
        return `${limits.iterations} iterations done`;
      }
      if (limits.untilMs !== undefined && this.deps.clock.now() >= limits.untilMs)
        return 'time budget reached';
      const totals = this.deps.store.totals();
      if (
        limits.maxAttempts !== undefined &&
        totals.attempts + this.inFlight.size >= limits.maxAttempts
      ) {
        return `${limits.maxAttempts} attempts in the store`;
      }
      const dollars = totals.cost.dollars + this.unrecordedDollars;
      if (limits.maxDollars !== undefined && dollars >= limits.maxDollars) {
        return `API cost reached $${dollars.toFixed(2)}`;
      }
      return null;
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

  private context(iteration: number): GenerationContext {
    const { store, contract } = this.deps;
    const incumbentVersion = store.incumbent();
    const incumbent = incumbentVersion ? attemptSummary(incumbentVersion.attempt) : null;
    const newestFirst = store.attempts({
      limit: RECENT_ATTEMPTS,
      offset: 0,
      order: 'desc',
    }).attempts;
    const recent = newestFirst.slice().reverse().map(attemptSummary);
    const now = this.deps.clock.now();
    const source = this.deps.recommendations;
    const recommendations = [...(source?.recommendations(now) ?? [])];
    const target = this.repairs.target(newestFirst);
    if (target !== null) {
      for (const extra of source?.repairRecommendations?.(target, now) ?? []) {
        if (!recommendations.some((r) => r.issue === extra.issue)) recommendations.push(extra);
      }
    }
    const parent = target === null ? incumbent : attemptSummary(target);
    const incumbentRd =
      incumbentVersion?.attempt.metrics != null
        ? rdTable(
            incumbentVersion.attempt.metrics,
            this.anchors,
            incumbentVersion.attempt.assessment?.bd_rate,
          )
        : null;
    const base = { iteration, incumbent, parent, recent };
    return {
      ...base,
      prompt: buildPrompt({ ...base, contract, incumbentRd, recommendations }),
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
    this.inFlight.set(sha, iteration);
    try {
      await this.evaluateAndDecide(
        iteration,
        fix.code,
        sha,
        {
          parentId: parent.id,
          generator: 'autofix',
          model: 'autofix',
          prompt: null,
          rawResponse: fix.description,
          usage: NO_USAGE,
        },
        started,
        0,
      );
    } finally {
      this.inFlight.delete(sha);
    }
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

  private async generate(
    context: GenerationContext,
    signal: AbortSignal,
  ): Promise<Generation | null> {
    let backoffMs = 5_000;
    for (;;) {
      try {
        return await this.deps.generator.generate(context);
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        const waitMs = Math.min(error.retryAfterMs ?? backoffMs, MAX_BACKOFF_MS);
        this.deps.log.warn({ waitMs, iteration: context.iteration }, 'rate limited: backing off');
        await this.deps.clock.sleep(waitMs, signal);
        if (signal.aborted) return null;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async once(iteration: number, signal: AbortSignal): Promise<void> {
    await this.attemptOnce(iteration, signal);
    await this.afterIteration();
  }

  private async attemptOnce(iteration: number, signal: AbortSignal): Promise<void> {
    const { clock, store, log } = this.deps;
    const started = clock.now();
    for (let pending = this.repairs.nextFix(); pending; pending = this.repairs.nextFix()) {
      if (await this.applyAutoFix(iteration, pending, started)) return;
    }
    const context = this.context(iteration);
    const generated = clock.now();
    const generation = await this.generate(context, signal);
    const generationMs = clock.now() - generated;
    if (generation === null) return;
    const base = {
      parentId: context.parent?.attemptId ?? null,
      generator: this.deps.generator.name,
      model: generation.model,
      prompt: this.deps.generator.name === 'offline' ? null : context.prompt,
      rawResponse: generation.raw,
      usage: generation.usage,
    };
    if (!generation.ok) {
      const stored = this.record({
        ...base,
        code: '',
        codeSha256: codeSha256(''),
        generationFailure: generation.kind,
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
        createdAtMs: clock.now(),
      });
      this.report(
        iteration,
        stored,
        'failed',
        generationMs,
        0,
        clock.now() - started - generationMs,
      );
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
      this.deps.onIteration?.({
        iteration,
        attemptId: seen,
        generator: this.deps.generator.name,
        outcome: 'duplicate',
        stage: 'skipped',
        category: null,
        version: null,
        bdRateVsIncumbentPct: null,
        bdRateVsJpegPct: null,
        summary:
          seen !== null
            ? `same code as attempt ${seen}: not evaluated again`
            : `same code as iteration ${twin ?? '?'}, still being evaluated: not evaluated twice`,
        generationMs,
        evaluationMs: 0,
        loopOverheadMs: clock.now() - started - generationMs,
      });
      return;
    }
    this.inFlight.set(sha, iteration);
    try {
      await this.evaluateAndDecide(iteration, generation.code, sha, base, started, generationMs);
    } finally {
      this.inFlight.delete(sha);
    }
  }

  private async evaluateAndDecide(
    iteration: number,
    source: string,
    sha: string,
    base: Pick<
      AttemptRecord,
      'parentId' | 'generator' | 'model' | 'prompt' | 'rawResponse' | 'usage'
    >,
    started: number,
    generationMs: number,
  ): Promise<void> {
    const { clock, store, log } = this.deps;
    const evaluated = clock.now();
    const code = Buffer.from(source, 'utf8');
    const assessment = await this.assess(code);
    await this.decide(async () => {
      // The incumbent may have changed while this candidate was evaluated (parallel runs).
      const current = store.incumbent()?.attemptId ?? null;
      const stale = current !== this.incumbentAtAssessment.get(assessment);
      const passed = 'result' in assessment ? assessment.result.ok : assessment.stage === 'screen';
      const final = passed && stale ? await this.assess(code) : assessment;
      const evaluationMs = clock.now() - evaluated;
      // An early ending (screened out, or no behavioural change) has nothing compared or decided.
      const assessed = 'result' in final ? final : null;
      const stored = this.record({
        ...base,
        code: source,
        codeSha256: sha,
        generationFailure: null,
        ...evaluationOutcome(assessed?.result ?? (final as EndedEarly)),
        assessment: assessed && {
          bd_rate: assessed.bd_rate,
          bd_rate_details: assessed.bd_rate_details,
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
      this.report(
        iteration,
        { ...stored, version },
        outcome,
        generationMs,
        evaluationMs,
        clock.now() - started - generationMs - evaluationMs,
      );
    });
  }

  private async assess(code: Buffer): Promise<Assessment | EndedEarly> {
    const { store, clips, qualities, ports } = this.deps;
    const incumbent = store.incumbent();
    const early = earlyStageOptions(
      store,
      clips,
      qualities,
      this.deps.earlyStages ?? DEFAULT_EARLY_STAGES,
    );
    const assessment = await assessCandidate(
      {
        code,
        clips: this.deps.clips,
        holdout: this.deps.holdout,
        incumbent: incumbent
          ? {
              code: Buffer.from(incumbent.attempt.code, 'utf8'),
              origin: `v${incumbent.version} (attempt ${incumbent.attemptId})`,
            }
          : null,
        options: { qualities: this.deps.qualities },
        policy: this.deps.policy,
      },
      early,
      {
        evaluate: (source, clips, options) => this.evaluate(source, clips, options),
        anchors: (clips) => this.deps.ports.anchors(clips),
        checkIsolation: (source, results) => this.deps.ports.checkIsolation(source, results),
        ...(ports.evaluateCandidate
          ? {
              evaluateCandidate: ports.evaluateCandidate.bind(ports),
            }
          : {}),
      },
    );
    this.incumbentAtAssessment.set(assessment, incumbent?.attemptId ?? null);
    return assessment;
  }

  private evaluate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    const sha = codeSha256(code.toString('utf8'));
    if (sha !== this.deps.store.incumbent()?.codeSha256)
      return this.deps.ports.evaluate(code, clips, options);
    const key = `${sha}|${clips.map((clip) => clip.name).join(',')}|${options.qualities.join(',')}`;
    for (const old of this.incumbentResults.keys())
      if (!old.startsWith(sha)) this.incumbentResults.delete(old);
    let result = this.incumbentResults.get(key);
    if (result === undefined) {
      result = this.deps.ports.evaluate(code, clips, options);
      this.incumbentResults.set(key, result);
      // A failed measurement is not remembered: the next candidate measures again.
      void result.then(
        (value) => {
          if (!value.ok) this.incumbentResults.delete(key);
        },
        () => this.incumbentResults.delete(key),
      );
    }
    return result;
  }

  private decide(step: () => Promise<void>): Promise<void> {
    const next = this.adoptionQueue.then(step);
    this.adoptionQueue = next.catch(() => undefined);
    return next;
  }

  private record(record: AttemptRecord): StoredAttempt {
    const stored = this.deps.store.recordAttempt(record);
    this.recorded += 1;
    return stored;
  }

  private report(
    iteration: number,
    attempt: StoredAttempt,
    outcome: IterationReport['outcome'],
    generationMs: number,
    evaluationMs: number,
    loopOverheadMs: number,
  ): void {
    const summary =
      attempt.decision?.summary ??
      (attempt.ok
        ? 'evaluated'
        : `${attempt.stage}: ${attempt.category ?? ''} ${attempt.failureMessage ?? ''}`.trim());
    const report: IterationReport = {
      iteration,
      attemptId: attempt.id,
      generator: attempt.generator,
      outcome,
      stage: attempt.stage,
      category: attempt.category,
      version: attempt.version,
      bdRateVsIncumbentPct: attempt.assessment?.bd_rate.incumbent ?? null,
      bdRateVsJpegPct: attempt.assessment?.bd_rate.jpeg ?? null,
      summary,
      generationMs,
      evaluationMs,
      loopOverheadMs,
    };
    this.deps.log.info({ ...report, component: 'loop' }, 'iteration finished');
    this.deps.onIteration?.(report);
  }
}
