/**
 * What `codec-lab evaluate` leaves behind, recorded through the store as a guest: the files a
 * user inspects by hand and the attempt status and the API show.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { codecText, evaluatedFileRecord } from '../../src/cli/evaluate-record.js';
import { isCodecLabError } from '../../src/errors.js';
import type { Assessment } from '../../src/assessment/assessment.js';
import type { EvaluationResult } from '../../src/evaluation/evaluator.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { codeSha256 } from '../../src/store/store.js';
import { ADOPT, ASSESSMENT, METRICS, T0 } from './store-contract.js';

const CODE = [
  'import numpy as np',
  'import os',
  '',
  'def compress_video_frame(frame, quality, config):',
  '    return frame.tobytes(), {}',
  '',
  'def decompress_video_frame(data, metadata, config):',
  '    return 1 / 0',
  '',
].join('\n');

const TIMINGS = {
  runs: 3,
  acquire_ms: 12,
  codec_ms: 400,
  transfer_ms: 30,
  tar_ms: 8,
  metrics_ms: 5,
};
const SETTINGS = { qualities: [0.2, 0.8], frames: 4, skip_validation: false };

const SUCCESS: EvaluationResult = {
  ok: true,
  stage: 'done',
  failure: null,
  metrics: METRICS,
  imageId: 'sha256:image',
  wallMs: 1234,
  timings: TIMINGS,
};

const VALIDATE_FAILURE: EvaluationResult = {
  ok: false,
  stage: 'validate',
  failure: {
    category: 'forbidden_imports',
    message: 'import of os is not allowed',
    line: 2,
    cause: { key: 'module:os', subject: { module: 'os' } },
  },
  findings: [
    {
      category: 'forbidden_imports',
      message: 'import of os is not allowed',
      line: 2,
      excerpt: 'import os',
      cause: { key: 'module:os', subject: { module: 'os' } },
    },
  ],
  log: '',
  metrics: null,
  imageId: 'sha256:image',
  wallMs: 50,
  timings: TIMINGS,
};

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "codec.py", line 8, in decompress_video_frame',
  'ZeroDivisionError: division by zero',
].join('\n');

const SWEEP_FAILURE: EvaluationResult = {
  ok: false,
  stage: 'sweep',
  failure: {
    category: 'runtime_errors',
    message: 'ZeroDivisionError: division by zero',
    traceback: TRACEBACK,
    line: 8,
    cause: { key: 'exception:ZeroDivisionError', subject: { exception: 'ZeroDivisionError' } },
  },
  log: 'decoding frame 0',
  metrics: null,
  imageId: 'sha256:image',
  wallMs: 900,
  timings: TIMINGS,
};

function assessed(result: EvaluationResult): Assessment {
  return {
    result,
    ...ASSESSMENT,
    anchor_settings: ASSESSMENT.anchor_settings ?? null,
    // An --incumbent decision: printed by evaluate, never stored as the store's.
    adoption: result.ok ? ADOPT : null,
    incumbent: null,
  };
}

let dataDir = '';
let store: SqliteStore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-evaluate-'));
  store = SqliteStore.openGuest({ dataDir, now: () => T0 });
});

afterEach(() => {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function evaluate(result: EvaluationResult, code = CODE) {
  return store.recordAttempt(
    evaluatedFileRecord({
      code,
      path: '/home/me/codec.py',
      assessment: assessed(result),
      evaluationMs: result.wallMs,
      settings: SETTINGS,
      createdAtMs: T0,
    }),
  );
}

const attemptsDir = (): string => join(dataDir, 'code_attempts');
const listing = (): string[] => readdirSync(attemptsDir()).sort();
const read = (name: string): string => readFileSync(join(attemptsDir(), name), 'utf8');

describe('an evaluated codec file, as the store keeps it', () => {
  it('is an attempt of origin evaluate with its file, flags, outcome and BD-rates', () => {
    const stored = evaluate(SUCCESS);
    expect(stored.id).toBe(String(T0));
    expect(store.attempt(stored.id)).toEqual(stored);
    expect(stored).toMatchObject({
      origin: 'evaluate',
      ok: true,
      version: null,
      stage: 'done',
      generator: 'file',
      model: '/home/me/codec.py',
      prompt: null,
      parentId: null,
      codeSha256: codeSha256(CODE),
      imageId: 'sha256:image',
      metrics: METRICS,
      assessment: ASSESSMENT,
      decision: null,
      settings: { codec: '/home/me/codec.py', ...SETTINGS },
      timings: { generationMs: 0, evaluationMs: 1234 },
      usage: { costUsd: 0, inputTokens: 0, outputTokens: 0 },
    });
    expect(store.totals()).toMatchObject({
      attempts: 1,
      attemptsByOrigin: { run: 0, evaluate: 1 },
      versions: 0,
    });
    expect(read(`attempt_${stored.id}.py`)).toBe(CODE);
    expect(listing()).toEqual([`attempt_${stored.id}.py`]);
  });

  it('keeps why validation refused it, with the category, the line and the excerpt', () => {
    const { id } = evaluate(VALIDATE_FAILURE);
    expect(listing()).toEqual([`attempt_${id}.py`, `validation_failure_${id}.txt`]);
    const text = read(`validation_failure_${id}.txt`);
    expect(text).toContain(`attempt: ${id}`);
    expect(text).toContain('stage: validate');
    expect(text).toContain('category: forbidden_imports');
    expect(text).toContain('- [forbidden_imports] line 2: import of os is not allowed\nimport os');
    // The code excerpt marks the failing line.
    expect(text).toContain('>    2 | import os');
    expect(text).toContain('     1 | import numpy as np');
    expect(store.attempt(id)).toMatchObject({
      ok: false,
      category: 'forbidden_imports',
      failureLine: 2,
      findings: VALIDATE_FAILURE.findings,
    });
  });

  it('keeps a later failure with its traceback and output in error_<id>.txt', () => {
    const { id } = evaluate(SWEEP_FAILURE);
    expect(listing()).toEqual([`attempt_${id}.py`, `error_${id}.txt`]);
    const text = read(`error_${id}.txt`);
    expect(text).toContain('stage: sweep');
    expect(text).toContain('category: runtime_errors');
    expect(text).toContain(`traceback:\n${TRACEBACK}`);
    expect(text).toContain('codec output (capped):\ndecoding frame 0');
    expect(text).toContain('>    8 |     return 1 / 0');
    expect(store.recentFailures(T0).map((attempt) => attempt.id)).toEqual([id]);
  });

  it('gives attempts at the same clock reading distinct ids, across guests', () => {
    const first = evaluate(SUCCESS);
    const second = evaluate(SWEEP_FAILURE, 'print(2)\n');
    const other = SqliteStore.openGuest({ dataDir, now: () => T0 });
    const third = other.recordAttempt(
      evaluatedFileRecord({
        code: CODE,
        path: '/x.py',
        assessment: assessed(SUCCESS),
        evaluationMs: 1,
        settings: {},
        createdAtMs: T0,
      }),
    );
    other.close();
    expect([first.id, second.id, third.id]).toEqual([T0, T0 + 1, T0 + 2].map(String));
    expect(read(`attempt_${second.id}.py`)).toBe('print(2)\n');
  });

  it('leaves no temporary files behind', () => {
    evaluate(SUCCESS);
    evaluate(VALIDATE_FAILURE);
    evaluate(SWEEP_FAILURE);
    const names = listing();
    expect(names).toHaveLength(1 + 2 + 2);
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('codecText', () => {
  it('reads UTF-8 as it is, a byte order mark included', () => {
    expect(codecText(Buffer.from('# é\nx = 1\n'), 'c.py')).toBe('# é\nx = 1\n');
    const bom = Buffer.from('\ufeffx = 1\n');
    expect(Buffer.from(codecText(bom, 'c.py'))).toEqual(bom);
  });

  it('refuses bytes that are not UTF-8, saying what to do', () => {
    let error: unknown;
    try {
      codecText(Buffer.from([0x23, 0x20, 0xe9, 0x0a]), 'latin1.py');
    } catch (caught) {
      error = caught;
    }
    expect(isCodecLabError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toContain("'latin1.py' is not UTF-8");
    expect((error as Error).message).toContain('save it as UTF-8');
  });
});
