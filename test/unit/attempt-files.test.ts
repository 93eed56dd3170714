import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { EvaluationResult } from '../../src/evaluation/evaluator.js';
import { AttemptFiles, type AttemptMeta } from '../../src/store/attempt-files.js';
import { createFileAtomic, writeFileAtomic } from '../../src/store/atomic.js';

const CLOCK_MS = 1_700_000_000_000;
const clock = (): number => CLOCK_MS;

const CODE = Buffer.from(
  [
    'import numpy as np',
    'import os',
    '',
    'def compress_video_frame(frame, quality, config):',
    '    return frame.tobytes(), {}',
    '',
    'def decompress_video_frame(data, metadata, config):',
    '    return 1 / 0',
    '',
  ].join('\n'),
);

const META: AttemptMeta = { origin: 'test/fixtures/codec.py', settings: { timeoutMs: 1000 } };

const TIMINGS = {
  runs: 3,
  acquire_ms: 12,
  codec_ms: 400,
  transfer_ms: 30,
  tar_ms: 8,
  metrics_ms: 5,
};

const SUCCESS: EvaluationResult = {
  ok: true,
  stage: 'done',
  failure: null,
  metrics: { points: [], clips: [] },
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
    cause: { key: 'module:os', subject: { module: 'os', path: 'os' } },
    line: 2,
    excerpt: 'import os',
  },
  findings: [
    {
      category: 'forbidden_imports',
      message: 'import of os is not allowed',
      cause: { key: 'module:os', subject: { module: 'os', path: 'os' } },
      line: 2,
      excerpt: 'import os',
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
    cause: { key: 'exception:ZeroDivisionError', subject: { exception: 'ZeroDivisionError' } },
    traceback: TRACEBACK,
    line: 8,
  },
  log: 'decoding frame 0',
  metrics: null,
  imageId: 'sha256:image',
  wallMs: 900,
  timings: TIMINGS,
};

let dataDir = '';

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'codec-lab-attempts-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const attemptsDir = (): string => join(dataDir, 'code_attempts');
const listing = async (): Promise<string[]> => (await readdir(attemptsDir())).sort();
const read = async (name: string): Promise<string> => readFile(join(attemptsDir(), name), 'utf8');

describe('AttemptFiles', () => {
  it('stores a successful attempt as the code and the JSON record only', async () => {
    const stored = await new AttemptFiles(dataDir, clock).record(CODE, SUCCESS, META);
    expect(stored.id).toBe('1700000000000');
    expect(stored.dir).toBe(attemptsDir());
    expect(stored.files).toEqual(['attempt_1700000000000.py', 'attempt_1700000000000.json']);
    expect(await listing()).toEqual(['attempt_1700000000000.json', 'attempt_1700000000000.py']);
    expect(await readFile(join(attemptsDir(), 'attempt_1700000000000.py'))).toEqual(CODE);
    const record = JSON.parse(await read('attempt_1700000000000.json')) as Record<string, unknown>;
    expect(record).toEqual({
      attempt_id: '1700000000000',
      created_at: new Date(CLOCK_MS).toISOString(),
      code_sha256: createHash('sha256').update(CODE).digest('hex'),
      origin: 'test/fixtures/codec.py',
      settings: { timeoutMs: 1000 },
      result: SUCCESS,
    });
  });

  it('adds a validation failure file with the category, the line and the excerpt', async () => {
    const stored = await new AttemptFiles(dataDir, clock).record(CODE, VALIDATE_FAILURE, META);
    const id = stored.id;
    expect(stored.files).toEqual([
      `attempt_${id}.py`,
      `validation_failure_${id}.txt`,
      `attempt_${id}.json`,
    ]);
    expect(await listing()).toEqual(
      [`attempt_${id}.json`, `attempt_${id}.py`, `validation_failure_${id}.txt`].sort(),
    );
    const text = await read(`validation_failure_${id}.txt`);
    expect(text).toContain(`attempt: ${id}`);
    expect(text).toContain('stage: validate');
    expect(text).toContain('category: forbidden_imports');
    expect(text).toContain('- [forbidden_imports] line 2: import of os is not allowed\nimport os');
    // The code excerpt marks the failing line.
    expect(text).toContain('>    2 | import os');
    expect(text).toContain('     1 | import numpy as np');
    const record = JSON.parse(await read(`attempt_${id}.json`)) as { result: unknown };
    expect(record.result).toEqual(VALIDATE_FAILURE);
  });

  it('adds an error file with the traceback for a later-stage failure', async () => {
    const stored = await new AttemptFiles(dataDir, clock).record(CODE, SWEEP_FAILURE, META);
    const id = stored.id;
    expect(stored.files).toEqual([`attempt_${id}.py`, `error_${id}.txt`, `attempt_${id}.json`]);
    expect(await listing()).toEqual([`attempt_${id}.json`, `attempt_${id}.py`, `error_${id}.txt`]);
    const text = await read(`error_${id}.txt`);
    expect(text).toContain('stage: sweep');
    expect(text).toContain('category: runtime_errors');
    expect(text).toContain(`traceback:\n${TRACEBACK}`);
    expect(text).toContain('codec output (capped):\ndecoding frame 0');
    expect(text).toContain('>    8 |     return 1 / 0');
  });

  it('gives a second attempt at the same clock reading the next id', async () => {
    const files = new AttemptFiles(dataDir, clock);
    const first = await files.record(CODE, SUCCESS, META);
    const second = await files.record(Buffer.from('print(2)\n'), SWEEP_FAILURE, META);
    const third = await new AttemptFiles(dataDir, clock).record(CODE, SUCCESS, META);
    expect([first.id, second.id, third.id]).toEqual([
      '1700000000000',
      '1700000000001',
      '1700000000002',
    ]);
    expect(await read('attempt_1700000000000.py')).toBe(CODE.toString());
    expect(await read('attempt_1700000000001.py')).toBe('print(2)\n');
  });

  it('gives concurrent attempts at the same clock reading distinct ids', async () => {
    const files = new AttemptFiles(dataDir, clock);
    const stored = await Promise.all(
      [0, 1, 2, 3].map((n) => files.record(Buffer.from(`# ${n}\n`), SUCCESS, META)),
    );
    const ids = stored.map((attempt) => attempt.id).sort();
    expect(ids).toEqual(['1700000000000', '1700000000001', '1700000000002', '1700000000003']);
    for (const attempt of stored) {
      const record = JSON.parse(await read(`attempt_${attempt.id}.json`)) as {
        attempt_id: string;
      };
      expect(record.attempt_id).toBe(attempt.id);
    }
  });

  it('leaves no temporary files behind', async () => {
    const files = new AttemptFiles(dataDir, clock);
    await files.record(CODE, SUCCESS, META);
    await files.record(CODE, VALIDATE_FAILURE, META);
    await files.record(CODE, SWEEP_FAILURE, META);
    const names = await listing();
    expect(names).toHaveLength(3 + 3 + 2);
    expect(names.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('atomic writes', () => {
  it('createFileAtomic refuses an existing file with EEXIST and leaves it alone', async () => {
    const path = join(dataDir, 'claimed.py');
    await writeFile(path, 'original');
    await expect(createFileAtomic(path, 'intruder')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('original');
    expect(await readdir(dataDir)).toEqual(['claimed.py']);
  });

  it('createFileAtomic creates a new file with the given bytes', async () => {
    const path = join(dataDir, 'new.bin');
    await createFileAtomic(path, Buffer.from([0, 1, 2, 255]));
    expect(await readFile(path)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await readdir(dataDir)).toEqual(['new.bin']);
  });

  it('writeFileAtomic replaces an existing file whole', async () => {
    const path = join(dataDir, 'record.json');
    await writeFileAtomic(path, 'first version, longer');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dataDir)).toEqual(['record.json']);
  });
});
