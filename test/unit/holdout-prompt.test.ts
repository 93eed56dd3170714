/**
 * The prompt never sees the holdout: the research loop runs on a split made by the documented
 * rule, adopts through the holdout confirmation (so the holdout really was measured), and
 * neither the generator's context nor any stored prompt names a holdout clip, its frames or
 * its measured figures.
 */
import { describe, expect, it } from 'vitest';
import { splitHoldout, type HoldoutSplit } from '../../src/clips/holdout-split.js';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type { EvaluateOptions, EvaluationResult } from '../../src/evaluation/evaluator.js';
import { createLogger } from '../../src/logger.js';
import { ResearchLoop } from '../../src/loop/research-loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import {
  FakeClock,
  FakeGenerator,
  FakePorts,
  QUALITIES,
  codec,
  generated,
  noCode,
} from './loop-fakes.js';

function clip(name: string, frames: number): Clip {
  return {
    name,
    width: 16,
    height: 16,
    fps: 10,
    frames: Array.from({ length: frames }, (_, i) => Buffer.alloc(16 * 16 * 3, i)),
    source: `/footage/${name}.y4m`,
  };
}

/** FakePorts that also remembers how many frames each evaluated clip had. */
class CountingPorts extends FakePorts {
  readonly frames: Array<[string, number]> = [];

  override evaluate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    for (const c of clips) this.frames.push([c.name, c.frames.length]);
    return super.evaluate(code, clips, options);
  }
}

const A = codec('A', 'psnr-offset: 0');
// Better on dev by 2 dB; on clips named h-* (the holdout below) by 1.7 dB, a figure that
// appears nowhere else.
const BETTER = codec('better', 'psnr-offset: 2', 'holdout-offset: 1.7');
const WORSE = codec('worse', 'psnr-offset: -1');
const BROKEN = codec('broken', 'fail: runtime_errors');

async function runOn(split: HoldoutSplit) {
  const clock = new FakeClock();
  const store = new MemoryStore(() => clock.now());
  const generator = new FakeGenerator(clock, [
    generated(A),
    generated(BETTER),
    generated(BROKEN),
    noCode(),
    generated(WORSE),
  ]);
  const ports = new CountingPorts(clock);
  const loop = new ResearchLoop({
    store,
    generator,
    ports,
    contract: loadContract(),
    clips: split.dev,
    holdout: split.holdout,
    settings: { clip_split: split.record },
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: createLogger({ level: 'silent' }),
    clock,
  });
  await loop.run({
    iterations: 5,
    intervalMs: 0,
    parallel: 1,
    signal: new AbortController().signal,
  });
  const attempts = store.attempts({ limit: 100, offset: 0, order: 'asc' }).attempts;
  // Everything a generator was given or a model was sent, as one text.
  const seen = JSON.stringify([generator.contexts, attempts.map((attempt) => attempt.prompt)]);
  return { store, ports, attempts, seen, generator };
}

describe('the holdout never reaches the prompt', () => {
  it('whole-clip split: adopts v2 through the holdout, and no prompt names it or its figures', async () => {
    const split = splitHoldout([clip('alpha', 6), clip('h-charlie', 6), clip('bravo', 6)]);
    expect(split.holdout.map((c) => c.name)).toEqual(['h-charlie']);
    const { store, ports, attempts, seen, generator } = await runOn(split);

    // The holdout was measured and decided v2's adoption.
    expect(store.versions()).toHaveLength(2);
    expect(ports.calls.some((call) => call.clips.includes('h-charlie'))).toBe(true);
    const better = attempts.find((attempt) => attempt.code === BETTER);
    expect(JSON.stringify(better?.decision)).toContain('holdout BD-rate vs the incumbent -32.48 %');
    // The split is stored with every attempt (and is what a leak would carry).
    expect(
      attempts.every((attempt) => JSON.stringify(attempt.settings).includes('h-charlie')),
    ).toBe(true);

    expect(generator.contexts.length).toBe(5);
    // The prompts do carry the dev figures (v2's dev BD-rate), never the holdout's.
    expect(seen).toContain('-37.0 %');
    expect(seen).not.toContain('h-charlie');
    expect(seen).not.toContain('/footage/h-charlie.y4m');
    expect(seen).not.toContain('-32.5');
    expect(seen).not.toContain('-32.48');
  });

  it('frame split: the later frames are measured for adoption only, and no prompt names them', async () => {
    const split = splitHoldout([clip('solo', 12)]);
    const { store, ports, seen } = await runOn(split);

    expect(store.versions()).toHaveLength(2);
    // Dev runs saw the first 8 frames; the holdout runs the last 4, under their own name.
    expect(new Set(ports.frames.filter(([name]) => name === 'solo').map(([, n]) => n))).toEqual(
      new Set([8]),
    );
    expect(ports.frames).toContainEqual(['solo-holdout', 4]);
    expect(seen).not.toContain('solo-holdout');
    expect(seen).not.toContain('frames 8-11');
    expect(seen).not.toContain('first_frame');
  });
});
