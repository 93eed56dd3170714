import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { clipsPrepareCommand } from '../clips-command.js';
import { CLIP_PRESETS, type ClipPreset } from '../../clips/clip-spec.js';
import { userPath } from '../flag-parsers.js';
import { parseFlags } from '../typed-flags.js';

const prepareFlags = z.object({
  out: z.string().optional(),
  dataDir: z.string().optional(),
  preset: z.enum(CLIP_PRESETS as [ClipPreset, ...ClipPreset[]], {
    error: (issue) => `--preset is ${CLIP_PRESETS.join(' or ')}, not '${String(issue.input)}'`,
  }),
});

/** `codec-lab clips prepare`: the dev, holdout and smoke sets (clips-command.ts). */
export function registerClips(program: Command, { write }: CliContext): void {
  const clips = program.command('clips').description('the clip sets evaluations run on');
  clips
    .command('prepare')
    .description(
      'build the dev, holdout and smoke clip sets from real footage and photographs in Debian packages (offline-reachable)',
    )
    .option(
      '--out <dir>',
      'where the sets go (default: <data-dir>/clips, where evaluate looks)',
      userPath,
    )
    .option(
      '--preset <name>',
      'small: 160x120 x 12 frames (the default, what tests use); cif: 352x288 x 30 frames. The sets in <data-dir>/clips are one preset at a time: preparing the other replaces them (and says so)',
      'small',
    )
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action(async (values: unknown) => {
      const flags = parseFlags(prepareFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      await clipsPrepareCommand(
        config,
        { outDir: flags.out, preset: flags.preset },
        write,
        (line) => process.stderr.write(`[clips] ${line}\n`),
      );
    });
}
