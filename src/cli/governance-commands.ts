/**
 * `codec-lab report` and `codec-lab chat`, and the wiring of the self-debugger that `run` and
 * `serve` share.
 */
import type { Command } from 'commander';
import { loadConfig, loadGovernanceConfig, type Config, type GovernanceConfig } from '../config.js';
import { loadContract } from '../contract.js';
import { GovernanceChat, type ChatModel } from '../governance/chat-service.js';
import { Governor } from '../governance/governor.js';
import { FileReportSink, latestReport } from '../governance/report-files.js';
import { renderReportMarkdown } from '../governance/report-markdown.js';
import type { Logger } from '../logger.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { parseDuration } from './durations.js';
import { createAnthropic, llmConfigured } from './llm-runtime.js';

export function createGovernor(
  config: Config,
  governance: GovernanceConfig,
  store: Store,
  log: Logger,
  options: { writeReports: boolean },
): Governor {
  return new Governor({
    store,
    contract: loadContract(),
    limits: {
      timeoutS: config.sandbox.timeoutMs / 1000,
      memoryMb: config.sandbox.memoryLimitMb,
    },
    settings: governance,
    ...(options.writeReports ? { reports: new FileReportSink(config.dataDir) } : {}),
    log: log.child({ component: 'governance' }),
  });
}

/** The admin chat over this data dir: the configured model when there is one, else offline. */
export async function createChatService(
  config: Config,
  governor: Governor,
  store: Store,
  log: Logger,
  /** `model`: a client the caller already has (the loop's generator), so the key is fetched once. */
  options: { offline?: boolean; model?: ChatModel } = {},
): Promise<GovernanceChat> {
  const model =
    options.offline === true || !llmConfigured(config)
      ? null
      : (options.model ?? (await createAnthropic(config, log)));
  return new GovernanceChat({
    store,
    governor,
    latestReport: () => latestReport(config.dataDir)?.report ?? null,
    model,
    now: () => Date.now(),
    log: log.child({ component: 'chat' }),
  });
}

function governanceFlags(flags: Record<string, unknown>): GovernanceConfig {
  return loadGovernanceConfig(process.env, {
    lookbackMs:
      flags.lookback === undefined
        ? undefined
        : parseDuration(flags.lookback as string, '--lookback'),
  });
}

export function registerGovernanceCommands(
  program: Command,
  log: Logger,
  write: (text: string) => void,
): void {
  program
    .command('report')
    .description(
      'analyse the recent failures and write self_governance_report_<time>.json (and .md) to the data dir',
    )
    .option(
      '--lookback <duration>',
      'the analysis window (30m, 1h, 1d; default 1h or CODEC_LAB_LOOKBACK_S)',
    )
    .option('--json', 'print the JSON report instead of Markdown')
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)')
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig(process.env, { dataDir: flags.dataDir as string | undefined });
      const governance = governanceFlags(flags);
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const governor = createGovernor(config, governance, store, log, { writeReports: false });
        const { report } = governor.assess(Date.now());
        const path = await new FileReportSink(config.dataDir).write(report);
        write(flags.json ? JSON.stringify(report, null, 2) : renderReportMarkdown(report));
        process.stderr.write(`report written to ${path} (and ${path.replace(/\.json$/, '.md')})\n`);
      } finally {
        store.close();
      }
    });

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
    .option('--data-dir <dir>', 'the data dir (default .data or CODEC_LAB_DATA_DIR)')
    .action(async (words: string[], flags: Record<string, unknown>) => {
      const config = loadConfig(process.env, { dataDir: flags.dataDir as string | undefined });
      const governance = governanceFlags(flags);
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const governor = createGovernor(config, governance, store, log, { writeReports: false });
        const chat = await createChatService(config, governor, store, log, {
          offline: flags.offline === true,
        });
        const answer = await chat.answer(words.join(' '));
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
