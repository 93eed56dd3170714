import { CodecLabError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  PROMPTED_CAPABILITIES,
  type CodeGenerator,
  type Generation,
  type GenerationContext,
} from '../generator.js';
import type { ModelSpec } from './model-spec.js';
import type { ModelOutcome } from './outcome.js';
import {
  banditPick,
  repairPick,
  weightedPick,
  type ModelPolicy,
  type PolicyMember,
} from './policies.js';

/**
 * The one seam between the ensemble and the providers: a client for one member. The
 * composition root (cli/llm-runtime.ts, createProvider) builds Anthropic and OpenAI clients.
 */
export type ProviderFactory = (spec: ModelSpec) => Promise<CodeGenerator>;

export interface EnsembleMember {
  readonly spec: ModelSpec;
  /** Dollars per million input + output tokens, the configured fallback filled in. */
  readonly pricePerMTok: number;
  readonly generator: CodeGenerator;
}

export interface EnsembleOptions {
  readonly members: readonly EnsembleMember[];
  readonly policy: ModelPolicy;
  /** The run's seed (`weighted`). */
  readonly seed: number;
  /** The loop's stored attempts, read at every pick (the store is the policies' state). */
  readonly outcomes: () => readonly ModelOutcome[];
  readonly logger?: Logger;
}

/** Why a member was picked, for the log and the tests. */
export interface EnsemblePick {
  readonly member: string;
  readonly rule: 'weighted' | 'bandit_untried' | 'bandit_floor' | 'bandit_ucb' | 'repair_record';
}

/**
 * Several models behind one CodeGenerator: each attempt is written by one member, chosen by
 * the policy; a repair goes to the cheapest member that has fixed that failure category
 * before. The Generation carries the member's name, stored with the attempt.
 */
export class EnsembleGenerator implements CodeGenerator {
  readonly name = 'ensemble';
  readonly capabilities = PROMPTED_CAPABILITIES;
  private readonly byName: ReadonlyMap<string, EnsembleMember>;
  private readonly policyMembers: readonly PolicyMember[];
  /** This process's picks per member (generate() calls), stored or not. */
  private readonly picks = new Map<string, number>();
  /** The newest stored attempt id when this process first picked: later ones are its own. */
  private storedBefore: bigint | null = null;

  constructor(private readonly options: EnsembleOptions) {
    if (options.members.length === 0) {
      throw new CodecLabError('CONFIG_INVALID', 'an ensemble needs at least one model');
    }
    this.byName = new Map(options.members.map((member) => [member.spec.name, member]));
    this.policyMembers = options.members.map((member) => ({
      name: member.spec.name,
      weight: member.spec.weight,
      pricePerMTok: member.pricePerMTok,
    }));
  }

  /** Builds every member's client through the factory, in the file's order. */
  static async create(
    specs: readonly ModelSpec[],
    factory: ProviderFactory,
    fallbackPrice: (spec: ModelSpec) => number,
    options: Omit<EnsembleOptions, 'members'>,
  ): Promise<EnsembleGenerator> {
    const members: EnsembleMember[] = [];
    for (const spec of specs) {
      members.push({ spec, pricePerMTok: fallbackPrice(spec), generator: await factory(spec) });
    }
    return new EnsembleGenerator({ ...options, members });
  }

  /** Every member's client, in the file's order. */
  get clients(): readonly CodeGenerator[] {
    return this.options.members.map((member) => member.generator);
  }

  get members(): readonly string[] {
    return this.policyMembers.map((member) => member.name);
  }

  /** The member the next attempt of this context goes to. */
  pick(context: GenerationContext): EnsemblePick {
    const outcomes = this.options.outcomes();
    const parent = context.parent;
    if (parent !== null && !parent.ok && parent.category !== undefined) {
      const fixer = repairPick(this.policyMembers, outcomes, parent.category);
      if (fixer !== null) return { member: fixer, rule: 'repair_record' };
    }
    if (this.options.policy === 'weighted') {
      return {
        member: weightedPick(this.policyMembers, this.options.seed, context.iteration),
        rule: 'weighted',
      };
    }
    const choice = banditPick(this.policyMembers, [...outcomes, ...this.unstored(outcomes)]);
    return { member: choice.name, rule: `bandit_${choice.reason}` };
  }

  /**
   * The bandit's view of this process's picks that the store does not show: attempts in
   * flight (parallel workers would otherwise all take the same untried member) and code the
   * loop skipped as already seen (never stored, so a member repeating itself would be picked
   * again and again). Each counts as an attempt that gained nothing at the cost floor.
   */
  private unstored(outcomes: readonly ModelOutcome[]): ModelOutcome[] {
    this.storedBefore ??= outcomes.reduce((max, o) => {
      const id = BigInt(o.attemptId);
      return id > max ? id : max;
    }, 0n);
    const before = this.storedBefore;
    const extra: ModelOutcome[] = [];
    for (const member of this.options.members) {
      const name = member.spec.name;
      const stored = outcomes.filter(
        (o) => o.member === name && BigInt(o.attemptId) > before,
      ).length;
      for (let i = stored; i < (this.picks.get(name) ?? 0); i += 1) {
        extra.push({
          attemptId: `unstored-${name}-${i}`,
          member: name,
          model: member.spec.model,
          ok: false,
          category: null,
          repairOf: null,
          adopted: false,
          gainPts: 0,
          costUsd: 0,
          inputTokens: 0,
          outputTokens: 0,
        });
      }
    }
    return extra;
  }

  async generate(context: GenerationContext): Promise<Generation> {
    const pick = this.pick(context);
    const member = this.byName.get(pick.member);
    if (member === undefined)
      throw new Error(`the ensemble picked an unknown member ${pick.member}`);
    this.picks.set(pick.member, (this.picks.get(pick.member) ?? 0) + 1);
    this.options.logger?.info(
      { iteration: context.iteration, member: pick.member, rule: pick.rule, component: 'ensemble' },
      `attempt written by ${pick.member} (${member.spec.model})`,
    );
    const generation = await member.generator.generate(context);
    return { ...generation, member: member.spec.name };
  }
}
