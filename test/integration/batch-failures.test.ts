/**
 * Issue 13: a failure inside a batched container is classified as the per-point protocol
 * classifies it and attributed to the exact (clip, quality) it happened in. Each codec here
 * behaves at every point but one (so smoke passes and the failure happens mid-batch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clip } from '../../src/evaluation/clip.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { TEST_LIMITS, builtinClip, openTestSandbox, silentLog } from './support.js';

const QUALITIES = [0.3, 0.5, 0.7];

/** A raw codec that runs `attack` in its encoder (or decoder) at quality 0.7 of the 96-wide clip. */
function codec(attack: string, where: 'encode' | 'decode' = 'encode'): Buffer {
  const guard = 'config["quality"] == 0.7 and config["width"] == 96';
  const hook = (side: string): string =>
    side === where ? `    if ${guard}:\n        ${attack}\n` : '';
  return Buffer.from(`import os
import sys

import numpy as np


def compress_video_frame(frame, config):
${hook('encode')}    return {"compressed": frame.tobytes(), "metadata": {}}


def decompress_video_frame(compressed, metadata, config):
${hook('decode')}    h, w = config["height"], config["width"]
    return np.frombuffer(compressed, dtype=np.uint8).reshape(h, w, 3).copy()
`);
}

const CASES: ReadonlyArray<readonly [string, Buffer, string]> = [
  ['an exception', codec('1 / 0'), 'runtime_errors'],
  ['an exception in a decoder batch', codec('1 / 0', 'decode'), 'runtime_errors'],
  ['a busy loop', codec('while True: pass'), 'timeouts'],
  ['os._exit(0)', codec('os._exit(0)'), 'crashes'],
  ['an fd flood', codec('while True: os.write(1, b"x" * 65536)'), 'output_flood'],
];

function crop(clip: Clip, width: number, height: number): Clip {
  const frames = clip.frames.map((frame) => {
    const out = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) frame.copy(out, y * width * 3, y * clip.width * 3);
    return out;
  });
  return { ...clip, name: 'crop', width, height, frames };
}

describe('failures in batched containers', () => {
  let sandbox: DockerSandbox;
  let clips: Clip[];
  beforeAll(async () => {
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 8_000, memoryLimitMb: 256 });
    const clip = await builtinClip(2);
    clips = [clip, crop(clip, 96, 64)];
  });
  afterAll(async () => {
    await sandbox.close();
  });

  for (const [name, source, category] of CASES) {
    it(`${name}: ${category} at (crop, 0.7), batched and per point alike`, async () => {
      for (const batching of [true, false]) {
        const result = await new Evaluator(sandbox, silentLog, 2).evaluate(source, clips, {
          qualities: QUALITIES,
          skipValidation: true,
          batching,
        });
        if (result.ok) throw new Error(`expected a failure (batching ${batching})`);
        expect([batching, result.stage, result.failure.category]).toEqual([
          batching,
          'sweep',
          category,
        ]);
        expect(result.failure.point).toEqual({ clip: 'crop', quality: 0.7 });
      }
    }, 900_000);
  }
});
