import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { DEFAULT_QUALITIES } from '../../contract.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { parseQualities } from '../evaluate-command.js';
import { positiveInt, userPath } from '../flag-parsers.js';
import { plotCommand, plotFormat } from '../plot-command.js';
import { converted, flag, parseFlags } from '../typed-flags.js';

const plotFlags = z
  .object({
    codecPath: z.string().optional(),
    version: z.number().optional(),
    out: converted((text) => (plotFormat(text), text)).optional(),
    clips: z.string().optional(),
    frames: z.number().optional(),
    qualities: converted(parseQualities).optional(),
    skipValidation: flag,
    dataDir: z.string().optional(),
  })
  .refine((flags) => flags.codecPath === undefined || flags.version === undefined, {
    message: 'give either --version N or a codec file, not both',
  })
  .refine(
    (flags) =>
      flags.codecPath !== undefined ||
      (flags.clips === undefined &&
        flags.frames === undefined &&
        flags.qualities === undefined &&
        flags.skipValidation === undefined),
    {
      message:
        '--clips, --frames, --qualities and --skip-validation choose how a codec file is evaluated: give a codec file, or drop them to plot a stored version',
    },
  );

/** `codec-lab plot [--version N | codec.py] [--out rd.svg]` (plot-command.ts). */
export function registerPlot(program: Command, { log, write }: CliContext): void {
  program
    .command('plot')
    .description(
      'draw the RD curves (PSNR-Y against bitrate, per clip and the mean) of a version or a codec file against every anchor, as SVG or PNG',
    )
    .argument(
      '[codec.py]',
      'a codec file to evaluate (as codec-lab evaluate does, stored) and plot; default: a stored version',
      userPath,
    )
    .option(
      '--version <n>',
      'the adopted version to plot (default: the newest, the incumbent)',
      positiveInt('--version'),
    )
    .option(
      '--out <file>',
      'where to write, .svg or .png (default: rd_v<N>.svg, or rd_<codec name>.svg, in the current directory)',
      userPath,
    )
    .option('--clips <path>', 'with a codec file: the clips to evaluate on (as evaluate)', userPath)
    .option(
      '--frames <n>',
      'with a codec file: frames per clip (as evaluate)',
      positiveInt('--frames'),
    )
    .option(
      '--qualities <list>',
      `with a codec file: quality points (default ${DEFAULT_QUALITIES.join(',')})`,
    )
    .option('--skip-validation', 'with a codec file: skip the static validator (as evaluate)')
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action(async (codecPath: unknown, values: object) => {
      const flags = parseFlags(plotFlags, { ...values, codecPath });
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      await plotCommand(
        config,
        {
          subject:
            flags.codecPath === undefined
              ? { kind: 'version', version: flags.version }
              : {
                  kind: 'codec',
                  evaluate: {
                    codecPath: flags.codecPath,
                    clips: flags.clips,
                    frames: flags.frames,
                    qualities: flags.qualities ?? [...DEFAULT_QUALITIES],
                    skipValidation: flags.skipValidation === true,
                  },
                },
          out: flags.out,
        },
        log,
        write,
      );
    });
}
