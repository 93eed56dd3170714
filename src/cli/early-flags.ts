/** `run --no-screening`, `--no-dedup`, `--screen-margin <pct>`: the cascade's early stages. */
import { InvalidArgumentError } from 'commander';
import { DEFAULT_SCREEN_MARGIN_PCT } from '../evaluation/screening.js';
import type { EarlyStageSettings } from '../loop/early-plan.js';

/** `15`, `+15`, `15%` or `+15 %`: BD-rate points, ≥ 0. */
export function parseScreenMargin(value: string): number {
  const parsed = Number(value.trim().replace(/\s*%$/, '').replace(/^\+/, ''));
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError(
      `--screen-margin takes a BD-rate in percent ≥ 0 (e.g. 15 or +15%), not '${value}'`,
    );
  }
  return parsed;
}

/** What commander's flags say (`--no-x` gives x: false; absent gives true). */
export function earlyStageSettings(flags: {
  readonly screening?: boolean | undefined;
  readonly dedup?: boolean | undefined;
  readonly screenMargin?: number | undefined;
}): EarlyStageSettings {
  return {
    screening: flags.screening !== false,
    dedup: flags.dedup !== false,
    screenMarginPct: flags.screenMargin ?? DEFAULT_SCREEN_MARGIN_PCT,
  };
}
