import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { anchorsCommand } from '../anchors-command.js';
import { ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP, anchorPresetSchema } from '../anchor-runtime.js';
import { clipInput, clipInputFlags, clipInputOption } from '../clip-input-flags.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { positiveInt, userPath } from '../flag-parsers.js';
import { flag, parseFlags } from '../typed-flags.js';

const anchorsFlags = z.object({
  json: flag,
  clips: z.string().optional(),
  frames: z.number().optional(),
  ...clipInputFlags,
  dataDir: z.string().optional(),
  anchorPreset: anchorPresetSchema,
});

/** `codec-lab anchors`: the reference codecs on the clips (anchors-command.ts). */
export function registerAnchors(program: Command, { log, write }: CliContext): void {
  program
    .command('anchors')
    .description(
      'measure (or read from the cache) per-frame JPEG, x264, x265, VP9 and AV1 on the clips, and their BD-rates',
    )
    .option('--json', 'print one JSON object instead of tables')
    .option(
      '--clips <path>',
      'a video file or folder (default: the prepared dev set, else the built-in clip)',
      userPath,
    )
    .option('--frames <n>', 'frames per clip', positiveInt('--frames'))
    .addOption(clipInputOption('start'))
    .addOption(clipInputOption('size'))
    .addOption(clipInputOption('pixFmt'))
    .addOption(clipInputOption('fps'))
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .option(ANCHOR_PRESET_FLAG, ANCHOR_PRESET_HELP)
    .action(async (values: unknown) => {
      const flags = parseFlags(anchorsFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      await anchorsCommand(
        config,
        {
          json: flags.json === true,
          clips: flags.clips,
          frames: flags.frames,
          anchorPreset: flags.anchorPreset,
          input: clipInput(flags),
        },
        log,
        write,
      );
    });
}
