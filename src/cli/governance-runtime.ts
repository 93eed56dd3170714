/** The wiring of the self-debugger and the admin chat that `run`, `serve`, `report` and `chat` share. */
import { listAnchors } from '../anchors/anchor-listing.js';
import type { Config, GovernanceConfig, ModelProvider } from '../config.js';
import { loadContract } from '../contract.js';
import type { ModelClient } from '../generators/generator.js';
import { GovernanceChat } from '../governance/chat-service.js';
import { Governor } from '../governance/governor.js';
import { bestVersionPlot } from '../governance/rd-plot.js';
import { FileReportSink, latestReport } from '../governance/report-files.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { createChatModel } from './llm-runtime.js';

/** Report files whose Markdown embeds the best version's RD chart. */
export function reportSink(config: Config, store: Store): FileReportSink {
  return new FileReportSink(
    config.dataDir,
    bestVersionPlot(store, () => listAnchors(config.dataDir)),
  );
}

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
    ...(options.writeReports ? { reports: reportSink(config, store) } : {}),
    log: log.child({ component: 'governance' }),
  });
}

/**
 * The admin chat over this data dir: the model of `provider` (default Anthropic, when a key is
 * configured), else answers from the data alone.
 */
export async function createChatService(
  config: Config,
  governor: Governor,
  store: Store,
  log: Logger,
  /** `model`: a client the caller already has (the loop's generator), so the key is fetched once. */
  options: { offline?: boolean; model?: ModelClient; provider?: ModelProvider } = {},
): Promise<GovernanceChat> {
  const model =
    options.offline === true
      ? null
      : (options.model ?? (await createChatModel(config, options.provider ?? 'anthropic', log)));
  return new GovernanceChat({
    store,
    governor,
    latestReport: () => latestReport(config.dataDir)?.report ?? null,
    model,
    now: () => Date.now(),
    log: log.child({ component: 'chat' }),
  });
}
