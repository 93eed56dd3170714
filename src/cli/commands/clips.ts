import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { clipsPrepareCommand } from '../clips-command.js';
import { userPath } from '../flag-parsers.js';
import { parseFlags } from '../typed-flags.js';

const prepareFlags = z.object({ out: z.string().optional(), dataDir: z.string().optional() });

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
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action(async (values: unknown) => {
      const flags = parseFlags(prepareFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      await clipsPrepareCommand(config, flags.out, write, (line) =>
        process.stderr.write(`[clips] ${line}\n`),
      );
    });
}
