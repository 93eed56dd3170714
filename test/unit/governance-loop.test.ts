/**
 * The self-debugger inside the research loop, with the loop's fakes: the trigger, the
 * recommendations in the prompt, repairs, auto-fixes, effectiveness and reports.
 */
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import type { EvaluateOptions, EvaluationResult } from '../../src/evaluation/evaluator.js';
import {
  DEFAULT_GOVERNANCE,
  Governor,
  type GovernanceSettings,
  type ReportSink,
} from '../../src/governance/governor.js';
import type { GovernanceReport } from '../../src/governance/report.js';
import { createLogger } from '../../src/logger.js';
import { ResearchLoop, type RunLimits } from '../../src/loop/research-loop.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { StoredAttempt } from '../../src/store/store.js';
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

const contract = loadContract();
const silent = createLogger({ level: 'silent' });
const DEV = ['a', 'b'].map(clip);

class MemorySink implements ReportSink {
  readonly reports: GovernanceReport[] = [];
  write(report: GovernanceReport): Promise<string> {
    this.reports.push(report);
    return Promise.resolve(`memory:${this.reports.length}`);
  }
}

const MISSING_ENCODER = [
  '# codec misnamed',
  'def my_compress(frame, config):',
  "    return {'compressed': frame.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return None',
  '',
].join('\n');

const NO_ENCODER_CAUSE = {
  key: 'missing:compress_video_frame',
  subject: { function: 'compress_video_frame', parameters: 'frame, config' },
};

/** FakePorts, plus a validate-stage missing_function failure for code without the encoder. */
class GovernancePorts extends FakePorts {
  override evaluate(
    code: Buffer,
    clips: readonly Clip[],
    options: EvaluateOptions,
  ): Promise<EvaluationResult> {
    const text = code.toString('utf8');
    if (text.includes('def my_compress') && !text.includes('def compress_video_frame')) {
      this.calls.push({ code: text, clips: clips.map((c) => c.name) });
      return Promise.resolve({
        ok: false,
        stage: 'validate',
        failure: {
          category: 'missing_function',
          message: 'define a top-level function compress_video_frame(frame, config)',
          cause: NO_ENCODER_CAUSE,
        },
        findings: [
          {
            category: 'missing_function',
            message: 'define a top-level function compress_video_frame(frame, config)',
            cause: NO_ENCODER_CAUSE,
            line: null,
            excerpt: '',
          },
        ],
        log: '',
        metrics: null,
        imageId: 'sha256:fake-image',
        wallMs: 10,
        timings: { runs: 1, acquire_ms: 0, codec_ms: 0, transfer_ms: 0, tar_ms: 0, metrics_ms: 0 },
      });
    }
    return super.evaluate(code, clips, options);
  }
}

interface Options {
  /** Continue on another run's store and clock (a restart). */
  readonly after?: { readonly store: MemoryStore; readonly clock: FakeClock };
  readonly settings?: Partial<GovernanceSettings>;
  readonly maxRepairs?: number;
  readonly autoFix?: boolean;
  /** 'offline' makes the fake declare the offline generator's capabilities. */
  readonly generatorName?: string;
}

function setup(script: ScriptStep[], options: Options = {}) {
  const clock = options.after?.clock ?? new FakeClock();
  const store = options.after?.store ?? new MemoryStore(() => clock.now());
  const generator = new FakeGenerator(clock, script, options.generatorName ?? 'anthropic');
  const ports = new GovernancePorts(clock);
  const sink = new MemorySink();
  const settings = { ...DEFAULT_GOVERNANCE, ...options.settings };
  const governor = new Governor({
    store,
    contract,
    limits: { timeoutS: 60, memoryMb: 1024 },
    settings,
    reports: sink,
    log: silent,
  });
  const loop = new ResearchLoop({
    store,
    generator,
    ports,
    contract,
    clips: DEV,
    holdout: null,
    qualities: QUALITIES,
    policy: DEFAULT_ADOPTION_POLICY,
    log: silent,
    clock,
    recommendations: governor,
    maxRepairs: options.maxRepairs ?? 0,
    ...(options.autoFix === undefined ? {} : { autoFix: options.autoFix }),
  });
  const controller = new AbortController();
  const run = (limits: Partial<RunLimits> = {}) =>
    loop.run({ intervalMs: 0, parallel: 1, signal: controller.signal, ...limits });
  return { clock, store, generator, ports, sink, governor, run };
}

function all(store: MemoryStore): StoredAttempt[] {
  return [...store.attempts({ limit: 1000, offset: 0, order: 'asc' }).attempts];
}

const failing = (name: string, category: string): ScriptStep =>
  generated(codec(name, `fail: ${category}`));

describe('the trigger', () => {
  it('fires when the window holds more failures than the threshold, not before', async () => {
    const script = Array.from({ length: 8 }, (_, i) => failing(`t${i}`, 'runtime_errors'));
    const { generator, run } = setup(script, { settings: { triggerFailures: 5 } });
    await run({ iterations: 8 });
    const carried = generator.contexts.map((context) =>
      context.prompt.user.includes('[ref runtime_errors#r1]'),
    );
    // Prompts 1–6 were built after 0…5 failures; prompt 7 after 6 (> 5).
    expect(carried).toEqual([false, false, false, false, false, false, true, true]);
    const seventh = generator.contexts[6]?.prompt.user ?? '';
    expect(seventh).toContain('Recommendations from the self-debugger');
    expect(seventh).toContain('runtime_errors (6×)');
  });

  it('counts only the lookback window: old failures do not fire it', async () => {
    const script = [
      ...Array.from({ length: 6 }, (_, i) => failing(`old${i}`, 'timeouts')),
      failing('new', 'timeouts'),
    ];
    const { generator, clock, run } = setup(script, {
      settings: { triggerFailures: 5, lookbackMs: 600_000 },
    });
    await run({ iterations: 6 });
    clock.advance(700_000);
    await run({ iterations: 7 });
    expect(generator.contexts[6]?.prompt.user).not.toContain('[ref timeouts');
  });
});

describe('repairs', () => {
  it('repairs a failed candidate at most maxRepairs times, then goes back to the parent', async () => {
    const script = [
      failing('f0', 'runtime_errors'),
      failing('r1', 'runtime_errors'),
      failing('r2', 'runtime_errors'),
      generated(codec('fresh', 'psnr-offset: 0')),
    ];
    const { generator, store, run } = setup(script, { maxRepairs: 2 });
    await run({ iterations: 4 });
    const [f0, r1, r2, fresh] = all(store);
    expect(generator.contexts[1]?.parent?.attemptId).toBe(f0?.id);
    expect(generator.contexts[2]?.parent?.attemptId).toBe(r1?.id);
    expect(generator.contexts[3]?.parent).toBeNull();
    expect(r1?.parentId).toBe(f0?.id);
    expect(r2?.parentId).toBe(r1?.id);
    expect(fresh?.parentId).toBeNull();
    // The repair prompt names the failed attempt and carries its recommendation, untriggered.
    const repairPrompt = generator.contexts[1]?.prompt.user ?? '';
    expect(repairPrompt).toContain(`Attempt ${f0?.id ?? '?'} failed (runtime_errors at smoke)`);
    expect(repairPrompt).toContain('[ref runtime_errors#r1]');
  });

  it('asks no repair of a generator that does not build on its parent (offline)', async () => {
    const script = [failing('f0', 'runtime_errors'), failing('f1', 'runtime_errors')];
    const { generator, store, run } = setup(script, { maxRepairs: 2, generatorName: 'offline' });
    await run({ iterations: 2 });
    expect(generator.contexts[1]?.parent).toBeNull();
    expect(all(store).map((attempt) => attempt.parentId)).toEqual([null, null]);
  });
});

describe('repairs across a restart', () => {
  it('continues the lineage from the store: the newest failure is repaired, not its parent again', async () => {
    const first = setup([failing('f0', 'runtime_errors'), failing('r1', 'runtime_errors')], {
      maxRepairs: 2,
    });
    await first.run({ iterations: 2 });
    const [f0, r1] = all(first.store);
    expect(r1?.parentId).toBe(f0?.id);
    const second = setup([failing('r2', 'runtime_errors'), failing('x', 'timeouts')], {
      maxRepairs: 2,
      after: first,
    });
    await second.run({ iterations: 2 });
    expect(second.generator.contexts[0]?.parent?.attemptId).toBe(r1?.id);
    // r2 used the lineage's second repair: the next generation starts from the parent again.
    expect(second.generator.contexts[1]?.parent).toBeNull();
  });
});

describe('auto-fixes', () => {
  it('evaluates the mechanical fix as a new attempt with its own lineage, before generating', async () => {
    const { store, generator, run } = setup([generated(MISSING_ENCODER)]);
    await run({ iterations: 2 });
    const [broken, fixed] = all(store);
    expect(broken?.category).toBe('missing_function');
    expect(fixed?.generator).toBe('autofix');
    expect(fixed?.parentId).toBe(broken?.id);
    expect(fixed?.code).toContain(
      'def compress_video_frame(frame, config):\n    return my_compress(frame, config)',
    );
    expect(fixed?.rawResponse).toContain('compress_video_frame added, calling my_compress');
    expect(fixed?.usage.costUsd).toBe(0);
    expect(generator.calls).toBe(1);
  });

  it('can be turned off', async () => {
    const { store, run } = setup([generated(MISSING_ENCODER), failing('x', 'timeouts')], {
      autoFix: false,
    });
    await run({ iterations: 2 });
    expect(all(store).map((a) => a.generator)).toEqual(['anthropic', 'anthropic']);
  });
});

describe('effectiveness and reports', () => {
  it('judges a recommendation from the prompts stored with the attempts', async () => {
    // 3 timeouts fire the trigger (threshold 2); then 3 more timeouts with it in the prompt.
    const script = Array.from({ length: 7 }, (_, i) => failing(`e${i}`, 'timeouts'));
    const { governor, generator, clock, run } = setup(script, {
      settings: { triggerFailures: 2 },
    });
    await run({ iterations: 7 });
    // Prompts 4–6 carried revision 1; it did not lower the rate, so prompt 7 carried revision 2.
    const refs = generator.contexts.map((c) => /\[ref timeouts#r(\d)\]/.exec(c.prompt.user)?.[1]);
    expect(refs).toEqual([undefined, undefined, undefined, '1', '1', '1', '2']);
    const entry = governor
      .assess(clock.now())
      .report.effectiveness.find((e) => e.key === 'timeouts');
    expect(entry?.before).toEqual({ attempts: 3, failures: 3, rate: 1 });
    expect(entry?.revisions).toEqual([
      { revision: 1, after: { attempts: 3, failures: 3, rate: 1 }, verdict: 'no_effect' },
      { revision: 2, after: { attempts: 1, failures: 1, rate: 1 }, verdict: 'too_early' },
    ]);
    expect(entry?.verdict).toBe('too_early');
    expect(entry?.action).toBe('keep');
    expect(governor.recommendations(clock.now())[0]).toMatchObject({
      key: 'timeouts',
      revision: 2,
    });
  });

  it('writes a report when the recommendations change, not after every attempt', async () => {
    const script = [
      failing('a', 'timeouts'),
      failing('b', 'timeouts'),
      failing('c', 'memory_exceeded'),
      failing('d', 'memory_exceeded'),
    ];
    const { sink, run } = setup(script);
    await run({ iterations: 4 });
    expect(sink.reports.map((r) => Object.keys(r.failure_analysis.counts).sort())).toEqual([
      ['timeouts'],
      ['memory_exceeded', 'timeouts'],
    ]);
    const last = sink.reports.at(-1);
    expect(last?.failure_analysis.counts).toEqual({ timeouts: 2, memory_exceeded: 1 });
    expect(last?.system_status.code_evolution_working).toBe(false);
  });
});
