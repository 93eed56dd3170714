import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { SqliteStore, dataDirInUse } from '../../store/sqlite-store.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { userPath } from '../flag-parsers.js';
import { renderStatus, statusJson } from '../status-command.js';
import { flag, parseFlags } from '../typed-flags.js';

const statusFlags = z.object({ json: flag, dataDir: z.string().optional() });

/** `codec-lab status`: the store's summary, and whether a run works in this data dir. */
export function registerStatus(program: Command, { write }: CliContext): void {
  program
    .command('status')
    .description('what is running, success rate, time to first success, versions, cost so far')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action((values: unknown) => {
      const flags = parseFlags(statusFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const running = dataDirInUse(config.dataDir);
        const status = statusJson(store);
        write(
          flags.json
            ? JSON.stringify({ running, data_dir: config.dataDir, ...status })
            : renderStatus(
                status,
                `${config.dataDir}: ${running ? 'a codec-lab run is working here' : 'no run is working here'}`,
              ),
        );
      } finally {
        store.close();
      }
    });
}
