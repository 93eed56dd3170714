import { anchorBdRates, anchorsJson, renderAnchorTable } from '../anchors/anchors.js';
import type { X26xPreset } from '../anchors/anchor-point.js';
import type { Config } from '../config.js';
import { Evaluator } from '../evaluation/evaluator.js';
import type { Logger } from '../logger.js';
import { anchorMeasurer } from './anchor-runtime.js';
import { type ClipInput, selectClips } from './clip-selection.js';
import { closeOnSignal, connectDocker, openSandbox } from './runtime.js';

export interface AnchorsCommandOptions {
  readonly json: boolean;
  readonly clips?: string | undefined;
  readonly frames?: number | undefined;
  /** x264 and x265's preset (`--anchor-preset`). */
  readonly anchorPreset?: X26xPreset | undefined;
  readonly input?: ClipInput | undefined;
}

export async function anchorsCommand(
  config: Config,
  options: AnchorsCommandOptions,
  log: Logger,
  out: (text: string) => void,
): Promise<void> {
  const selection = await selectClips(config, options.clips, options.frames, {}, options.input);
  const docker = await connectDocker(log);
  const sandbox = await openSandbox(docker, config, log);
  const release = closeOnSignal(sandbox, log);
  try {
    const evaluator = new Evaluator(
      sandbox,
      log.child({ component: 'anchors' }),
      config.sandbox.concurrency,
    );
    const table = await anchorMeasurer(
      config,
      evaluator,
      sandbox,
      log,
      options.anchorPreset,
    )(selection.clips);
    const bdRates = anchorBdRates(table);
    out(
      options.json
        ? JSON.stringify(anchorsJson(table, bdRates))
        : `anchors on ${selection.description}\n\n${renderAnchorTable(table, bdRates)}`,
    );
  } finally {
    await sandbox.close();
    release();
  }
}
