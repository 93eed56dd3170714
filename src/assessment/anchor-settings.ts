/**
 * The record of which settings each anchor of an assessment was measured with (kept with every
 * assessment, shown by `evaluate --json` as `anchor_settings`).
 */
import { settingsHash } from '../anchors/anchor-cache.js';
import { type AnchorName, perAnchor } from '../anchors/anchor-point.js';
import type { AnchorTable } from '../anchors/anchors.js';

/**
 * What one anchor a result was scored against was measured with: its sweep, its speed preset
 * (x264/x265's `--anchor-preset`, VP9/AV1's fixed setting) and the hash of its full settings,
 * which names its cache files (`<data-dir>/anchors/<anchor>-<settings_hash>-<clip>.json`).
 */
export interface AnchorSettingsRecord {
  readonly levels: readonly number[];
  readonly preset: string | null;
  readonly settings_hash: string;
}

export type AnchorSettingsRecords = Record<AnchorName, AnchorSettingsRecord>;

/** The record of a measured anchor table's settings, kept with every assessment. */
export function anchorSettingsRecords(table: AnchorTable): AnchorSettingsRecords {
  return perAnchor((anchor) => {
    const settings = table.settings[anchor];
    const preset = settings.details.preset;
    return {
      levels: [...settings.levels],
      preset: typeof preset === 'string' ? preset : null,
      settings_hash: settingsHash(settings),
    };
  });
}
