import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { DEFAULT_QUALITIES } from '../../contract.js';
import { ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP, anchorPresetSchema } from '../anchor-runtime.js';
import type { CliContext } from '../cli-context.js';
import { clipInput, clipInputFlags, clipInputOption } from '../clip-input-flags.js';
import { evaluateCommand, parseQualities } from '../evaluate-command.js';
import { positiveInt, positiveNumber, userPath } from '../flag-parsers.js';
import { converted, flag, parseFlags } from '../typed-flags.js';
import { parseParams } from '../tune-flags.js';

const evaluateFlags = z.object({
  codecPath: z.string(),
  json: flag,
  clips: z.string().optional(),
  frames: z.number().optional(),
  ...clipInputFlags,
  incumbent: z.string().optional(),
  holdout: z.string().optional(),
  qualities: converted(parseQualities),
  timeoutS: z.number().optional(),
  memoryMb: z.number().optional(),
  dataDir: z.string().optional(),
  skipValidation: flag,
  batching: z.boolean().optional(),
  anchorPreset: anchorPresetSchema,
  params: converted(parseParams).optional(),
  tune: z.boolean().optional(),
});

/** `codec-lab evaluate <codec.py>`: one codec through the cascade (evaluate-command.ts). */
export function registerEvaluate(program: Command, { log, write }: CliContext): void {
  program
    .command('evaluate')
    .description(
      'validate, smoke-test and measure one codec file in the sandbox; stores the attempt',
    )
    .argument(
      '<codec.py>',
      'Python file defining compress_video_frame and decompress_video_frame',
      userPath,
    )
    .option('--json', 'print one JSON object instead of a table')
    .option(
      '--clips <path>',
      'a video file or a folder of them (anything ffmpeg reads); default: the built-in clip',
      userPath,
    )
    .option(
      '--frames <n>',
      'frames per clip (default: all of a prepared set, 30 of your clips, 8 of the built-in one)',
      positiveInt('--frames'),
    )
    .addOption(clipInputOption('start'))
    .addOption(clipInputOption('size'))
    .addOption(clipInputOption('pixFmt'))
    .addOption(clipInputOption('fps'))
    .option(
      '--incumbent <codec.py>',
      'compare against this codec and decide whether the new one would be adopted',
      userPath,
    )
    .option(
      '--holdout <path>',
      'with --incumbent: holdout clips (a file or folder, read like --clips) that confirm adoption; default: --clips split by the documented rule',
      userPath,
    )
    .option(
      '--qualities <list>',
      'quality points in [0, 1] (BD-rate needs at least 4)',
      DEFAULT_QUALITIES.join(','),
    )
    .option('--timeout-s <s>', 'wall-clock limit per sandbox run', positiveNumber('--timeout-s'))
    .option(
      '--memory-mb <m>',
      'memory limit per sandbox run (memory + swap)',
      positiveInt('--memory-mb'),
    )
    .option(
      '--data-dir <dir>',
      'where attempts are stored (default .data or CODEC_LAB_DATA_DIR)',
      userPath,
    )
    .option(
      '--no-batching',
      'one encoder and one decoder container per (clip, quality) instead of one per clip and one per quality',
    )
    .option(ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP)
    .option(
      '--params <file|json>',
      "config['params'] for the codec's TUNABLES: a JSON object, or a JSON file (a version's best_codec_implementation.json or codec_versions/ record); the values are used as given, not tuned",
    )
    .option(
      '--no-tune',
      "don't tune the codec's TUNABLES on a proxy before the sweep (its defaults run)",
    )
    .option(
      '--skip-validation',
      'skip the static validator and go straight to the sandbox (the container, not the validator, is the security boundary)',
    )
    .action(async (codecPath: unknown, values: object) => {
      const flags = parseFlags(evaluateFlags, { ...values, codecPath });
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir,
        timeoutS: flags.timeoutS,
        memoryMb: flags.memoryMb,
      });
      await evaluateCommand(
        config,
        {
          codecPath: flags.codecPath,
          json: flags.json === true,
          clips: flags.clips,
          frames: flags.frames,
          input: clipInput(flags),
          incumbent: flags.incumbent,
          holdout: flags.holdout,
          qualities: flags.qualities,
          skipValidation: flags.skipValidation === true,
          batching: flags.batching !== false,
          anchorPreset: flags.anchorPreset,
          params: flags.params,
          tune: flags.tune !== false,
        },
        log,
        write,
      );
    });
}
