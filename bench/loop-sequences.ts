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

/** The best (lowest) dev BD-rate against JPEG among a run's adopted versions, or null. */
function bestVsJpeg(run: RunFacts): number | null {
  let best: number | null = null;
  for (const version of run.versions) {
    const bd = run.attempts.find((a) => a.id === version.attemptId)?.assessment?.bd_rate.jpeg;
    if (typeof bd === 'number' && (best === null || bd < best)) best = bd;
  }
  return best;
}

/** Proxy evaluations and wall time the tune stage spent over a run. */
function tuningCost(run: RunFacts): string {
  let tuned = 0;
  let evaluations = 0;
  let wallMs = 0;
  for (const attempt of run.attempts) {
    if (!attempt.tuning) continue;
    tuned += 1;
    evaluations += attempt.tuning.evaluations;
    wallMs += attempt.tuning.wall_ms;
  }
  return `${tuned} attempts tuned, ${evaluations} proxy evaluations, ${(wallMs / 60_000).toFixed(1)} min`;
}

const percent = (value: number | null): string =>
  value === null ? 'n/a (nothing adopted)' : `${value.toFixed(1)} %`;

/**
 * #15's comparison: the same seeded loop with tuning on and off. Rate of attempts, the best
 * adopted BD-rate against JPEG after the run's attempts, and the BD-rate points gained on JPEG
 * per hour (from v1's figure to the best; v1 itself is measured against nothing).
 */
export function compareTuning(tuned: RunFacts, untuned: RunFacts): string[] {
  const pointsPerHour = (run: RunFacts): string => {
    const first = run.versions[0];
    const v1 = first
      ? run.attempts.find((a) => a.id === first.attemptId)?.assessment?.bd_rate.jpeg
      : undefined;
    const best = bestVsJpeg(run);
    if (typeof v1 !== 'number' || best === null || run.spanMs <= 0) return 'n/a';
    return ((v1 - best) / (run.spanMs / 3_600_000)).toFixed(1);
  };
  return [
    `attempts/hour: tuned ${perHour(tuned).toFixed(0)}, untuned ${perHour(untuned).toFixed(0)}`,
    `best vs jpeg after ${tuned.attempts.length} / ${untuned.attempts.length} attempts: ` +
      `tuned ${percent(bestVsJpeg(tuned))}, untuned ${percent(bestVsJpeg(untuned))}`,
    `BD-rate points gained on jpeg after v1, per hour: tuned ${pointsPerHour(tuned)}, untuned ${pointsPerHour(untuned)}`,
    `tuning cost (tuned run): ${tuningCost(tuned)}`,
    ...describeRun(tuned),
    ...describeRun(untuned),
  ];
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
