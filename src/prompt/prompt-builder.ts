import type { CodecContract } from '../contract.js';
import type { AttemptSummary, GenerationContext, Prompt } from '../generators/generator.js';
import { buildSystemPrompt } from './system-prompt.js';
import { capHead, capTail, fence, percent } from './text.js';
import { tuningLines } from './tuning-section.js';

/**
 * Builds the prompt an LLM generator sends: the stable system part (the contract, from
 * sandbox-image/contract.json) and this iteration's user part (the best codec with its
 * rate-distortion table, the attempt to build on, recent failures, the self-debugger's
 * recommendations). Pure and deterministic: the same input gives the same text.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One recommendation of the self-debugger (docs/ARCHITECTURE.md §8). */
export interface Recommendation {
  readonly issue: string;
  readonly fix: string;
  readonly severity: Severity;
  readonly description?: string;
  readonly count?: number;
  /** Identity and revision, rendered as a reference so stored prompts show what was sent. */
  readonly key?: string;
  readonly revision?: number;
}

/** `[ref forbidden_imports#r2]`: a recommendation's identity, visible in the prompt's text. */
function reference(recommendation: Recommendation): string {
  return recommendation.key === undefined
    ? ''
    : ` [ref ${recommendation.key}#r${recommendation.revision ?? 1}]`;
}

/** One row of a rate-distortion table: a codec at one setting, mean over the dev clips. */
export interface RdRow {
  /** 'best', 'candidate', 'jpeg', 'x264', 'x265', 'vp9', 'av1', … */
  readonly codec: string;
  /** The knob, as a label: `q 0.50`, `crf 24`. */
  readonly setting: string;
  readonly bitrateKbps: number;
  readonly psnrYDb: number;
  readonly ssimY?: number;
}

export interface RdTable {
  readonly rows: readonly RdRow[];
  /** The codec's BD-rate against each reference, in percent (negative = fewer bits). */
  readonly bdRatePct?: Readonly<Record<string, number | null>>;
}

export interface PromptLimits {
  /** Failed attempts shown in detail (the newest). */
  readonly maxFailures: number;
  /** Characters of each traceback kept (its end). */
  readonly maxTracebackChars: number;
  /** Characters of each failure message kept (its start). */
  readonly maxMessageChars: number;
  readonly maxRecommendations: number;
  /** Rows of the recent-attempts overview. */
  readonly maxRecent: number;
}

export const DEFAULT_PROMPT_LIMITS: PromptLimits = Object.freeze({
  maxFailures: 5,
  maxTracebackChars: 2000,
  maxMessageChars: 600,
  maxRecommendations: 10,
  maxRecent: 10,
});

export interface PromptInput extends Omit<GenerationContext, 'prompt'> {
  readonly contract: CodecContract;
  /** The incumbent's rate-distortion table against the anchors. */
  readonly incumbentRd?: RdTable | null;
  /** The parent's, when it is not the incumbent and got that far. */
  readonly parentRd?: RdTable | null;
  readonly recommendations?: readonly Recommendation[];
  readonly limits?: Partial<PromptLimits>;
  readonly qualityFloorDb?: number;
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export function buildPrompt(input: PromptInput): Prompt {
  const system = buildSystemPrompt(
    input.contract,
    input.qualityFloorDb === undefined ? {} : { qualityFloorDb: input.qualityFloorDb },
  );
  const limits: PromptLimits = { ...DEFAULT_PROMPT_LIMITS, ...input.limits };
  const references = shownRecommendations(input.recommendations ?? [], limits).flatMap((r) =>
    r.key === undefined ? [] : [{ key: r.key, revision: r.revision ?? 1 }],
  );
  return { system, user: buildUserPrompt(input), references };
}

export function buildUserPrompt(input: PromptInput): string {
  const limits: PromptLimits = { ...DEFAULT_PROMPT_LIMITS, ...input.limits };
  const { incumbent, parent } = input;
  const sections = [
    `# Iteration ${input.iteration}`,
    incumbentSection(incumbent, input.incumbentRd),
  ];
  const parentIsIncumbent = parent !== null && parent.attemptId === incumbent?.attemptId;
  if (parent !== null && !parentIsIncumbent) {
    sections.push(parentSection(parent, input.parentRd, limits));
  }
  sections.push(...recentSections(input.recent, parent, limits));
  const last = input.recent.at(-1);
  if (last?.duplicateOf !== undefined) sections.push(noChangeSection(last, last.duplicateOf));
  const recommendations = input.recommendations ?? [];
  if (recommendations.length > 0) sections.push(recommendationSection(recommendations, limits));
  sections.push(taskSection(incumbent, parent));
  return `${sections.join('\n\n')}\n`;
}

function incumbentSection(
  incumbent: AttemptSummary | null,
  rd: RdTable | null | undefined,
): string {
  if (incumbent === null) {
    return '## The current best codec\n\nNone yet: no codec has been adopted so far.';
  }
  const lines = [`## The current best codec (attempt ${incumbent.attemptId})`, ''];
  lines.push(`BD-rate against per-frame JPEG: ${percent(incumbent.bdRateVsJpegPct)}.`);
  if (rd) lines.push('', rdTableText(rd));
  lines.push(...tuningLines(incumbent));
  lines.push('', 'Its code:', '', fence(incumbent.code, 'python'));
  return lines.join('\n');
}

function parentSection(
  parent: AttemptSummary,
  rd: RdTable | null | undefined,
  limits: PromptLimits,
): string {
  const lines = [`## The attempt to build on (attempt ${parent.attemptId})`, ''];
  lines.push(`Result: ${outcome(parent)}.`);
  if (parent.ok) {
    lines.push(
      `BD-rate against the best codec: ${percent(parent.bdRateVsIncumbentPct)}; ` +
        `against per-frame JPEG: ${percent(parent.bdRateVsJpegPct)}.`,
    );
  }
  lines.push(...failureDetail(parent, limits));
  if (rd) lines.push('', rdTableText(rd));
  lines.push(...tuningLines(parent));
  lines.push('', 'Its code:', '', fence(parent.code, 'python'));
  return lines.join('\n');
}

function recentSections(
  recent: readonly AttemptSummary[],
  parent: AttemptSummary | null,
  limits: PromptLimits,
): string[] {
  if (recent.length === 0) return [];
  const shown = recent.slice(-limits.maxRecent);
  const overview = [
    `## Recent attempts (${shown.length === recent.length ? 'all' : `the last ${shown.length}`} of ${recent.length}, oldest first)`,
    '',
    '| attempt | result | BD-rate vs best | BD-rate vs JPEG | adopted |',
    '|---|---|---|---|---|',
    ...shown.map(
      (a) =>
        `| ${a.attemptId} | ${outcome(a)} | ${percent(a.bdRateVsIncumbentPct)} | ` +
        `${percent(a.bdRateVsJpegPct)} | ${a.adopted ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
  const failed = recent.filter((a) => !a.ok && a.attemptId !== parent?.attemptId);
  if (failed.length === 0) return [overview];
  const detailed = failed.slice(-limits.maxFailures);
  const omitted = failed.length - detailed.length;
  const lines = [
    `## Recent failures (${omitted > 0 ? `the last ${detailed.length} of ${failed.length}` : `${failed.length}`}, oldest first)`,
  ];
  for (const attempt of detailed) {
    lines.push(
      '',
      `### Attempt ${attempt.attemptId}: ${outcome(attempt)}`,
      ...failureDetail(attempt, limits),
    );
  }
  return [overview, lines.join('\n')];
}

function failureDetail(attempt: AttemptSummary, limits: PromptLimits): string[] {
  if (attempt.ok) return [];
  const lines: string[] = [];
  if (attempt.message !== undefined && attempt.message !== '') {
    lines.push('', 'Message:', '', fence(capHead(attempt.message, limits.maxMessageChars)));
  }
  if (attempt.traceback !== undefined && attempt.traceback !== '') {
    lines.push('', 'Traceback:', '', fence(capTail(attempt.traceback, limits.maxTracebackChars)));
  }
  return lines;
}

/** The recommendations a prompt shows: most severe first, at most maxRecommendations. */
function shownRecommendations(
  recommendations: readonly Recommendation[],
  limits: PromptLimits,
): Recommendation[] {
  return recommendations
    .map((recommendation, index) => ({ recommendation, index }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.recommendation.severity) -
          SEVERITY_ORDER.indexOf(b.recommendation.severity) || a.index - b.index,
    )
    .slice(0, limits.maxRecommendations)
    .map(({ recommendation }) => recommendation);
}

/** Descriptions may quote codec output: it must not pose as one of our references. */
function neutralise(text: string): string {
  return text.replace(/\[ref /g, '[ ref ');
}

export function recommendationSection(
  recommendations: readonly Recommendation[],
  limits: PromptLimits,
): string {
  const ordered = shownRecommendations(recommendations, limits);
  const lines = ['## Recommendations from the self-debugger (most severe first)', ''];
  ordered.forEach((r, i) => {
    const count = r.count === undefined ? '' : ` (${r.count}×)`;
    const description = r.description === undefined ? '' : ` ${neutralise(r.description)}`;
    lines.push(
      `${i + 1}. [${r.severity}] ${r.issue}${count}:${description}${reference(r)}`,
      `   Fix: ${neutralise(r.fix)}`,
    );
  });
  const omitted = recommendations.length - ordered.length;
  if (omitted > 0) lines.push(`(${omitted} less severe recommendations not shown)`);
  return lines.join('\n');
}

function taskSection(incumbent: AttemptSummary | null, parent: AttemptSummary | null): string {
  const lines = ['## Your task', ''];
  if (parent !== null && !parent.ok) {
    lines.push(
      `Attempt ${parent.attemptId} failed (${parent.category ?? 'other'} at ${parent.stage}). ` +
        'Find the cause in its message and traceback, fix it, and keep what worked.',
    );
  } else if (incumbent !== null) {
    lines.push(
      'Write a codec that beats the current best one: a negative BD-rate against it on most ' +
        'clips, at the same or better quality. Make one substantial, well-reasoned improvement ' +
        '(better prediction, transform, quantisation or entropy coding) rather than cosmetic changes.',
    );
  } else {
    lines.push(
      'Write a first working codec. Correctness comes first: follow the contract exactly, ' +
        'make the rate and quality rise with config["quality"], and beat per-frame JPEG if you can.',
    );
  }
  lines.push(
    '',
    'Reply with exactly one ```python block containing the whole file, preceded by at most a few sentences.',
  );
  return lines.join('\n');
}

/** The newest attempt behaved exactly like an earlier one: say so, once, plainly. */
function noChangeSection(attempt: AttemptSummary, twin: string): string {
  return [
    '## Your last edit changed nothing',
    '',
    `Attempt ${attempt.attemptId} wrote the same bitstreams and decoded the same frames as attempt ${twin} ` +
      'on the smoke clip, so it was not evaluated further. Comments, renames and dead code do not ' +
      'change behaviour: change what the codec computes.',
  ].join('\n');
}

function outcome(attempt: AttemptSummary): string {
  if (attempt.duplicateOf !== undefined) {
    return `no behavioural change (same output as attempt ${attempt.duplicateOf})`;
  }
  if (attempt.screened !== undefined) {
    const { clip, bdRatePct, marginPct } = attempt.screened;
    return `worse, stopped early at screening (BD-rate ${percent(bdRatePct)} on clip ${clip}, margin +${marginPct} %)`;
  }
  if (attempt.ok) return 'passed every stage';
  return `failed at ${attempt.stage}: ${attempt.category ?? 'other'}`;
}

export function rdTableText(rd: RdTable): string {
  const hasSsim = rd.rows.some((row) => row.ssimY !== undefined);
  const header = hasSsim
    ? '| codec | setting | kbps | PSNR-Y dB | SSIM-Y |\n|---|---|---|---|---|'
    : '| codec | setting | kbps | PSNR-Y dB |\n|---|---|---|---|';
  const rows = rd.rows.map((row) => {
    const cells = [row.codec, row.setting, row.bitrateKbps.toFixed(1), row.psnrYDb.toFixed(2)];
    if (hasSsim) cells.push(row.ssimY === undefined ? 'n/a' : row.ssimY.toFixed(4));
    return `| ${cells.join(' | ')} |`;
  });
  const lines = ['Rate-distortion (mean over the dev clips):', '', header, ...rows];
  const bd = Object.entries(rd.bdRatePct ?? {});
  if (bd.length > 0) {
    lines.push(
      '',
      `BD-rate against ${bd.map(([name, value]) => `${name}: ${percent(value)}`).join(', ')} ` +
        '(negative = fewer bits at equal PSNR).',
    );
  }
  return lines.join('\n');
}
