import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { JPEG_LIKE, type Genome } from '../../src/generators/offline/genome.js';
import { render } from '../../src/generators/offline/render.js';
import type { DockerSandbox } from '../../src/sandbox/docker-sandbox.js';
import { builtinClip, openTestSandbox, silentLog, TEST_LIMITS } from './support.js';

/** The best genome the offline search was seen to reach on the dev clips (see the report). */
const BEST: Genome = {
  colour: 'ycbcr',
  chroma: '420',
  chromaQ: 1.5,
  transform: 'dct8',
  qtable: 'flat',
  rounding: 0.35,
  prediction: 'inter',
  keyint: 32,
  keyStep: 0.7,
  motion: 'block16',
  subpel: 'quarter',
  entropy: 'arith',
  deblock: 'off',
};

describe('offline-generated codecs in the real sandbox', () => {
  let sandbox: DockerSandbox;
  beforeAll(async () => {
    // The pure-Python range coder needs more than the 5 s of the default test limit on 1 CPU.
    sandbox = await openTestSandbox({ ...TEST_LIMITS, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  for (const [name, genome] of [
    ['the JPEG-like starting point', JPEG_LIKE],
    ['an inter codec with motion search and a range coder', BEST],
  ] as const) {
    it(`${name} validates, runs and decodes above 30 dB at quality 0.9`, async () => {
      const clip = await builtinClip(8);
      const evaluator = new Evaluator(sandbox, silentLog, 2);
      const result = await evaluator.evaluate(Buffer.from(render(genome)), [clip], {
        qualities: [0.1, 0.5, 0.9],
      });
      if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
      const points = result.metrics.clips[0]?.points ?? [];
      const top = points.find((point) => point.quality === 0.9);
      expect(top?.psnr_y_db).toBeGreaterThan(30);
      // More quality, more bits and more PSNR: the rate knob works.
      const sorted = [...points].sort((a, b) => a.quality - b.quality);
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i]?.bitrate_kbps).toBeGreaterThan(sorted[i - 1]?.bitrate_kbps ?? 0);
        expect(sorted[i]?.psnr_y_db).toBeGreaterThan(sorted[i - 1]?.psnr_y_db ?? 0);
      }
    });
  }
});
