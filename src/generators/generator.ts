/**
 * Where codec source code comes from. Implementations are named after their technology:
 * AnthropicGenerator (Claude through @anthropic-ai/sdk), OpenAIGenerator (any server that speaks
 * the OpenAI Chat Completions protocol, through the openai SDK), OfflineGenerator (a seeded
 * program search, no network), ReplayGenerator (recorded responses from a folder).
 */

/** One earlier attempt, as the generator may learn from it (newest last). */
export interface AttemptSummary {
  readonly attemptId: string;
  readonly code: string;
  /** The generator's own description of how it made this code (e.g. the offline genome). */
  readonly origin?: Readonly<Record<string, unknown>>;
  readonly ok: boolean;
  readonly stage: string;
  /** Failure category (docs/ARCHITECTURE.md §4) when it failed. */
  readonly category?: string;
  readonly message?: string;
  readonly traceback?: string;
  /** Mean dev-set BD-rate against the incumbent at the time (percent, negative = better). */
  readonly bdRateVsIncumbentPct?: number | null;
  /** Mean dev-set BD-rate against per-frame JPEG (percent). */
  readonly bdRateVsJpegPct?: number | null;
  readonly adopted: boolean;
  /** Stage `duplicate_behaviour`: the earlier attempt it behaved exactly like. */
  readonly duplicateOf?: string;
  /** Screened out (stage `screen`, passing): where and by how much it was worse. */
  readonly screened?: {
    readonly clip: string;
    readonly bdRatePct: number | null;
    readonly marginPct: number;
  };
  readonly tuning?: TuningSummary | null;
}

export interface TuningSummary {
  readonly params: Readonly<Record<string, number | string>>; // tuned values
  readonly defaults: Readonly<Record<string, number | string>>; // TUNABLES defaults
  readonly defaultBdRatePct: number | null; // proxy BD-rate of the defaults
  readonly tunedBdRatePct: number | null; // proxy BD-rate of the tuned params
  readonly evaluations: number;
  readonly wallMs: number;
}

export interface GenerationContext {
  readonly iteration: number;
  /** The current best version, when one was adopted. */
  readonly incumbent: AttemptSummary | null;
  /** The attempt this one should improve on or repair (often the incumbent). */
  readonly parent: AttemptSummary | null;
  /** Recent attempts, newest last, bounded by the caller. */
  readonly recent: readonly AttemptSummary[];
  /** The prompt an LLM generator sends (built by the caller from all of the above). */
  readonly prompt: Prompt;
}

/** A prompt split so that the stable part can be cached by the provider. */
export interface Prompt {
  /** Contract, allowed modules, rules: the same for every request. */
  readonly system: string;
  /** This iteration: incumbent, RD table, failures, recommendations. */
  readonly user: string;
  /**
   * The self-debugger's recommendations rendered into `user`, as data: what the effectiveness
   * judgement counts (never parsed back from the text, which also quotes codec output).
   */
  readonly references?: readonly RecommendationRef[];
}

export interface RecommendationRef {
  readonly key: string;
  readonly revision: number;
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly costUsd: number;
}

export const NO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
});

/** Responses that carry no usable code are failures of their own kind, kept with the raw text. */
export type GenerationFailureKind =
  'no_code_block' | 'several_code_blocks' | 'truncated' | 'empty_response';

export type Generation =
  | {
      readonly ok: true;
      readonly code: string;
      readonly raw: string;
      readonly model: string;
      /** The ensemble member that wrote it (`--models`); absent outside an ensemble. */
      readonly member?: string;
      readonly usage: Usage;
      readonly origin?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      readonly kind: GenerationFailureKind;
      readonly message: string;
      readonly raw: string;
      readonly model: string;
      readonly member?: string;
      readonly usage: Usage;
    };

/** What a generator does with what the loop gives it: the loop reads these, never the name. */
export interface GeneratorCapabilities {
  /** It sends the prompt the loop builds; false: attempts record no prompt (none was sent). */
  readonly usesPrompt: boolean;
  /**
   * It builds on `context.parent` (its code and failure), so repairing a failed attempt makes
   * sense; false: the loop asks for no repairs, which would only mislabel lineage.
   */
  readonly repairsParent: boolean;
}

/** Claude and recorded Claude responses: they read the prompt and repair their parent. */
export const PROMPTED_CAPABILITIES: GeneratorCapabilities = Object.freeze({
  usesPrompt: true,
  repairsParent: true,
});

export interface CodeGenerator {
  readonly name: string;
  readonly capabilities: GeneratorCapabilities;
  /**
   * Throws only for infrastructure (API key missing, API unreachable after the SDK's retries,
   * rate limited: see RateLimitedError); a response without usable code is a Generation.
   */
  generate(context: GenerationContext): Promise<Generation>;
}

/**
 * A language model asked one plain question (the admin chat): provider-neutral, so whichever
 * model the run or the server is configured with answers. Both LLM generators implement it.
 */
export interface ModelClient {
  readonly model: string;
  /** The answer's text. Throws like CodeGenerator.generate (key refused, unreachable, 429). */
  complete(system: string, user: string, signal?: AbortSignal): Promise<string>;
}

/** The provider asked us to slow down; the loop backs off (the only retry outside the SDK). */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RateLimitedError';
  }
}
