/**
 * Start-up repair of the attempt tree against the index. Files are written before their row,
 * so a crash can leave files without a row; those are moved to code_attempts/orphaned/ (never
 * read as valid), interrupted temp files are removed, files missing for a row are rewritten
 * from the row, and best_codec_implementation.json is rewritten when it disagrees. A write in
 * flight in another live process (`evaluate` records next to whoever holds the directory) is
 * not a crash: its reservation and files are left alone.
 */
import {
  ATTEMPTS_DIR,
  BEST_FILE,
  VERSIONS_DIR,
  adoptedFile,
  adoptedParamsFile,
  attemptFiles,
  bestCodecText,
  codeFile,
  versionCopyFile,
  type AttemptShape,
  type AttemptTree,
} from './attempt-tree.js';
import type { CodecVersion, IncumbentVersion, StoredAttempt } from './store.js';
import { join } from 'node:path';

/** What the index knows, as reconciliation needs it. */
export interface TreeIndex {
  /** Ids reserved for attempts whose row is not written (yet), with the reserving process. */
  pending(): PendingId[];
  shapes(): AttemptShape[];
  versions(): CodecVersion[];
  attempt(id: string): StoredAttempt | null;
  incumbent(): IncumbentVersion | null;
}

export interface PendingId {
  readonly id: string;
  /** Null for a reservation made before schema 3 recorded the process. */
  readonly pid: number | null;
}

/** Reservations another live process is still writing (its temp files are spared alike). */
export function inFlight(
  pending: readonly PendingId[],
  isAlive: (pid: number) => boolean = isProcessAlive,
): Set<string> {
  return new Set(
    pending
      .filter(({ pid }) => pid !== null && pid !== process.pid && isAlive(pid))
      .map(({ id }) => id),
  );
}

export interface RecoveryReport {
  /** Interrupted atomic writes removed. */
  readonly removedTempFiles: readonly string[];
  /** Files without a row, as `from → to` (relative to the data directory). */
  readonly orphaned: readonly { readonly from: string; readonly to: string }[];
  /** Files a row needs that were missing and were rewritten from the index. */
  readonly restored: readonly string[];
  /** best_codec_implementation.json disagreed with the index and was rewritten (or moved). */
  readonly bestRewritten: boolean;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const VERSION_COPY = /^codec_attempt_(\d+)\.py$/;
const ADOPTED = /^v(\d+)_attempt_(\d+)\.py$/;

export function reconcileTree(
  tree: AttemptTree,
  index: TreeIndex,
  isAlive: (pid: number) => boolean = isProcessAlive,
): RecoveryReport {
  const removedTempFiles = tree.removeStaleTemps(isAlive);
  const orphaned: Array<{ from: string; to: string }> = [];
  const moveAside = (relative: string): void => {
    orphaned.push({ from: relative, to: tree.orphan(relative) });
  };
  const attemptsListing = new Set(tree.list(ATTEMPTS_DIR).map((name) => join(ATTEMPTS_DIR, name)));
  const pending = index.pending();
  const writing = inFlight(pending, isAlive);

  // Attempts that reserved an id but never got their row: whatever they wrote is unfinished.
  for (const { id } of pending) {
    if (writing.has(id)) continue;
    const written = [
      codeFile(id),
      join(ATTEMPTS_DIR, `validation_failure_${id}.txt`),
      join(ATTEMPTS_DIR, `error_${id}.txt`),
      versionCopyFile(id),
    ];
    for (const relative of written) if (tree.exists(relative)) moveAside(relative);
  }

  const shapes = index.shapes();
  const known = new Set(shapes.map((shape) => shape.id));
  const versions = index.versions();
  const adopted = new Set(versions.map((v) => adoptedFile(v.version, v.attemptId)));
  // Only the store writes codec_versions/: anything there without a row is unfinished.
  for (const name of tree.list(VERSIONS_DIR)) {
    const copy = VERSION_COPY.exec(name);
    const version = ADOPTED.exec(name);
    const relative = join(VERSIONS_DIR, name);
    const copyId = copy?.[1] ?? '';
    if (
      (copy && !known.has(copyId) && !writing.has(copyId)) ||
      (version && !adopted.has(relative))
    ) {
      moveAside(relative);
    }
  }

  const restored: string[] = [];
  const versionsListing = new Set(tree.list(VERSIONS_DIR).map((name) => join(VERSIONS_DIR, name)));
  const present = (relative: string): boolean =>
    attemptsListing.has(relative) || versionsListing.has(relative);
  for (const shape of shapes) {
    const missing = attemptFiles(shape).filter((relative) => !present(relative));
    if (missing.length === 0) continue;
    const attempt = index.attempt(shape.id);
    if (attempt === null) continue;
    for (const relative of missing) {
      tree.restore(attempt, relative);
      restored.push(relative);
    }
  }
  for (const version of versions) {
    const relative = adoptedFile(version.version, version.attemptId);
    const paramsFile = adoptedParamsFile(version.version, version.attemptId);
    if (tree.exists(relative) && tree.exists(paramsFile)) continue;
    const attempt = index.attempt(version.attemptId);
    if (attempt === null) continue;
    if (tree.exists(relative) && attempt.params === null) continue;
    tree.writeVersion(version.version, attempt);
    restored.push(relative);
  }

  let bestRewritten = false;
  const incumbent = index.incumbent();
  const onDisk = tree.readBest();
  if (incumbent === null) {
    if (onDisk !== null) {
      moveAside(BEST_FILE);
      bestRewritten = true;
    }
  } else {
    const expected = bestCodecText(incumbent, incumbent.attempt);
    if (onDisk !== expected) {
      tree.writeBest(expected);
      bestRewritten = true;
    }
  }
  return { removedTempFiles, orphaned, restored, bestRewritten };
}
