/**
 * What the tuner did to a codec's TUNABLES, as prompt text (issue 15): the tuned values next to
 * the defaults and how far they moved within their ranges, flagged at a bound. A hint for the
 * next structure: a constant that ran to its bound wants a wider range or another structure; a
 * constant that did not move is probably not worth a tunable. Pure.
 */
import type { AttemptSummary, TuningSummary } from '../generators/generator.js';
import { percent } from './text.js';
import { tunableRanges, type TunableRange } from './tunables-literal.js';

/** Names and choices come from codec source: one line, no table breaks, a bounded length. */
function cell(value: number | string): string {
  if (typeof value === 'number') return numberText(value);
  const text = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return text.replace(/\|/g, '\\|');
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

function nameCell(name: string): string {
  const clean = name.replace(/[^\w.-]/g, '?');
  return `\`${clean.length > 40 ? `${clean.slice(0, 40)}…` : clean}\``;
}

function rangeText(range: TunableRange | undefined): string {
  if (range === undefined) return 'unknown';
  if (range.choices !== undefined) return range.choices.map(cell).join(', ');
  return `${numberText(range.min ?? NaN)} … ${numberText(range.max ?? NaN)}`;
}

/** How far the tuned value moved from the default, in words. */
function moveText(
  tuned: number | string | undefined,
  initial: number | string | undefined,
  range: TunableRange | undefined,
): string {
  if (tuned === undefined) return 'not tuned';
  if (tuned === initial) return 'kept the default';
  if (range?.choices !== undefined) {
    const from = initial === undefined ? -1 : range.choices.indexOf(initial);
    const to = range.choices.indexOf(tuned);
    if (from < 0 || to < 0) return 'changed';
    const steps = Math.abs(to - from);
    const edge =
      to === 0 ? ', to the first one' : to === range.choices.length - 1 ? ', to the last one' : '';
    return `moved ${steps} choice${steps === 1 ? '' : 's'}${edge}`;
  }
  if (
    typeof tuned !== 'number' ||
    typeof initial !== 'number' ||
    range?.min === undefined ||
    range.max === undefined ||
    range.max <= range.min
  ) {
    return 'changed';
  }
  const share = ((tuned - initial) / (range.max - range.min)) * 100;
  const bound =
    tuned <= range.min ? ', at the lower bound' : tuned >= range.max ? ', at the upper bound' : '';
  return `${share > 0 ? '+' : ''}${Math.round(share)} % of the range${bound}`;
}

function header(tuning: TuningSummary): string {
  const seconds = Math.round(tuning.wallMs / 1000);
  const bd =
    tuning.defaultBdRatePct === null && tuning.tunedBdRatePct === null
      ? ''
      : `; proxy BD-rate ${percent(tuning.defaultBdRatePct)} with the defaults, ` +
        `${percent(tuning.tunedBdRatePct)} tuned`;
  return (
    `Its TUNABLES were tuned (${tuning.evaluations} proxy evaluations, ${seconds} s${bd}); ` +
    'the results above are with the tuned values:'
  );
}

/** The tuning block of an attempt's section, or [] when it was not tuned. */
export function tuningLines(attempt: AttemptSummary): string[] {
  const tuning = attempt.tuning;
  if (tuning === undefined || tuning === null) return [];
  const ranges = tunableRanges(attempt.code);
  const names = [...new Set([...Object.keys(tuning.defaults), ...Object.keys(tuning.params)])];
  const rows = names.slice(0, 8).map((name) => {
    const initial = tuning.defaults[name];
    const tuned = tuning.params[name];
    const range = ranges?.get(name);
    const shown = (value: number | string | undefined): string =>
      value === undefined ? 'n/a' : cell(value);
    return `| ${nameCell(name)} | ${shown(initial)} | ${shown(tuned)} | ${rangeText(range)} | ${moveText(tuned, initial, range)} |`;
  });
  if (rows.length === 0) return [];
  return [
    '',
    header(tuning),
    '',
    '| tunable | default | tuned | range | move |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Write the tuned values in as the new defaults if you keep these constants; widen a range ' +
      'that a value hit, or rethink the structure it controls; drop tunables that did not move.',
  ];
}
