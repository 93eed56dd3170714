/** Runs the bundled ffmpeg synchronously to make fixtures and reference figures. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defaultFfmpegPath } from '../../src/evaluation/ffmpeg-clip-reader.js';

export const FFMPEG = defaultFfmpegPath();

export interface FfmpegOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function ffmpeg(args: readonly string[], input?: Uint8Array): FfmpegOutput {
  const run = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-y', ...args], {
    ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
    maxBuffer: 256 * 1024 * 1024,
  });
  const stderr = run.stderr.toString('utf8');
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`ffmpeg ${args.join(' ')} exited ${run.status}:\n${stderr}`);
  }
  return { stdout: run.stdout, stderr };
}

/** A temporary folder and a function that removes it. */
export function tempDir(prefix: string): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `codec-lab-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
