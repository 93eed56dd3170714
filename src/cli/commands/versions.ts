import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { userPath } from '../flag-parsers.js';
import { renderVersions, versionsJson } from '../status-command.js';
import { flag, parseFlags } from '../typed-flags.js';

const versionsFlags = z.object({ json: flag, dataDir: z.string().optional() });

/** `codec-lab versions`: the adopted versions, oldest first. */
export function registerVersions(program: Command, { write }: CliContext): void {
  program
    .command('versions')
    .description('the adopted codec versions, oldest first, with their BD-rates')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action((values: unknown) => {
      const flags = parseFlags(versionsFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const versions = versionsJson(store);
        write(flags.json ? JSON.stringify(versions) : renderVersions(versions));
      } finally {
        store.close();
      }
    });
}
