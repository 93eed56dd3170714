import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JPEG_CODEC, ROOT, docker, runCli } from './support.js';
import { findSandboxImage } from '../../src/sandbox/image.js';

const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('codec-lab evaluate', () => {
  it('prints the documented JSON for a working codec and stores the attempt', async () => {
    const run = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--json',
      '--data-dir',
      dataDir,
      '--frames',
      '4',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & {
      metrics: { points: Array<Record<string, number>> };
    };
    expect(result.ok).toBe(true);
    expect(result.stage).toBe('done');
    expect(result.failure).toBeNull();
    expect(result.image_id).toBe((await findSandboxImage(docker)).id);
    expect(result.metrics.points.map((point) => point.quality)).toEqual([0.1, 0.3, 0.5, 0.7, 0.9]);
    // The JPEG codec is the JPEG anchor's own code: exactly 0 % against it, far behind x264.
    const bd = (result as unknown as { bd_rate: Record<string, number | null> }).bd_rate;
    expect(bd.jpeg).toBeCloseTo(0, 6);
    expect(bd.x264).toBeGreaterThan(50);
    expect(bd.incumbent).toBeNull();
    // What the anchors were measured with is recorded with the result.
    expect(result.anchor_settings).toMatchObject({
      x264: { preset: 'medium', levels: [18, 24, 30, 36, 42] },
      vp9: { preset: 'good/cpu-used=2', levels: [16, 28, 40, 52, 63] },
      av1: { preset: 'cpu-used=6' },
    });
    for (const point of result.metrics.points) {
      for (const key of [
        'bitrate_kbps',
        'bits_per_pixel',
        'psnr_y_db',
        'encode_fps',
        'decode_fps',
      ]) {
        expect(point[key]).toBeGreaterThan(0);
      }
    }
    const id = String(result.attempt_id);
    const stored = readdirSync(join(dataDir, 'code_attempts'));
    expect(stored).toContain(`attempt_${id}.py`);
    // In the store, like the loop's attempts: status counts it.
    const status = JSON.parse(
      (await runCli(['status', '--json', '--data-dir', dataDir])).stdout,
    ) as { last_attempt: { id: string; origin: string } };
    expect(status.last_attempt).toMatchObject({ id, origin: 'evaluate' });
    expect(readFileSync(join(dataDir, 'code_attempts', `attempt_${id}.py`))).toEqual(
      readFileSync(JPEG_CODEC),
    );
  });

  it('--skip-validation measures trusted code the validator refuses; without it the validator stops it', async () => {
    const codec = join(dataDir, 'trusted_with_os.py');
    writeFileSync(codec, `import os\nPID = os.getpid()\n${readFileSync(JPEG_CODEC, 'utf8')}`);
    const args = ['evaluate', codec, '--json', '--data-dir', dataDir, '--frames', '2'];
    const refused = JSON.parse((await runCli(args)).stdout) as {
      ok: boolean;
      stage: string;
      failure: { category: string };
    };
    expect(refused).toMatchObject({ ok: false, stage: 'validate' });
    expect(refused.failure.category).toBe('forbidden_imports');
    const skipped = await runCli([...args, '--skip-validation']);
    expect(skipped.code).toBe(0);
    const result = JSON.parse(skipped.stdout) as {
      ok: boolean;
      adoption: { adopt: boolean; checks: Array<{ name: string; passed: boolean }> };
    };
    expect(result.ok).toBe(true);
    // As a first version it would be adopted, after the isolation check re-ran its decodes.
    expect(result.adoption.adopt).toBe(true);
    expect(result.adoption.checks.find((check) => check.name === 'isolation')?.passed).toBe(true);
  });

  it('scores against the measured anchors, and refuses to adopt a codec whose quality collapses', async () => {
    const run = await runCli([
      'evaluate',
      `${ROOT}test/fixtures/collapse_codec.py`,
      '--incumbent',
      JPEG_CODEC,
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      bd_rate: Record<string, number | null>;
      bd_rate_details: Record<string, { reason?: string }>;
      adoption: {
        adopt: boolean;
        summary: string;
        checks: Array<{ name: string; passed: boolean }>;
      };
      incumbent: { origin: string; ok: boolean };
    };
    // It runs (its best point clears the 20 dB evaluation floor) but is refused adoption.
    expect(result.ok).toBe(true);
    expect(result.incumbent).toEqual({ origin: JPEG_CODEC, ok: true, stage: 'done' });
    expect(result.adoption.adopt).toBe(false);
    expect(result.adoption.summary).toMatch(
      /^not adopted: (worst frame|best quality point reaches) \d+\.\d+ dB/,
    );
    expect(result.adoption.checks.find((check) => check.name === 'top_quality')).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/needs 30 dB/) as unknown,
    });
    // Its curve does not reach the incumbent's quality range: a failure with a reason, not a number.
    expect(result.bd_rate.incumbent).toBeNull();
    expect(result.bd_rate_details.incumbent?.reason).toMatch(/PSNR ranges share/);
    expect(Object.keys(result.bd_rate).sort()).toEqual([
      'av1',
      'incumbent',
      'jpeg',
      'vp9',
      'x264',
      'x265',
    ]);
  });

  it('reports a validation failure as data (exit 0) with the line, and stores why', async () => {
    const codec = join(dataDir, 'bad.py');
    writeFileSync(
      codec,
      'import os\n\ndef compress_video_frame(frame, config):\n    return os.getcwd()\n',
    );
    const run = await runCli(['evaluate', codec, '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      stage: string;
      failure: { category: string; line: number };
      attempt_id: string;
    };
    expect(result.ok).toBe(false);
    expect(result.stage).toBe('validate');
    expect(result.failure.category).toBe('forbidden_imports');
    expect(result.failure.line).toBe(1);
    const why = readFileSync(
      join(dataDir, 'code_attempts', `validation_failure_${result.attempt_id}.txt`),
      'utf8',
    );
    expect(why).toContain('forbidden_imports');
    expect(why).toContain('missing_function');
  });

  it('stores a runtime failure with its full traceback in error_<id>.txt', async () => {
    const codec = join(dataDir, 'raises.py');
    writeFileSync(
      codec,
      [
        'import numpy as np',
        'def compress_video_frame(frame, config):',
        '    return {"compressed": frame.tobytes(), "metadata": {}}',
        'def decompress_video_frame(compressed, metadata, config):',
        '    raise ValueError("decoder is not written yet")',
        '',
      ].join('\n'),
    );
    const run = await runCli(['evaluate', codec, '--json', '--data-dir', dataDir]);
    const result = JSON.parse(run.stdout) as {
      stage: string;
      failure: { category: string; line: number; traceback: string };
      attempt_id: string;
    };
    expect(result.stage).toBe('smoke');
    expect(result.failure.category).toBe('runtime_errors');
    expect(result.failure.line).toBe(5);
    const error = readFileSync(
      join(dataDir, 'code_attempts', `error_${result.attempt_id}.txt`),
      'utf8',
    );
    expect(error).toContain('Traceback');
    expect(error).toContain('decoder is not written yet');
  });

  it('refuses bad usage with exit 2 and a message that says what to do', async () => {
    const missing = await runCli(['evaluate', '/nonexistent/codec.py', '--data-dir', dataDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the codec file '/nonexistent/codec.py'");
    const qualities = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--qualities',
      'high',
      '--data-dir',
      dataDir,
    ]);
    expect(qualities.code).toBe(2);
    expect(qualities.stderr).toContain('--qualities takes comma-separated numbers');
    const clips = await runCli([
      'evaluate',
      JPEG_CODEC,
      '--clips',
      '/nonexistent/clips',
      '--data-dir',
      dataDir,
    ]);
    expect(clips.code).toBe(2);
    expect(clips.stderr).toMatch(/nonexistent\/clips/);
  });

  it('says how to fix missing infrastructure, with exit 3', async () => {
    const noDocker = await runCli(['evaluate', JPEG_CODEC, '--data-dir', dataDir], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(noDocker.code).toBe(3);
    expect(noDocker.stderr).toContain('the Docker engine does not answer');
    expect(noDocker.stderr).toContain('DOCKER_HOST');
    const noImage = await runCli(['evaluate', JPEG_CODEC, '--data-dir', dataDir], {
      CODEC_LAB_SANDBOX_IMAGE: 'codec-lab-sandbox:does-not-exist',
    });
    expect(noImage.code).toBe(3);
    expect(noImage.stderr).toContain('codec-lab image build');
    expect(existsSync(join(dataDir, 'code_attempts'))).toBe(true);
  });
});
