/**
 * Rewording every harness and validator message changes no cause the self-debugger finds. A
 * derived image carries copies of harness.py and validator.py whose every failure message is
 * reworded (test/fixtures/reword.py); attacks from the hostile corpus and a few codecs that
 * reach the remaining failure kinds run through the real evaluator in both images, and the
 * self-debugger must find the same causes in both results. The derived image is removed at
 * the end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator, type EvaluationResult } from '../../src/evaluation/evaluator.js';
import { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { findSandboxImage } from '../../src/sandbox/image.js';
import { currentOwner } from '../../src/sandbox/owner.js';
import { packTar } from '../../src/sandbox/tar-io.js';
import {
  REWORDED_PREFIX,
  selfDebuggerCauses,
  writeRewordedHarness,
  type FoundCause,
} from '../unit/reworded-support.js';
import {
  ROOT,
  TEST_LIMITS,
  builtinClip,
  docker,
  ownLabel,
  sandboxContainers,
  silentLog,
} from './support.js';

const LIMITS = { ...TEST_LIMITS, timeoutMs: 10_000 };

const encoder = (body: string): string =>
  [
    'import numpy as np',
    'def compress_video_frame(frame, config):',
    `    ${body}`,
    'def decompress_video_frame(compressed, metadata, config):',
    "    return np.frombuffer(compressed, np.uint8).reshape(config['height'], config['width'], 3)",
    '',
  ].join('\n');

const INLINE: Readonly<Record<string, string>> = {
  'dict without metadata': encoder("return {'compressed': frame.tobytes()}"),
  'metadata a list': encoder("return {'compressed': frame.tobytes(), 'metadata': [1]}"),
  'decoder returns None': [
    'def compress_video_frame(frame, config):',
    "    return {'compressed': frame.tobytes(), 'metadata': {}}",
    'def decompress_video_frame(compressed, metadata, config):',
    '    return None',
    '',
  ].join('\n'),
};

/** [case, code, skip validation, whether the harness (not the orchestrator) words the failure]. */
const CASES: ReadonlyArray<readonly [string, string, boolean, boolean]> = [
  ...[
    'fmt_zero_division_frame2.py',
    'fmt_encoder_returns_array.py',
    'fmt_compressed_str.py',
    'fmt_metadata_numpy_array.py',
    'fmt_oversized_bitstream.py',
    'fmt_oversized_metadata.py',
    'fmt_wrong_dtype.py',
    'py_missing_decoder.py',
    'py_syntax_error.py',
    'proc_sys_exit.py',
    'proc_os_exit.py',
    'proc_segfault_ctypes.py',
    'proc_forge_failure_record.py',
    'out_stdout_flood.py',
  ].map(
    (file) => [file, readFileSync(join(ROOT, 'test/hostile', file), 'utf8'), true, true] as const,
  ),
  // Limits: the harness or the orchestrator may see them first, depending on the host's load.
  ...['res_memory_numpy.py', 'res_busy_loop.py'].map(
    (file) => [file, readFileSync(join(ROOT, 'test/hostile', file), 'utf8'), true, false] as const,
  ),
  // Through the validator in the sandbox.
  ...['py_getattr_eval.py', 'py_relative_import.py', 'py_from_numpy_import_load.py'].map(
    (file) =>
      [
        `${file} (validated)`,
        readFileSync(join(ROOT, 'test/hostile', file), 'utf8'),
        false,
        true,
      ] as const,
  ),
  ...Object.entries(INLINE).map(([name, code]) => [name, code, true, true] as const),
];

const REWORDED_TAG = `codec-lab-sandbox-reworded:${process.pid}`;

async function buildRewordedImage(base: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-reworded-image-'));
  try {
    writeRewordedHarness(dir);
    const context = await packTar([
      {
        name: 'Dockerfile',
        data: Buffer.from(
          `FROM ${base}\nCOPY harness.py validator.py tunables.py /opt/codec-lab/\n`,
        ),
      },
      { name: 'harness.py', data: readFileSync(join(dir, 'harness.py')) },
      { name: 'validator.py', data: readFileSync(join(dir, 'validator.py')) },
      { name: 'tunables.py', data: readFileSync(join(dir, 'tunables.py')) },
    ]);
    const stream = await docker.buildImage(Readable.from([context]), {
      t: REWORDED_TAG,
      rm: true,
      forcerm: true,
      networkmode: 'none',
    });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, output: Array<{ error?: string }>) => {
          const failure = output.find((entry) => entry.error !== undefined);
          if (error ?? failure) reject(error ?? new Error(failure?.error));
          else resolve();
        },
      );
    });
    return (await docker.getImage(REWORDED_TAG).inspect()).Id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function causesIn(result: EvaluationResult, code: string): FoundCause[] {
  if (result.ok) return [];
  return selfDebuggerCauses({
    category: result.failure.category,
    stage: result.stage,
    failureMessage: result.failure.message,
    failureCause: result.failure.cause,
    failureLine: result.failure.line ?? null,
    findings: result.findings ?? [],
    generationFailure: null,
    code,
  });
}

describe('rewording every harness and validator message', () => {
  let original: DockerSandbox;
  let reworded: DockerSandbox;
  let clip: Clip;

  beforeAll(async () => {
    const image = await findSandboxImage(docker);
    const id = await buildRewordedImage(image.ref);
    const open = (ref: string, imageId: string) =>
      DockerSandbox.open({
        docker,
        image: { ref, id: imageId },
        limits: LIMITS,
        poolSize: 1,
        owner: currentOwner(),
        log: silentLog,
      });
    original = await open(image.ref, image.id);
    reworded = await open(REWORDED_TAG, id);
    clip = await builtinClip(3);
  }, 180_000);

  afterAll(async () => {
    await original.close();
    await reworded.close();
    await docker.getImage(REWORDED_TAG).remove({ force: true });
    expect(await sandboxContainers(ownLabel())).toEqual([]);
  });

  it.each(CASES)(
    '%s: the self-debugger finds the same causes',
    async (_name, code, skipValidation, wordedByHarness) => {
      const options = { qualities: [0.5], skipValidation };
      const before = await new Evaluator(original, silentLog, 1).evaluate(
        Buffer.from(code),
        [clip],
        options,
      );
      const after = await new Evaluator(reworded, silentLog, 1).evaluate(
        Buffer.from(code),
        [clip],
        options,
      );
      if (before.ok || after.ok) throw new Error('every case is a failing codec');
      if (wordedByHarness) {
        expect(after.failure.message).toContain(REWORDED_PREFIX);
        expect(after.failure.message).not.toBe(before.failure.message);
      }
      // A structured cause was there to look up (not the fallback for an unknown cause).
      expect(before.failure.cause).not.toBeNull();
      expect(after.failure.cause?.key).toBe(before.failure.cause?.key);
      const causes = causesIn(before, code);
      expect(causes.length).toBeGreaterThan(0);
      expect(causesIn(after, code)).toEqual(causes);
    },
    600_000,
  );
});
