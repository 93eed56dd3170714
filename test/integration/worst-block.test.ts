/**
 * Issue 14 part 5: a codec that keeps the mean but destroys one region is refused by the
 * worst-block floor, through the real pipeline (CLI, sandbox, metrics, assessment, store,
 * self-debugger). The clip is the built-in real footage scaled to 352x288, where the cheat's
 * blanked 32x32 region is 1 % of the picture, so every mean-based floor passes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFfmpegPath } from '../../src/ffmpeg.js';
import { runProcess } from '../../src/process-runner.js';
import { BUILTIN_CLIP, JPEG_CODEC, ROOT, runCli } from './support.js';

const CHEAT = `${ROOT}test/fixtures/blanked_region_codec.py`;
const dir = mkdtempSync(join(tmpdir(), 'codec-lab-worst-block-'));
const dataDir = join(dir, 'data');
const clip = join(dir, 'vtest-cif.mkv');

interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly cause?: { key: string; subject: Record<string, string | number> };
}
interface Evaluated {
  readonly ok: boolean;
  readonly stage: string;
  readonly failure: {
    category: string;
    message: string;
    cause: { key: string; subject: Record<string, string | number> };
  } | null;
  readonly metrics: {
    points: Array<Record<string, unknown> & { worst_block_psnr_y_db: number; psnr_y_db: number }>;
    clips: Array<{ clip: string; points: Array<{ worst_block: Record<string, number> }> }>;
  } | null;
  readonly adoption: { adopt: boolean; summary: string; checks: Check[] } | null;
}

async function evaluate(codec: string): Promise<Evaluated> {
  const run = await runCli(['evaluate', codec, '--clips', clip, '--json', '--data-dir', dataDir]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Evaluated;
}

beforeAll(async () => {
  // Lossless, 4 frames: real footage at a size where one 32x32 region is 1 % of the frame.
  await runProcess(
    defaultFfmpegPath(),
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      BUILTIN_CLIP,
      '-frames:v',
      '4',
      '-vf',
      'scale=352:288:flags=lanczos',
      '-c:v',
      'ffv1',
      clip,
    ],
    { timeoutMs: 60_000, timeoutAdvice: '', unavailableAdvice: 'npm install' },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the worst-block floor through the real pipeline', () => {
  it('passes the honest JPEG codec and reports its worst block per point and per clip', async () => {
    const result = await evaluate(JPEG_CODEC);
    expect(result.ok).toBe(true);
    const points = result.metrics?.points ?? [];
    expect(points).toHaveLength(5);
    for (const point of points) {
      expect(point.worst_block_psnr_y_db).toBeGreaterThan(point.psnr_y_db - 15);
      expect(point.worst_block).toMatchObject({ clip: 'vtest-cif' });
    }
    const perClip = result.metrics?.clips[0]?.points ?? [];
    expect(perClip.map((point) => Object.keys(point.worst_block).sort())).toEqual(
      perClip.map(() => ['frame', 'x', 'y']),
    );
    expect(result.adoption?.adopt).toBe(true);
    expect(result.adoption?.checks.find((check) => check.name === 'worst_block')?.passed).toBe(
      true,
    );
  });

  it('refuses the codec that blanks one 32x32 region, naming the clip, frame and block', async () => {
    const result = await evaluate(CHEAT);
    expect(result).toMatchObject({ ok: false, stage: 'sweep' });
    expect(result.failure?.category).toBe('quality_floor');
    const subject = result.failure?.cause.subject ?? {};
    expect(result.failure?.cause.key).toBe('quality_floor:worst_block');
    expect(subject.clip).toBe('vtest-cif');
    expect([0, 1, 2, 3]).toContain(subject.frame);
    expect([288, 304]).toContain(subject.block_x);
    expect([32, 48]).toContain(subject.block_y);
    expect(Number(subject.psnr_y_db)).toBeLessThan(Number(subject.floor_db));
    expect(result.failure?.message).toContain(
      `clip vtest-cif frame ${subject.frame} block (${subject.block_x},${subject.block_y})`,
    );
    // Every mean-based floor passed: only the worst-block check refused it.
    const checks = result.adoption?.checks ?? [];
    expect(
      checks.filter((check) => !check.passed).map((check) => check.name),
      JSON.stringify(checks),
    ).toEqual(['worst_block']);
    expect(checks.find((check) => check.name === 'top_quality')?.passed).toBe(true);
    expect(checks.find((check) => check.name === 'quality_floor')?.passed).toBe(true);
    expect(result.adoption?.adopt).toBe(false);

    // The self-debugger reads the cause's fields and recommends a fix that names the block.
    const report = await runCli(['report', '--json', '--data-dir', dataDir]);
    expect(report.code, report.stderr).toBe(0);
    const analysis = (
      JSON.parse(report.stdout) as {
        failure_analysis: {
          patterns: Array<{ category: string; causes: Array<{ key: string; label: string }> }>;
          recommendations: Array<{ issue: string; fix: string }>;
        };
      }
    ).failure_analysis;
    const pattern = analysis.patterns.find((p) => p.category === 'quality_floor');
    expect(pattern?.causes.map((cause) => cause.key)).toEqual(['quality_floor:worst_block']);
    const fix = analysis.recommendations.find((r) => r.issue === 'quality_floor')?.fix ?? '';
    expect(fix).toContain(
      `Part of the picture was destroyed (clip vtest-cif frame ${subject.frame}`,
    );
  });
});
