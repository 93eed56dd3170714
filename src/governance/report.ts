/**
 * The self-governance report: what the self-debugger concluded at one moment, written as
 * `self_governance_report_<ts>.json` in the data directory (the seed's sections plus the
 * effectiveness figures). The server, the chat and `codec-lab report` read these types.
 * Field names are snake_case because the JSON file is an interface users read with jq.
 */
import type { FailureCategory } from '../evaluation/failure.js';
import type { Severity } from '../prompt/prompt-builder.js';

export const REPORT_SCHEMA = 'codec-lab/self-governance-report/v1';
export const REPORT_FILE_PATTERN = /^self_governance_report_(\d{8}T\d{6}\d{3}Z)\.json$/;

/** One concrete cause inside a category: which module, which exception and line, which key. */
export interface PatternCause {
  /** Machine-readable: `module:os`, `exception:ZeroDivisionError`, `name:compress_frame`, … */
  readonly key: string;
  /** What a person reads: "imports the forbidden module os". */
  readonly label: string;
  readonly count: number;
  /** Attempt ids it was drawn from, newest first (capped). */
  readonly attempt_ids: readonly string[];
}

export interface FailurePattern {
  readonly category: FailureCategory;
  /**
   * Failed attempts showing this problem: filed under it, or naming it in a validator finding
   * (so patterns may add up to more than the failures; `counts` adds up exactly).
   */
  readonly count: number;
  /** Share of the window's attempts. */
  readonly share: number;
  /** Count in the previous window of the same length, for the trend. */
  readonly previous_count: number;
  readonly trend: 'rising' | 'falling' | 'steady' | 'new';
  /** Most frequent first. */
  readonly causes: readonly PatternCause[];
}

export interface SampleError {
  readonly attempt_id: string;
  readonly category: FailureCategory;
  readonly stage: string;
  readonly message: string;
  readonly line: number | null;
  /** The end of the traceback (capped). */
  readonly traceback_tail: string | null;
}

/** A recommendation as the report and the API show it (the prompt gets a subset). */
export interface ReportRecommendation {
  /** Stable identity across reports: `<category>` or `<category>:<cause key>`. */
  readonly key: string;
  readonly issue: FailureCategory;
  readonly count: number;
  readonly description: string;
  readonly fix: string;
  readonly severity: Severity;
  readonly auto_fixable: boolean;
  /** Attempt ids of the sample errors it was drawn from. */
  readonly sample_attempt_ids: readonly string[];
  /** Revision number: rises each time an ineffective recommendation is rewritten. */
  readonly revision: number;
  /** The model whose failures of this category stand out (model-breakdown.ts), if one does. */
  readonly model?: string;
}

/** The window's attempts and failures of one model (the ensemble member, or the model id). */
export interface ModelFailures {
  readonly model: string;
  readonly attempts: number;
  readonly failures: number;
  readonly failure_rate: number;
  readonly counts: Readonly<Partial<Record<FailureCategory, number>>>;
}

export type Verdict = 'helped' | 'no_effect' | 'worse' | 'too_early';

export interface Effectiveness {
  readonly key: string;
  readonly issue: FailureCategory;
  /** When it first reached a prompt (epoch ms), null if it never did. */
  readonly in_prompt_since_ms: number | null;
  readonly before: RateFigure;
  readonly after: RateFigure;
  readonly verdict: Verdict;
  /** Every revision that reached a prompt, oldest first, each judged against `before`. */
  readonly revisions: readonly {
    readonly revision: number;
    readonly after: RateFigure;
    readonly verdict: Verdict;
  }[];
  /** What the self-debugger did about it: kept, revised (to revision N), dropped. */
  readonly action: 'keep' | 'revise' | 'drop' | 'none';
  readonly explanation: string;
}

/** Failures of one category among a set of generated attempts. */
export interface RateFigure {
  readonly attempts: number;
  readonly failures: number;
  /** failures / attempts, null when there were no attempts. */
  readonly rate: number | null;
}

export interface ActionItem {
  readonly priority: number;
  readonly severity: Severity;
  readonly title: string;
  readonly status: 'open' | 'in_prompt' | 'resolved' | 'dropped';
  readonly recommendation_key: string | null;
}

export interface GovernanceReport {
  readonly schema: typeof REPORT_SCHEMA;
  /** ISO 8601 and epoch ms of the analysis (the injected clock's now). */
  readonly generated_at: string;
  readonly generated_at_ms: number;
  readonly system_status: {
    readonly code_evolution_working: boolean;
    /** One sentence saying why it is or is not working. */
    readonly verdict: string;
    readonly total_attempts: number;
    readonly successes: number;
    readonly failures: number;
    readonly success_rate: number | null;
    readonly versions: number;
    readonly best_version: {
      readonly version: number;
      readonly attempt_id: string;
      readonly bd_rate_vs_jpeg_pct: number | null;
      readonly bd_rate_vs_x264_pct: number | null;
      readonly bd_rate_vs_x265_pct: number | null;
      readonly bd_rate_vs_vp9_pct: number | null;
      readonly bd_rate_vs_av1_pct: number | null;
    } | null;
    /** From the first attempt to the first success, ms; null without a success. */
    readonly time_to_first_success_ms: number | null;
    readonly cost_usd: number;
  };
  readonly failure_analysis: {
    readonly window: {
      readonly lookback_ms: number;
      readonly since_ms: number;
      readonly until_ms: number;
    };
    readonly attempts: number;
    readonly failures: number;
    readonly success_rate: number | null;
    /** Failed attempts by the category each is filed under. */
    readonly counts: Readonly<Partial<Record<FailureCategory, number>>>;
    readonly patterns: readonly FailurePattern[];
    readonly recommendations: readonly ReportRecommendation[];
    readonly sample_errors: readonly SampleError[];
    /** Split by model (absent in reports written before it existed). */
    readonly by_model?: readonly ModelFailures[];
    /** Versions adopted inside the window. */
    readonly versions_adopted: number;
    /**
     * True when the window and the one before it held more attempts than the analysis reads
     * (the newest 2000): counts and trends then cover only those.
     */
    readonly truncated?: boolean;
  };
  readonly improved_prompt: {
    /** Whether the window's failures (not counting failed auto-fixes) passed the threshold. */
    readonly triggered: boolean;
    readonly threshold: number;
    /** The recommendation section the next prompt carries ('' when not triggered). */
    readonly text: string;
    /** The newest stored attempt whose prompt carried recommendations, if any. */
    readonly last_sent_attempt_id: string | null;
  };
  readonly action_items: readonly ActionItem[];
  readonly effectiveness: readonly Effectiveness[];
}
