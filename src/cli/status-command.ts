import type { CodecVersion, Store, StoredAttempt } from '../store/store.js';

/** One entry of `codec-lab versions --json` (an interface other tools rely on). */
export interface VersionJson {
  readonly version: number;
  readonly attempt_id: string;
  readonly adopted_at: string;
  /** Percent, negative = fewer bits: vs the version before it, and vs each anchor. */
  readonly bd_rate: {
    readonly previous: number | null;
    readonly jpeg: number | null;
    readonly x264: number | null;
    readonly x265: number | null;
  };
}

export function versionsJson(store: Store): VersionJson[] {
  return store.versions().map((version: CodecVersion) => {
    const attempt = store.attempt(version.attemptId);
    const bd = attempt?.assessment?.bd_rate;
    return {
      version: version.version,
      attempt_id: version.attemptId,
      adopted_at: new Date(version.adoptedAtMs).toISOString(),
      bd_rate: {
        previous: bd?.incumbent ?? null,
        jpeg: bd?.jpeg ?? null,
        x264: bd?.x264 ?? null,
        x265: bd?.x265 ?? null,
      },
    };
  });
}

const pct = (value: number | null): string =>
  value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;

export function renderVersions(versions: readonly VersionJson[]): string {
  if (versions.length === 0) return 'no version adopted yet';
  const lines = [
    'version  attempt          adopted at                vs previous  vs jpeg    vs x264    vs x265',
  ];
  for (const v of versions) {
    lines.push(
      [
        `v${v.version}`.padEnd(8),
        v.attempt_id.padEnd(16),
        v.adopted_at.padEnd(25),
        pct(v.bd_rate.previous).padEnd(12),
        pct(v.bd_rate.jpeg).padEnd(10),
        pct(v.bd_rate.x264).padEnd(10),
        pct(v.bd_rate.x265),
      ].join(' '),
    );
  }
  return lines.join('\n');
}

export interface StatusJson {
  readonly attempts: number;
  readonly successes: number;
  readonly failures: number;
  readonly success_rate: number | null;
  readonly failures_by_category: Readonly<Record<string, number>>;
  readonly generation_failures: number;
  readonly first_attempt_at: string | null;
  readonly first_success_at: string | null;
  /** Seconds from the first attempt to the first success. */
  readonly time_to_first_success_s: number | null;
  readonly versions: readonly VersionJson[];
  readonly cost: {
    readonly dollars: number;
    readonly input_tokens: number;
    readonly output_tokens: number;
  };
  readonly last_attempt: {
    readonly id: string;
    readonly at: string;
    readonly stage: string;
    readonly category: string | null;
  } | null;
}

export function statusJson(store: Store): StatusJson {
  const totals = store.totals();
  const last: StoredAttempt | undefined = store.attempts({ limit: 1, offset: 0, order: 'desc' })
    .attempts[0];
  const iso = (ms: number | null): string | null =>
    ms === null ? null : new Date(ms).toISOString();
  return {
    attempts: totals.attempts,
    successes: totals.successes,
    failures: totals.failures,
    success_rate: totals.attempts > 0 ? totals.successes / totals.attempts : null,
    failures_by_category: totals.failuresByCategory,
    generation_failures: totals.generationFailures,
    first_attempt_at: iso(totals.firstAttemptAtMs),
    first_success_at: iso(totals.firstSuccessAtMs),
    time_to_first_success_s:
      totals.firstAttemptAtMs !== null && totals.firstSuccessAtMs !== null
        ? (totals.firstSuccessAtMs - totals.firstAttemptAtMs) / 1000
        : null,
    versions: versionsJson(store),
    cost: {
      dollars: totals.cost.dollars,
      input_tokens: totals.cost.inputTokens,
      output_tokens: totals.cost.outputTokens,
    },
    last_attempt: last
      ? {
          id: last.id,
          at: new Date(last.createdAtMs).toISOString(),
          stage: last.stage,
          category: last.category,
        }
      : null,
  };
}

export function renderStatus(status: StatusJson, running: string): string {
  const rate = status.success_rate === null ? 'n/a' : `${(status.success_rate * 100).toFixed(1)} %`;
  const categories = Object.entries(status.failures_by_category)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const best = status.versions.at(-1);
  return [
    running,
    `attempts ${status.attempts}: ${status.successes} ok, ${status.failures} failed (success rate ${rate})`,
    `failures by category: ${categories || 'none'}`,
    `time to first success: ${status.time_to_first_success_s === null ? 'no success yet' : `${status.time_to_first_success_s.toFixed(0)} s`}`,
    `best: ${best ? `v${best.version} (attempt ${best.attempt_id}), vs jpeg ${pct(best.bd_rate.jpeg)}, vs x264 ${pct(best.bd_rate.x264)}` : 'no version adopted yet'}`,
    `cost so far: $${status.cost.dollars.toFixed(2)} (${status.cost.input_tokens} input, ${status.cost.output_tokens} output tokens)`,
    '',
    renderVersions(status.versions),
  ].join('\n');
}
