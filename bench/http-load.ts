/**
 * A small closed-loop HTTP load generator for the status server (loopback only): `concurrency`
 * clients each send the next request as soon as the last one answered, cycling through `paths`,
 * for `durationMs`. Used by `npm run bench:server` and the server's load test.
 */
export interface LoadResult {
  readonly requests: number;
  /** HTTP status → count; network errors count under 0. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requestsPerS: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export async function hammer(
  baseUrl: string,
  paths: readonly string[],
  options: { readonly durationMs: number; readonly concurrency: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const deadline = started + options.durationMs;
  let next = 0;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const path = paths[next++ % paths.length]!;
      const sent = performance.now();
      let status = 0;
      try {
        const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      latencies.push(performance.now() - sent);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const elapsedS = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    statuses,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    requestsPerS: sorted.length / elapsedS,
  };
}

export function describeLoad(label: string, result: LoadResult): string {
  const codes = [...result.statuses].map(([code, n]) => `${code === 0 ? 'error' : code}×${n}`);
  return `${label.padEnd(34)} ${String(result.requests).padStart(6)} requests  ${result.requestsPerS.toFixed(0).padStart(5)}/s  p50 ${result.p50Ms.toFixed(2).padStart(7)} ms  p99 ${result.p99Ms.toFixed(2).padStart(7)} ms  max ${result.maxMs.toFixed(1).padStart(7)} ms  [${codes.join(', ')}]`;
}
