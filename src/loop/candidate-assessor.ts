import type { AdoptionPolicy } from '../evaluation/adoption.js';
import { assessCandidate, type AssessPorts, type Assessment } from '../assessment/assessment.js';
import { tuneReference } from '../assessment/tuning-options.js';
import type { Clip } from '../evaluation/clip.js';
import type { EndedEarly } from '../evaluation/early-stages.js';
import { codeSha256, type Store } from '../store/store.js';
import { DEFAULT_EARLY_STAGES, earlyStageOptions, type EarlyStageSettings } from './early-plan.js';
import { IncumbentCache } from './incumbent-cache.js';

export interface AssessorDependencies {
  readonly store: Store;
  readonly ports: AssessPorts;
  readonly clips: readonly Clip[];
  readonly holdout: readonly Clip[] | null;
  readonly qualities: readonly number[];
  readonly policy: AdoptionPolicy;
  /** Behavioural dedup and screening (early-plan.ts); both on by default. */
  readonly earlyStages?: EarlyStageSettings | undefined;
  /** Tuning of codecs with TUNABLES (docs/ARCHITECTURE.md §3.7); absent: off (`--no-tune`). */
  readonly tuning?: LoopTuning | undefined;
}

export interface LoopTuning {
  /** Proxy evaluations per candidate (`--tune-budget`). */
  readonly budget: number;
  readonly seed: number;
  /** The JPEG anchor's code: the tuner's reference before v1. */
  readonly jpegCode: Buffer;
}

/**
 * A candidate measured against the incumbent of the moment it is decided on. Candidates are
 * evaluated in parallel but decided one at a time: a candidate whose incumbent changed while it
 * was evaluated is assessed again against the new one before its decision.
 */
export class CandidateAssessor {
  /** Adoption is decided one candidate at a time, against the incumbent of that moment. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly incumbentResults: IncumbentCache;
  /** Which incumbent each assessment was made against. */
  private readonly incumbentAtAssessment = new WeakMap<Assessment | EndedEarly, string | null>();

  constructor(private readonly deps: AssessorDependencies) {
    this.incumbentResults = new IncumbentCache((code, clips, options) =>
      deps.ports.evaluate(code, clips, options),
    );
  }

  /** Assesses `code`, then calls `decide` with its final assessment, in the decision queue. */
  async assessAndDecide(
    code: Buffer,
    decide: (final: Assessment | EndedEarly) => Promise<void> | void,
  ): Promise<void> {
    const assessment = await this.assess(code);
    await this.serially(async () => {
      // The incumbent may have changed while this candidate was evaluated (parallel runs).
      const current = this.deps.store.incumbent()?.attemptId ?? null;
      const stale = current !== this.incumbentAtAssessment.get(assessment);
      // Screened out against an incumbent that has since changed: judged again, like a pass.
      const passed = 'result' in assessment ? assessment.result.ok : assessment.stage === 'screen';
      const final = passed && stale ? await this.assess(code) : assessment;
      await decide(final);
    });
  }

  private async assess(code: Buffer): Promise<Assessment | EndedEarly> {
    const { store, ports, clips, qualities } = this.deps;
    const incumbent = store.incumbent();
    const early = earlyStageOptions(
      store,
      clips,
      qualities,
      this.deps.earlyStages ?? DEFAULT_EARLY_STAGES,
    );
    const current = incumbent
      ? {
          code: Buffer.from(incumbent.attempt.code, 'utf8'),
          origin: `v${incumbent.version} (attempt ${incumbent.attemptId})`,
          params: incumbent.attempt.params,
        }
      : null;
    const tuning = this.deps.tuning;
    const assessment = await assessCandidate(
      {
        code,
        clips: this.deps.clips,
        holdout: this.deps.holdout,
        incumbent: current,
        options: {
          qualities: this.deps.qualities,
          ...(tuning === undefined
            ? {}
            : {
                tune: {
                  budget: tuning.budget,
                  seed: tuning.seed,
                  reference: tuneReference(current, tuning.jpegCode),
                },
              }),
        },
        policy: this.deps.policy,
      },
      early,
      {
        evaluate: (source, clips, options) =>
          this.incumbentResults.evaluate(
            source,
            codeSha256(source.toString('utf8')),
            store.incumbent()?.codeSha256,
            clips,
            options,
          ),
        anchors: (clips) => ports.anchors(clips),
        checkIsolation: (source, results) => ports.checkIsolation(source, results),
        ...(ports.evaluateCandidate
          ? { evaluateCandidate: ports.evaluateCandidate.bind(ports) }
          : {}),
      },
    );
    this.incumbentAtAssessment.set(assessment, incumbent?.attemptId ?? null);
    return assessment;
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
