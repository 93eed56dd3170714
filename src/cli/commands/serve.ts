import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, loadGovernanceConfig, loadServerConfig } from '../../config.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { portNumber, userPath } from '../flag-parsers.js';
import { createChatService, createGovernor } from '../governance-runtime.js';
import { serveCommand } from '../serve-command.js';
import { modelFlags, modelOption, modelOverrides, providerFlag } from '../model-flags.js';
import { parseFlags } from '../typed-flags.js';

const serveFlags = z.object({
  port: z.number().optional(),
  dataDir: z.string().optional(),
  ...providerFlag,
  ...modelFlags,
});

/** `codec-lab serve`: the status server over a data dir (serve-command.ts). */
export function registerServe(program: Command, { log }: CliContext): void {
  program
    .command('serve')
    .description(
      'the status server: JSON API, Prometheus /metrics, the dashboard and the admin chat (read-only next to a run)',
    )
    .option(
      '--port <n>',
      'port (default 8080 or CODEC_LAB_PORT; binds CODEC_LAB_HOST, default 127.0.0.1)',
      portNumber,
    )
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .addOption(modelOption('provider'))
    .addOption(modelOption('model'))
    .addOption(modelOption('baseUrl'))
    .action(async (values: unknown) => {
      const flags = parseFlags(serveFlags, values);
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir,
        ...modelOverrides(flags.provider, flags),
      });
      const server = loadServerConfig(process.env, { port: flags.port });
      const governance = loadGovernanceConfig(process.env);
      await serveCommand(config, server, log, (store) =>
        createChatService(
          config,
          createGovernor(config, governance, store, log, { writeReports: false }),
          store,
          log,
          flags.provider ? { provider: flags.provider } : {},
        ),
      );
    });
}
