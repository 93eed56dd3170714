/**
 * `codec-lab plot codec.py` as a user runs it (the built CLI): the codec is evaluated in the
 * sandbox exactly as `evaluate` does, stored, and drawn against the anchors measured on the same
 * clips; a codec that fails has no curve and says so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listAnchors } from '../../src/anchors/anchor-listing.js';
import { JPEG_CODEC, runCli } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'codec-lab-plot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codec-lab plot codec.py', () => {
  it('evaluates the file, stores the attempt and draws it against every anchor', async () => {
    const out = join(dir, 'jpeg.svg');
    const run = await runCli([
      'plot',
      JPEG_CODEC,
      '--frames',
      '4',
      '--data-dir',
      dir,
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    // The evaluation's own report, as evaluate prints it, goes to stderr; stdout says what was written.
    expect(run.stderr).toMatch(/stored as attempt \d+/);
    expect(run.stdout).toContain(`wrote ${out}: jpeg_opencv.py (attempt`);
    // Every anchor the evaluation measured on the clip, whichever anchors there are.
    const anchorNames = Object.keys((await listAnchors(dir))[0]!.anchors);
    expect(anchorNames).toEqual(expect.arrayContaining(['jpeg', 'x264', 'x265']));
    expect(run.stdout).toContain(`anchors: ${anchorNames.join(', ')}`);
    const svg = readFileSync(out, 'utf8');
    const curves = [...svg.matchAll(/aria-roledescription="line mark"/g)].length;
    expect(curves).toBe(anchorNames.length + 1);
    for (const name of ['jpeg_opencv.py', ...anchorNames]) {
      expect(svg).toContain(`codec: ${name};`);
    }
    // evaluate adopts nothing: there is still no version to plot by default.
    const none = await runCli(['plot', '--data-dir', dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no version adopted yet');
  });

  it('has no curve for a codec that fails, and says why (exit 2)', async () => {
    const codec = join(dir, 'broken.py');
    writeFileSync(
      codec,
      [
        'import numpy as np',
        '',
        'def compress_video_frame(frame, config):',
        "    raise ValueError('broken on purpose')",
        '',
        'def decompress_video_frame(compressed, metadata, config):',
        '    return np.zeros((config["height"], config["width"], 3), dtype=np.uint8)',
        '',
      ].join('\n'),
    );
    const run = await runCli(['plot', codec, '--frames', '2', '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /attempt \d+ has no RD curve to plot: it failed at smoke \(runtime_errors\)/,
    );
  });
});
