/**
 * The dev-set bench's comparison of two runs of the seeded offline loop: rates, adopted versions,
 * and whether screening lost an adoption the full sweep made on the same candidate. Pure.
 */
import type { CodecVersion, StoredAttempt } from '../src/store/store.js';

export interface RunFacts {
  readonly mode: string;
  /** Oldest first. */
  readonly attempts: readonly StoredAttempt[];
  readonly versions: readonly CodecVersion[];
  readonly spanMs: number;
}

const perHour = (run: RunFacts): number =>
  run.spanMs > 0 ? (run.attempts.length / run.spanMs) * 3_600_000 : 0;

function ending(attempt: StoredAttempt): string {
  return attempt.ok ? attempt.stage : 'failed';
}

function describeRun(run: RunFacts): string[] {
  const tally = new Map<string, number>();
  for (const attempt of run.attempts)
    tally.set(ending(attempt), (tally.get(ending(attempt)) ?? 0) + 1);
  const stages = [...tally].map(([name, n]) => `${name} ${n}`).join(', ');
  const lines = [
    `${run.mode}: ${run.attempts.length} attempts in ${(run.spanMs / 60_000).toFixed(1)} min (${stages})`,
  ];
  for (const version of run.versions) {
    const index = run.attempts.findIndex((a) => a.id === version.attemptId);
    const bd = run.attempts[index]?.assessment?.bd_rate.jpeg;
    lines.push(
      `  v${version.version}: attempt #${index + 1} (code ${version.codeSha256.slice(0, 12)}), vs jpeg ${bd == null ? 'n/a' : `${bd.toFixed(1)} %`}`,
    );
  }
  if (run.versions.length === 0) lines.push('  no version adopted');
  return lines;
}

export function compareRuns(fresh: RunFacts, perPoint: RunFacts): string[] {
  const a = perHour(fresh);
  const b = perHour(perPoint);
  const lines = [
    `attempts/hour: new ${a.toFixed(0)}, per-point ${b.toFixed(0)}, ratio ${b > 0 ? (a / b).toFixed(2) : 'n/a'}`,
    ...describeRun(fresh),
    ...describeRun(perPoint),
  ];
  let shared = 0;
  while (
    shared < Math.min(fresh.attempts.length, perPoint.attempts.length) &&
    fresh.attempts[shared]?.codeSha256 === perPoint.attempts[shared]?.codeSha256
  ) {
    shared += 1;
  }
  lines.push(
    `sequences: the first ${shared} attempts are the same code in both runs` +
      (shared < Math.min(fresh.attempts.length, perPoint.attempts.length)
        ? ` (they part at attempt #${shared + 1}: ${ending(fresh.attempts[shared]!)} in the new run, ${ending(perPoint.attempts[shared]!)} per point)`
        : ''),
  );
  let lostShared = 0;
  let lostLater = 0;
  let unseen = 0;
  for (const version of perPoint.versions) {
    const index = perPoint.attempts.findIndex((x) => x.id === version.attemptId);
    const twin = fresh.attempts.findIndex((x) => x.codeSha256 === version.codeSha256);
    const mine = fresh.attempts[twin];
    if (mine === undefined) unseen += 1;
    else if (mine.version === null && mine.stage === 'screen' && mine.ok) {
      if (index < shared) lostShared += 1;
      else lostLater += 1;
    }
  }
  lines.push(
    `screening lost ${lostShared} of the ${perPoint.versions.length} per-point adoptions in the shared sequence; ` +
      `${lostLater} more were screened out in the new run after the runs parted (against another incumbent); ` +
      `${unseen} were never proposed in the new run`,
  );
  return lines;
}
