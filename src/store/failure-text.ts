/**
 * The text of `validation_failure_<id>.txt` and `error_<id>.txt`: what a user reads by hand
 * about a failed attempt, whichever command made it.
 */
import type { ValidationFinding } from '../evaluation/evaluator.js';

/** What an error or validation-failure file says about a failed attempt. */
export interface FailureReport {
  readonly stage: string;
  readonly category: string;
  readonly message: string;
  /** Null when the attempt never reached the sandbox (a generation failure). */
  readonly imageId: string | null;
  readonly traceback?: string | null | undefined;
  readonly line?: number | null | undefined;
  readonly findings?: readonly ValidationFinding[] | undefined;
  /** What the codec printed (capped). */
  readonly log?: string | undefined;
  /** The model's raw response, for a response that carried no usable code. */
  readonly response?: string | undefined;
}

function header(id: string, report: FailureReport): string {
  return [
    `attempt: ${id}`,
    `stage: ${report.stage}`,
    `category: ${report.category}`,
    ...(report.imageId === null ? [] : [`image: ${report.imageId}`]),
    '',
    report.message,
    '',
  ].join('\n');
}

function codeExcerpt(code: string, line: number | undefined): string {
  const lines = code.split('\n');
  const centre = line ?? 1;
  const from = Math.max(1, centre - 3);
  const to = Math.min(lines.length, centre + 3);
  const out: string[] = [];
  for (let number = from; number <= to; number++) {
    out.push(
      `${number === line ? '>' : ' '} ${String(number).padStart(4)} | ${(lines[number - 1] ?? '').slice(0, 200)}`,
    );
  }
  return out.join('\n');
}

/** The text of `validation_failure_<id>.txt`. */
export function validationFailureText(id: string, code: string, report: FailureReport): string {
  const findings = (report.findings ?? []).map(
    (finding) =>
      `- [${finding.category}] line ${finding.line ?? '?'}: ${finding.message}\n${finding.excerpt}`,
  );
  return `${header(id, report)}findings:\n${findings.join('\n')}\n\ncode excerpt:\n${codeExcerpt(code, report.line ?? undefined)}\n`;
}

/** The text of `error_<id>.txt`. */
export function errorText(id: string, code: string, report: FailureReport): string {
  const parts = [header(id, report)];
  if (report.traceback) parts.push(`traceback:\n${report.traceback}\n`);
  if (report.log) parts.push(`codec output (capped):\n${report.log}\n`);
  if (report.response !== undefined) parts.push(`response:\n${report.response}\n`);
  if (code.length > 0) {
    parts.push(`code excerpt:\n${codeExcerpt(code, report.line ?? undefined)}\n`);
  }
  return parts.join('\n');
}
