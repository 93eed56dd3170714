/**
 * The cascade's early endings through the real sandbox: a candidate clearly worse than the
 * incumbent stops at screening (its partial metrics kept, nothing else measured); one that only
 * adds a comment behaves exactly like the incumbent and stops as a behavioural duplicate; one
 * within the margin passes screening, and the sweep reuses the screening points.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdoptionDecision } from '../../src/evaluation/adoption.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type CandidateResult } from '../../src/evaluation/evaluator.js';
import { DEFAULT_EARLY_STAGES, earlyStageOptions } from '../../src/loop/early-plan.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { codeSha256, evaluationOutcome, type StoredAttempt } from '../../src/store/store.js';
import { JPEG_CODEC, TEST_LIMITS, builtinClip, openTestSandbox, silentLog } from './support.js';

const QUALITIES = [0.1, 0.3, 0.5, 0.7, 0.9];
const JPEG = readFileSync(JPEG_CODEC, 'utf8');
/** The same JPEG with 1500 bytes of padding in every frame's metadata: far more bits. */
const PADDED = JPEG.replace(
  'return {"compressed": encoded.tobytes(), "metadata": {}}',
  'return {"compressed": encoded.tobytes(), "metadata": {"pad": "x" * 1500}}',
);
/** A comment changes the code, not what it does. */
const COMMENTED = `# an edit that changes nothing\n${JPEG}`;
/** One JPEG quality step higher everywhere: another curve, close to the incumbent's. */
const NUDGED = JPEG.replace('int(5 + 90 * quality)', 'int(6 + 90 * quality)');

const ADOPT: AdoptionDecision = {
  adopt: true,
  summary: 'adopted: the first working codec',
  checks: [],
  meanDevBdRatePct: null,
  requiredBdRatePct: -1,
};

describe('screening and behavioural dedup in the real sandbox', () => {
  let sandbox: DockerSandbox;
  let evaluator: Evaluator;
  let clips: Clip[];
  const store = new MemoryStore();
  let incumbent: StoredAttempt;

  const evaluate = (code: string): Promise<CandidateResult> =>
    evaluator.evaluateCandidate(
      Buffer.from(code),
      clips,
      { qualities: QUALITIES },
      earlyStageOptions(store, clips, QUALITIES, DEFAULT_EARLY_STAGES),
    );

  const record = (code: string, result: CandidateResult): StoredAttempt =>
    store.recordAttempt({
      origin: 'run',
      settings: null,
      code,
      codeSha256: codeSha256(code),
      parentId: null,
      generator: 'test',
      model: 'test',
      prompt: null,
      rawResponse: '',
      generationFailure: null,
      ...evaluationOutcome(result),
      assessment: null,
      decision: null,
      usage: {
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0,
      },
      timings: { generationMs: 0, evaluationMs: result.wallMs },
      createdAtMs: Date.now(),
    });

  beforeAll(async () => {
    // Two cores shared with other work: a generous deadline per run.
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 60_000 });
    evaluator = new Evaluator(sandbox, silentLog, 2);
    clips = [await builtinClip(3)];
    const result = await evaluate(JPEG); // no incumbent yet: neither stage can end it
    if (!result.ok) throw new Error(`the incumbent failed: ${JSON.stringify(result.failure)}`);
    incumbent = record(JPEG, result);
    store.adopt(incumbent.id, ADOPT);
  }, 300_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('stops a clearly worse candidate at screening, with its partial metrics and the reason', async () => {
    const result = await evaluate(PADDED);
    if (result.ok || result.stage !== 'screen' || result.failure !== null) {
      throw new Error(
        `expected a screened-out result, got ${JSON.stringify(result).slice(0, 400)}`,
      );
    }
    expect(result.screening).toMatchObject({
      clip: clips[0]!.name,
      qualities: [0.1, 0.5, 0.9],
      marginPct: 15,
      incumbentAttemptId: incumbent.id,
      verdict: 'screened_out',
      choice: { rule: 'fallback_first_clip' },
    });
    expect(result.screening.bdRatePct).toBeGreaterThan(15);
    // Containers: validate, smoke (2 encodes, 1 decode), then the 3 screening points (batched:
    // one encoder container for the clip, one decoder container per quality): no sweep.
    expect(result.timings.runs).toBe(1 + 3 + 1 + 3);
    expect(result.metrics.clips[0]?.points.map((p) => p.quality)).toEqual([0.1, 0.5, 0.9]);
    const stored = record(PADDED, result);
    expect(stored).toMatchObject({ ok: true, stage: 'screen', category: null });
    expect(stored.failureMessage).toMatch(/worse than the incumbent on screening clip/);
    expect(store.attempt(stored.id)?.screening?.verdict).toBe('screened_out');
  }, 300_000);

  it('ends a candidate that behaves exactly like an earlier attempt as a duplicate of it', async () => {
    const result = await evaluate(COMMENTED);
    expect(result).toMatchObject({
      ok: false,
      failure: null,
      stage: 'duplicate_behaviour',
      duplicateOf: incumbent.id,
      behaviourSha256: incumbent.behaviourSha256,
    });
    expect(result.timings.runs).toBe(4); // validate and smoke only
    const stored = record(COMMENTED, result);
    expect(stored).toMatchObject({ ok: true, duplicateOf: incumbent.id });
  }, 300_000);

  it('sweeps a candidate within the margin without measuring the screening points twice', async () => {
    const result = await evaluate(NUDGED);
    if (!result.ok) throw new Error(`expected success, got ${result.stage}`);
    expect(result.screening?.verdict).toBe('passed');
    expect(result.behaviourSha256).not.toBe(incumbent.behaviourSha256);
    // Containers: validate, smoke, screening (1 encoder, 3 decoders), then the sweep's other 2
    // qualities (1 encoder, 2 decoders): each of the 5 points encoded and decoded once.
    expect(result.timings.runs).toBe(1 + 3 + (1 + 3) + (1 + 2));
    const points = result.metrics.clips[0]?.points ?? [];
    expect(points.map((p) => p.quality)).toEqual(QUALITIES);
    const plain = await evaluator.evaluate(Buffer.from(NUDGED), clips, { qualities: QUALITIES });
    if (!plain.ok) throw new Error('the nudged codec failed without screening');
    const rd = (p: (typeof points)[number]): unknown => [p.total_bytes, p.psnr_y_db, p.ssim_y];
    expect(points.map(rd)).toEqual(plain.metrics.clips[0]?.points.map(rd));
  }, 900_000);
});
