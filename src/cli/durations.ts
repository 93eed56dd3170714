import { CodecLabError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;

function durationMs(text: string): number | null {
  const relative = DURATION.exec(text.trim());
  if (!relative?.[1] || !relative[2]) return null;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    relative[2] as 's' | 'm' | 'h' | 'd'
  ];
  return Math.round(Number(relative[1]) * unit);
}

/** "30m", "1h", "2d": a duration flag in ms. */
export function parseDuration(text: string, flag: string): number {
  const ms = durationMs(text);
  if (ms === null) {
    throw new CodecLabError(
      'USAGE',
      `${flag} takes a duration such as 30m, 1h or 2d, got '${text}'`,
    );
  }
  return ms;
}

/** "90m", "2h", "1d", or an ISO date/time: when `--until` stops the loop (epoch ms). */
export function parseUntil(text: string, nowMs: number): number {
  const relative = durationMs(text);
  if (relative !== null) return nowMs + relative;
  const absolute = Date.parse(text);
  if (Number.isFinite(absolute)) return absolute;
  throw new CodecLabError(
    'USAGE',
    `--until takes a duration (90m, 2h, 1d) or an ISO time, got '${text}'`,
  );
}
