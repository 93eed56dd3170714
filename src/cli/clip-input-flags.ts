/**
 * The flags that say which frames of the clips to read and what raw files hold, shared by
 * `run`, `evaluate` and `anchors`: `--start`, and `--size --pix-fmt --fps` for raw `.yuv`.
 */
import { Option } from 'commander';
import { z } from 'zod';

import { rawVideoFormat } from '../evaluation/raw-video.js';
import type { ClipInput } from './clip-selection.js';
import { nonNegativeInt } from './flag-parsers.js';

export const clipInputFlags = {
  start: z.number().optional(),
  size: z.string().optional(),
  pixFmt: z.string().optional(),
  fps: z.string().optional(),
};

/** One of the clip input options, for a command's chain: `.addOption(clipInputOption('start'))`. */
export function clipInputOption(name: 'start' | 'size' | 'pixFmt' | 'fps'): Option {
  switch (name) {
    case 'start':
      return new Option(
        '--start <n>',
        'first frame of the segment read from each clip (0 = the first; with --frames: frames n … n+frames-1)',
      ).argParser(nonNegativeInt('--start'));
    case 'size':
      return new Option(
        '--size <WxH>',
        'picture size of raw .yuv clips, e.g. 352x288 (with --pix-fmt and --fps)',
      );
    case 'pixFmt':
      return new Option(
        '--pix-fmt <name>',
        'sample layout of raw .yuv clips: yuv420p, yuv422p, yuv444p, their 10-bit …p10le forms, yuv420p12le, gray, gray10le',
      );
    case 'fps':
      return new Option('--fps <rate>', 'frame rate of raw .yuv clips, e.g. 30 or 30000/1001');
  }
}

/** The typed flags as selectClips takes them; throws a usage error naming every problem. */
export function clipInput(flags: {
  readonly start?: number | undefined;
  readonly size?: string | undefined;
  readonly pixFmt?: string | undefined;
  readonly fps?: string | undefined;
}): ClipInput {
  const raw = rawVideoFormat(flags);
  return {
    ...(flags.start === undefined ? {} : { start: flags.start }),
    ...(raw === undefined ? {} : { raw }),
  };
}
