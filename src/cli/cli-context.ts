import type { Logger } from '../logger.js';

/** What every command module is given by main(): the one logger and the two outputs. */
export interface CliContext {
  readonly log: Logger;
  /** One line of the command's answer, on stdout. */
  readonly write: (text: string) => void;
  /** The exit code when the command returns without throwing (0 unless set). */
  exitWith(code: number): void;
}

/** The `--data-dir` help most commands share. */
export const DATA_DIR_HELP = 'the data dir (default .data or CODEC_LAB_DATA_DIR)';
