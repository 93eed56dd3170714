/**
 * The attempt tree next to the SQLite index, in the seed's layout (docs/ARCHITECTURE.md §6):
 *   code_attempts/attempt_<id>.py               the code of every attempt (empty when the
 *                                               response carried none)
 *   code_attempts/validation_failure_<id>.txt   why static validation refused it
 *   code_attempts/error_<id>.txt                any other failure, with its traceback
 *   code_attempts/orphaned/                     files whose attempt never reached the index
 *   codec_versions/codec_attempt_<id>.py        every generated code version
 *   codec_versions/v<N>_attempt_<id>.py         each adopted version
 *   codec_versions/v<N>_attempt_<id>.params.json  its config['params'], when it has any
 *   best_codec_implementation.json              the current version
 * Every file is written atomically. The index is the truth; the tree is derived from it and
 * written first, so that a row never points at a missing file.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, parse } from 'node:path';
import { errorText, validationFailureText } from './failure-text.js';
import { bdRatesByAnchor } from './summaries.js';
import {
  createFileAtomicSync,
  moveFileSync,
  syncDirSync,
  tempFileOwner,
  writeFileAtomicSync,
} from './atomic-sync.js';
import type { CodecVersion, StoredAttempt } from './store.js';

export const ATTEMPTS_DIR = 'code_attempts';
export const VERSIONS_DIR = 'codec_versions';
export const ORPHANED_DIR = join(ATTEMPTS_DIR, 'orphaned');
export const BEST_FILE = 'best_codec_implementation.json';

export const codeFile = (id: string): string => join(ATTEMPTS_DIR, `attempt_${id}.py`);
export const versionCopyFile = (id: string): string => join(VERSIONS_DIR, `codec_attempt_${id}.py`);
export const adoptedFile = (version: number, id: string): string =>
  join(VERSIONS_DIR, `v${version}_attempt_${id}.py`);
export const adoptedParamsFile = (version: number, id: string): string =>
  join(VERSIONS_DIR, `v${version}_attempt_${id}.params.json`);

/**
 * An adopted version's params and how they were found: part of the version, read back by
 * `evaluate --params FILE` (which takes the `params` object of a file that has one).
 */
function paramsRecord(attempt: StoredAttempt): Record<string, unknown> {
  const tuning = attempt.tuning;
  return {
    params: attempt.params,
    tuning:
      tuning === null
        ? null
        : {
            defaults: tuning.defaults,
            default_bd_rate: tuning.default_bd_rate,
            tuned_bd_rate: tuning.tuned_bd_rate,
            evaluations: tuning.evaluations,
            wall_ms: tuning.wall_ms,
            proxy: tuning.proxy,
          },
  };
}

/** What an attempt's files depend on, light enough to list for every attempt at start-up. */
export interface AttemptShape {
  readonly id: string;
  readonly ok: boolean;
  readonly stage: string;
  readonly generated: boolean;
}

export function failureFile(attempt: AttemptShape): string | null {
  if (attempt.ok) return null;
  const name = attempt.stage === 'validate' ? 'validation_failure' : 'error';
  return join(ATTEMPTS_DIR, `${name}_${attempt.id}.txt`);
}

/** Every file an attempt owns, relative to the data directory. */
export function attemptFiles(attempt: AttemptShape): string[] {
  const failure = failureFile(attempt);
  return [
    codeFile(attempt.id),
    ...(failure === null ? [] : [failure]),
    ...(attempt.generated ? [versionCopyFile(attempt.id)] : []),
  ];
}

export function shapeOf(attempt: StoredAttempt): AttemptShape {
  return {
    id: attempt.id,
    ok: attempt.ok,
    stage: attempt.stage,
    generated: attempt.generationFailure === null,
  };
}

function failureText(attempt: StoredAttempt): string {
  const report = {
    stage: attempt.stage,
    category: attempt.category ?? 'other',
    message: attempt.failureMessage ?? '',
    imageId: attempt.imageId,
    traceback: attempt.traceback,
    line: attempt.failureLine,
    findings: attempt.findings,
    log: attempt.log,
    ...(attempt.generationFailure === null ? {} : { response: attempt.rawResponse }),
  };
  return attempt.stage === 'validate'
    ? validationFailureText(attempt.id, attempt.code, report)
    : errorText(attempt.id, attempt.code, report);
}

/** `best_codec_implementation.json`, byte for byte, for the version and its attempt. */
export function bestCodecText(version: CodecVersion, attempt: StoredAttempt): string {
  const bd = attempt.assessment?.bd_rate ?? null;
  const best = {
    version: version.version,
    attempt_id: version.attemptId,
    adopted_at: new Date(version.adoptedAtMs).toISOString(),
    code_path: adoptedFile(version.version, version.attemptId),
    code_sha256: version.codeSha256,
    bd_rate: { previous: bd?.incumbent ?? null, ...bdRatesByAnchor(bd) },
    metrics: attempt.metrics?.points ?? [],
    decision: version.decision.summary,
    ...paramsRecord(attempt),
  };
  return `${JSON.stringify(best, null, 2)}\n`;
}

export class AttemptTree {
  constructor(readonly dataDir: string) {}

  path(relative: string): string {
    return join(this.dataDir, relative);
  }

  ensure(): void {
    for (const dir of [ATTEMPTS_DIR, VERSIONS_DIR]) mkdirSync(this.path(dir), { recursive: true });
  }

  /** Claims the id by creating its code file; false when the name is taken (a leftover file). */
  claim(id: string, code: string): boolean {
    try {
      createFileAtomicSync(this.path(codeFile(id)), code);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /** Everything but the code file, which `claim` wrote. */
  writeAttemptRest(attempt: StoredAttempt): void {
    const failure = failureFile(shapeOf(attempt));
    if (failure !== null) writeFileAtomicSync(this.path(failure), failureText(attempt));
    if (attempt.generationFailure === null) {
      writeFileAtomicSync(this.path(versionCopyFile(attempt.id)), attempt.code);
    }
  }

  /** Rewrites one file of a stored attempt (it went missing). */
  restore(attempt: StoredAttempt, relative: string): void {
    const text = relative === failureFile(shapeOf(attempt)) ? failureText(attempt) : attempt.code;
    writeFileAtomicSync(this.path(relative), text);
  }

  writeVersion(version: number, attempt: StoredAttempt): void {
    if (attempt.params !== null) {
      const record = { version, attempt_id: attempt.id, ...paramsRecord(attempt) };
      const file = this.path(adoptedParamsFile(version, attempt.id));
      writeFileAtomicSync(file, `${JSON.stringify(record, null, 2)}\n`);
    }
    writeFileAtomicSync(this.path(adoptedFile(version, attempt.id)), attempt.code);
  }

  writeBest(text: string): void {
    writeFileAtomicSync(this.path(BEST_FILE), text);
  }

  readBest(): string | null {
    try {
      return readFileSync(this.path(BEST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Regular file names in a directory of the tree (hidden files included). */
  list(relativeDir: string): string[] {
    return readdirSync(this.path(relativeDir), { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  }

  exists(relative: string): boolean {
    return existsSync(this.path(relative));
  }

  /** Moves a file aside into code_attempts/orphaned/, never overwriting; returns where to. */
  orphan(relative: string): string {
    mkdirSync(this.path(ORPHANED_DIR), { recursive: true });
    const { name, ext } = parse(relative);
    let target = join(ORPHANED_DIR, `${name}${ext}`);
    for (let n = 1; existsSync(this.path(target)); n++) {
      target = join(ORPHANED_DIR, `${name}.${n}${ext}`);
    }
    moveFileSync(this.path(relative), this.path(target));
    return target;
  }

  /** Deletes temp files of interrupted atomic writes whose writer is gone; returns them. */
  removeStaleTemps(isAlive: (pid: number) => boolean): string[] {
    const removed: string[] = [];
    for (const dir of ['.', ATTEMPTS_DIR, VERSIONS_DIR]) {
      for (const name of this.list(dir)) {
        const pid = tempFileOwner(name);
        if (pid === null || (pid !== process.pid && isAlive(pid))) continue;
        rmSync(this.path(join(dir, name)), { force: true });
        removed.push(join(dir, name));
      }
      if (removed.length > 0) syncDirSync(this.path(dir));
    }
    return removed;
  }
}
