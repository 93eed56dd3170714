import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationResult, ValidationFinding } from '../evaluation/evaluator.js';
import { createFileAtomic, writeFileAtomic } from './atomic.js';

/**
 * The attempt tree a user inspects by hand, compatible with the seed's layout:
 *   code_attempts/attempt_<id>.py             the code, always
 *   code_attempts/validation_failure_<id>.txt  why static validation refused it
 *   code_attempts/error_<id>.txt               the failure with its full traceback
 *   code_attempts/attempt_<id>.json            the whole result, written last: an attempt is
 *                                              finished exactly when this file exists
 * Every file is written atomically.
 */
export interface AttemptMeta {
  /** Where the code came from: a file path, a generator name. */
  readonly origin: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Scoring beyond the evaluation itself (BD-rates, adoption), when there was any. */
  readonly assessment?: Readonly<Record<string, unknown>>;
}

export interface StoredAttempt {
  readonly id: string;
  readonly dir: string;
  readonly files: readonly string[];
}

export class AttemptFiles {
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(dataDir, 'code_attempts');
  }

  async record(code: Buffer, result: EvaluationResult, meta: AttemptMeta): Promise<StoredAttempt> {
    await mkdir(this.dir, { recursive: true });
    const id = await this.claim(code);
    const files = [`attempt_${id}.py`];
    if (!result.ok && result.stage === 'validate') {
      files.push(`validation_failure_${id}.txt`);
      await writeFileAtomic(
        join(this.dir, files.at(-1)!),
        validationFailureText(id, code, reportOf(result)),
      );
    } else if (!result.ok) {
      files.push(`error_${id}.txt`);
      await writeFileAtomic(join(this.dir, files.at(-1)!), errorText(id, code, reportOf(result)));
    }
    files.push(`attempt_${id}.json`);
    const record = {
      attempt_id: id,
      created_at: new Date(this.now()).toISOString(),
      code_sha256: createHash('sha256').update(code).digest('hex'),
      origin: meta.origin,
      settings: meta.settings,
      result,
      ...(meta.assessment ? { assessment: meta.assessment } : {}),
    };
    await writeFileAtomic(join(this.dir, files.at(-1)!), `${JSON.stringify(record, null, 2)}\n`);
    return { id, dir: this.dir, files };
  }

  /** Claims a fresh id (epoch ms, like the seed's timestamps) by creating the code file. */
  private async claim(code: Buffer): Promise<string> {
    const base = this.now();
    for (let bump = 0; bump < 1000; bump++) {
      const id = String(base + bump);
      try {
        await createFileAtomic(join(this.dir, `attempt_${id}.py`), code);
        return id;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new Error(`could not claim an attempt id in ${this.dir}`);
  }
}

type FailedResult = Extract<EvaluationResult, { ok: false }>;

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

function reportOf(result: FailedResult): FailureReport {
  return {
    stage: result.stage,
    category: result.failure.category,
    message: result.failure.message,
    imageId: result.imageId,
    traceback: result.failure.traceback,
    line: result.failure.line,
    findings: result.findings,
    log: result.log,
  };
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

function codeExcerpt(code: Buffer | string, line: number | undefined): string {
  const lines = code.toString('utf8').split('\n');
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
export function validationFailureText(
  id: string,
  code: Buffer | string,
  report: FailureReport,
): string {
  const findings = (report.findings ?? []).map(
    (finding) =>
      `- [${finding.category}] line ${finding.line ?? '?'}: ${finding.message}\n${finding.excerpt}`,
  );
  return `${header(id, report)}findings:\n${findings.join('\n')}\n\ncode excerpt:\n${codeExcerpt(code, report.line ?? undefined)}\n`;
}

/** The text of `error_<id>.txt`. */
export function errorText(id: string, code: Buffer | string, report: FailureReport): string {
  const parts = [header(id, report)];
  if (report.traceback) parts.push(`traceback:\n${report.traceback}\n`);
  if (report.log) parts.push(`codec output (capped):\n${report.log}\n`);
  if (report.response !== undefined) parts.push(`response:\n${report.response}\n`);
  if (code.length > 0) {
    parts.push(`code excerpt:\n${codeExcerpt(code, report.line ?? undefined)}\n`);
  }
  return parts.join('\n');
}
