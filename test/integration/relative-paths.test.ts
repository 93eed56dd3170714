/**
 * Relative paths mean what the user typed, relative to where they ran the command (issue 19),
 * even where codec-lab hands them to a child process working in another directory (ffmpeg
 * builds each clip in its set's folder). The commands run in a temporary directory, not the
 * repository, so a path resolved against the wrong directory shows.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from '../../src/clips/clip-set.js';
import { BUILTIN_CLIP, type CliRun, JPEG_CODEC, runCli } from './support.js';

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'codec-lab-relative-'));
  copyFileSync(JPEG_CODEC, join(cwd, 'codec.py'));
  copyFileSync(BUILTIN_CLIP, join(cwd, 'clip.mkv'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The built CLI run from `cwd`, with no data dir from the environment. */
function cliHere(args: readonly string[]): Promise<CliRun> {
  return runCli(args, {}, { cwd, unset: ['CODEC_LAB_DATA_DIR'] });
}

describe('relative paths on the command line', () => {
  it('clips prepare --out builds the sets under the directory it was run from', async () => {
    const run = await cliHere(['clips', 'prepare', '--out', 'sets']);
    expect(run.code, run.stderr).toBe(0);
    for (const set of ['dev', 'holdout', 'smoke']) {
      expect(existsSync(join(cwd, 'sets', set, MANIFEST_FILE)), set).toBe(true);
      expect(run.stdout).toContain(`${set} (${join(cwd, 'sets', set)})`);
    }
  });

  it('evaluate reads the codec and --clips, and stores in --data-dir, from there', async () => {
    const run = await cliHere([
      'evaluate',
      'codec.py',
      '--clips',
      'clip.mkv',
      '--frames',
      '2',
      '--qualities',
      '0.5',
      '--json',
      '--data-dir',
      'data',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; attempt_id: string };
    expect(result.ok, run.stdout).toBe(true);
    expect(existsSync(join(cwd, 'data', 'code_attempts', `attempt_${result.attempt_id}.py`))).toBe(
      true,
    );
  });

  it('names a missing --incumbent by the absolute path it looked at', async () => {
    const run = await cliHere(['evaluate', 'codec.py', '--incumbent', 'nope.py']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`'${join(cwd, 'nope.py')}'`);
    expect(existsSync(join(cwd, '.data'))).toBe(false);
  });
});
