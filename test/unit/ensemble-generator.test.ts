import { describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import {
  EnsembleGenerator,
  type ProviderFactory,
} from '../../src/generators/ensemble/ensemble-generator.js';
import type { ModelSpec } from '../../src/generators/ensemble/model-spec.js';
import type { ModelPolicy } from '../../src/generators/ensemble/policies.js';
import type { CodeGenerator, GenerationContext } from '../../src/generators/generator.js';
import { createLogger } from '../../src/logger.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { modelFigures } from '../../src/store/model-figures.js';
import {
  FakeClock,
  FakeGenerator,
  FakePorts,
  QUALITIES,
  clip,
  codec,
  generated,
  type ScriptStep,
} from './loop-fakes.js';
import { failed, record } from './store-contract.js';

const silent = createLogger({ level: 'silent' });
const SPECS: readonly ModelSpec[] = [
  {
    name: 'strong',
    provider: 'anthropic',
    model: 'claude-strong',
    weight: 1,
    price_in_per_mtok: 3,
    price_out_per_mtok: 15,
  },
  {
    name: 'local',
    provider: 'openai',
    model: 'qwen-local',
    weight: 3,
    price_in_per_mtok: 0,
    price_out_per_mtok: 0,
  },
];

/** Members that write codecs named after themselves; `better` members improve each time. */
function members(clock: FakeClock, better: ReadonlySet<string>): Map<string, FakeGenerator> {
  const made = new Map<string, FakeGenerator>();
  for (const spec of SPECS) {
    let n = 0;
    const script: ScriptStep[] = Array.from({ length: 60 }, () => {
      n += 1;
      const offset = better.has(spec.name) ? n * 0.6 : -0.5 - n * 0.01;
      return {
        ...generated(
          codec(`${spec.name}-${n}`, `psnr-offset: ${offset.toFixed(2)}`),
          spec.name === 'local' ? 0 : 0.02,
        ),
        model: spec.model,
      };
    });
    made.set(spec.name, new FakeGenerator(clock, script, spec.provider));
  }
  return made;
}

async function ensemble(
  store: MemoryStore,
  made: Map<string, FakeGenerator>,
  policy: ModelPolicy,
): Promise<EnsembleGenerator> {
  const factory: ProviderFactory = (spec) => Promise.resolve(made.get(spec.name) as CodeGenerator);
  return EnsembleGenerator.create(
    SPECS,
    factory,
    (spec) => (spec.price_in_per_mtok ?? 0) + (spec.price_out_per_mtok ?? 0),
    {
      policy,
      seed: 11,
      outcomes: () => store.modelOutcomes(),
      logger: silent,
    },
  );
}

async function runLoop(
  store: MemoryStore,
  clock: FakeClock,
  generator: EnsembleGenerator,
  iterations: number,
) {
  const loop = new ResearchLoop({
    store,
    generator,
    ports: new FakePorts(clock),
    contract: loadContract(),
    clips: ['a', 'b', 'c'].map(clip),
    holdout: ['h-1'].map(clip),
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: silent,
    clock,
    autoFix: false,
  });
  await loop.run({ intervalMs: 0, parallel: 1, signal: new AbortController().signal, iterations });
}

const members_ = (store: MemoryStore) =>
  store.attempts({ limit: 1000, offset: 0, order: 'asc' }).attempts.map((a) => a.member);

describe('EnsembleGenerator in the loop', () => {
  it('weighted: stores who wrote each attempt, split by weight, the same under the same seed', async () => {
    const picks: (string | null)[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const clock = new FakeClock();
      const store = new MemoryStore(() => clock.now());
      const made = members(clock, new Set());
      await runLoop(store, clock, await ensemble(store, made, 'weighted'), 24);
      const stored = store.attempts({ limit: 1000, offset: 0, order: 'asc' }).attempts;
      for (const attempt of stored) {
        expect(attempt.model).toBe(SPECS.find((s) => s.name === attempt.member)?.model);
      }
      const who = members_(store);
      expect(who.filter((m) => m === 'strong').length).toBe(made.get('strong')?.calls);
      expect(who.filter((m) => m === 'local').length).toBeGreaterThan(
        who.filter((m) => m === 'strong').length,
      );
      picks.push(who);
    }
    expect(picks[1]).toEqual(picks[0]);
  });

  it('bandit: shifts towards the member whose codecs are adopted, and rebuilds its state from the store', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore(() => clock.now());
    const made = members(clock, new Set(['local']));
    await runLoop(store, clock, await ensemble(store, made, 'bandit'), 8);
    const first = members_(store);
    // A restarted run: a new ensemble over the same store continues from the stored outcomes.
    const restarted = await ensemble(store, made, 'bandit');
    const context = {
      iteration: 1,
      incumbent: null,
      parent: null,
      recent: [],
      prompt: { system: '', user: '' },
    } satisfies GenerationContext;
    const before = restarted.pick(context);
    await runLoop(store, clock, restarted, 12);
    const who = members_(store);
    expect(who.slice(0, first.length)).toEqual(first);
    expect(who[first.length]).toBe(before.member);
    const local = who.filter((m) => m === 'local').length;
    const strong = who.filter((m) => m === 'strong').length;
    expect(local).toBeGreaterThan(2 * strong);
    expect(strong).toBeGreaterThanOrEqual(2); // the floor: never starved
    const figures = modelFigures(store.modelOutcomes());
    const byName = Object.fromEntries(figures.map((f) => [f.name, f]));
    expect(byName.local?.adoptions).toBeGreaterThan(1);
    expect(byName.local?.bd_rate_points_gained).toBeGreaterThan(0);
    expect(byName.local?.dollars).toBe(0);
    // strong wrote v1 (the first version gains nothing: there was no incumbent to beat).
    expect(byName.strong?.bd_rate_points_gained).toBe(0);
    expect(byName.strong?.dollars).toBeCloseTo(0.02 * strong, 10);
    expect(byName.strong?.dollars_per_bd_rate_point).toBeNull();
  });

  it('sends a repair to the cheapest member with a record of fixing that category', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore(() => clock.now());
    const generator = await ensemble(store, members(clock, new Set()), 'weighted');
    const broken = store.recordAttempt(
      failed('b = 1\n', 'sweep', 'runtime_errors', { member: 'local' }),
    );
    store.recordAttempt(record('b = 2\n', { member: 'strong', parentId: broken.id }));
    const context = (category: string): GenerationContext => {
      const parent = {
        attemptId: broken.id,
        code: 'b = 1\n',
        ok: false,
        stage: 'sweep',
        category,
        adopted: false,
      };
      return {
        iteration: 1,
        incumbent: null,
        parent,
        recent: [],
        prompt: { system: '', user: '' },
      };
    };
    expect(generator.pick(context('runtime_errors'))).toEqual({
      member: 'strong',
      rule: 'repair_record',
    });
    expect(generator.pick(context('timeouts')).rule).toBe('weighted');
    // Both members on record: the cheaper one (local, 0 $/MTok) gets it.
    const again = store.recordAttempt(
      failed('b = 3\n', 'sweep', 'runtime_errors', { member: 'strong' }),
    );
    store.recordAttempt(record('b = 4\n', { member: 'local', parentId: again.id }));
    expect(generator.pick(context('runtime_errors'))).toEqual({
      member: 'local',
      rule: 'repair_record',
    });
  });

  it('bandit: counts picks the store does not show (duplicates, in flight), so a member repeating itself is not picked forever', async () => {
    const clock = new FakeClock();
    const made = members(clock, new Set());
    const store = new MemoryStore();
    const generator = await ensemble(store, made, 'bandit');
    const context: GenerationContext = {
      iteration: 1,
      incumbent: null,
      parent: null,
      recent: [],
      prompt: { system: '', user: '' },
    };
    // Nothing reaches the store (every answer a duplicate the loop skips): without counting
    // its own picks the bandit would take the first untried member every time.
    const picked: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      picked.push(generator.pick(context).member);
      await generator.generate(context);
    }
    expect(picked.slice(0, 2).sort()).toEqual(['local', 'strong']);
    expect(picked.filter((name) => name === 'strong').length).toBeGreaterThanOrEqual(2);
    expect(picked.filter((name) => name === 'local').length).toBeGreaterThanOrEqual(2);
  });
});
