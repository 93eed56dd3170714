import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, loadGovernanceConfig } from '../../config.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { parseDuration } from '../durations.js';
import { userPath } from '../flag-parsers.js';
import { createChatService, createGovernor } from '../governance-runtime.js';
import { modelFlags, modelOption, modelOverrides, providerFlag } from '../model-flags.js';
import { converted, flag, parseFlags } from '../typed-flags.js';

const chatFlags = z.object({
  words: z.array(z.string()),
  offline: flag,
  json: flag,
  lookback: converted((text) => parseDuration(text, '--lookback')).optional(),
  dataDir: z.string().optional(),
  ...providerFlag,
  ...modelFlags,
});

/** `codec-lab chat <question...>`: one question to the admin chat, answered from the data. */
export function registerChat(program: Command, { log, write }: CliContext): void {
  program
    .command('chat')
    .description(
      'ask about the research: failures, recommendations, versions, cost (answers from the data)',
    )
    .argument('<question...>', 'the question, e.g. "why is code generation failing?"')
    .option(
      '--offline',
      'answer from the data without asking the model, even when one is configured',
    )
    .option('--json', 'print the answer as JSON (answer, source, model, report_generated_at)')
    .option('--lookback <duration>', 'the analysis window (default 1h or CODEC_LAB_LOOKBACK_S)')
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .addOption(modelOption('provider'))
    .addOption(modelOption('model'))
    .addOption(modelOption('baseUrl'))
    .action(async (words: unknown, values: object) => {
      const flags = parseFlags(chatFlags, { ...values, words });
      const config = loadConfig(process.env, {
        dataDir: flags.dataDir,
        ...modelOverrides(flags.provider, flags),
      });
      const governance = loadGovernanceConfig(process.env, { lookbackMs: flags.lookback });
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const governor = createGovernor(config, governance, store, log, { writeReports: false });
        const chat = await createChatService(config, governor, store, log, {
          offline: flags.offline === true,
          ...(flags.provider ? { provider: flags.provider } : {}),
        });
        const answer = await chat.answer(flags.words.join(' '));
        write(
          flags.json
            ? JSON.stringify(answer)
            : `${answer.answer}\n\n— ${answer.source === 'llm' ? `answered by ${answer.model ?? 'the model'}` : 'composed from the data (no model)'}`,
        );
      } finally {
        store.close();
      }
    });
}
