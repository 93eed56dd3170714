import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationResult } from '../evaluation/evaluator.js';
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
      await writeFileAtomic(join(this.dir, files.at(-1)!), validationText(id, code, result));
    } else if (!result.ok) {
      files.push(`error_${id}.txt`);
      await writeFileAtomic(join(this.dir, files.at(-1)!), errorText(id, code, result));
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

function header(id: string, result: FailedResult): string {
  return [
    `attempt: ${id}`,
    `stage: ${result.stage}`,
    `category: ${result.failure.category}`,
    `image: ${result.imageId}`,
    '',
    result.failure.message,
    '',
  ].join('\n');
}

function codeExcerpt(code: Buffer, line: number | undefined): string {
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

function validationText(id: string, code: Buffer, result: FailedResult): string {
  const findings = (result.findings ?? []).map(
    (finding) =>
      `- [${finding.category}] line ${finding.line ?? '?'}: ${finding.message}\n${finding.excerpt}`,
  );
  return `${header(id, result)}findings:\n${findings.join('\n')}\n\ncode excerpt:\n${codeExcerpt(code, result.failure.line)}\n`;
}

function errorText(id: string, code: Buffer, result: FailedResult): string {
  const parts = [header(id, result)];
  if (result.failure.traceback) parts.push(`traceback:\n${result.failure.traceback}\n`);
  if (result.log) parts.push(`codec output (capped):\n${result.log}\n`);
  parts.push(`code excerpt:\n${codeExcerpt(code, result.failure.line)}\n`);
  return parts.join('\n');
}
