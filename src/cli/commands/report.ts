import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, loadGovernanceConfig } from '../../config.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { DATA_DIR_HELP, type CliContext } from '../cli-context.js';
import { parseDuration } from '../durations.js';
import { userPath } from '../flag-parsers.js';
import { createGovernor, reportSink } from '../governance-runtime.js';
import { converted, flag, parseFlags } from '../typed-flags.js';

const reportFlags = z.object({
  lookback: converted((text) => parseDuration(text, '--lookback')).optional(),
  json: flag,
  dataDir: z.string().optional(),
});

/** `codec-lab report`: the self-debugger's analysis of the window, written and printed. */
export function registerReport(program: Command, { log, write }: CliContext): void {
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
    .option('--data-dir <dir>', DATA_DIR_HELP, userPath)
    .action(async (values: unknown) => {
      const flags = parseFlags(reportFlags, values);
      const config = loadConfig(process.env, { dataDir: flags.dataDir });
      const governance = loadGovernanceConfig(process.env, { lookbackMs: flags.lookback });
      const store = SqliteStore.openReadOnly({ dataDir: config.dataDir });
      try {
        const governor = createGovernor(config, governance, store, log, { writeReports: false });
        const { report } = governor.assess(Date.now());
        const path = await reportSink(config, store).write(report);
        const markdown = path.replace(/\.json$/, '.md');
        write(flags.json ? JSON.stringify(report, null, 2) : readFileSync(markdown, 'utf8'));
        process.stderr.write(`report written to ${path} (and ${markdown})\n`);
      } finally {
        store.close();
      }
    });
}
