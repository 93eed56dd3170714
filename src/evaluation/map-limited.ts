/**
 * Runs `work` over `items` with at most `limit` in flight, keeping order. Once a result
 * satisfies `stop`, no further item is started (those slots stay undefined).
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  stop: (result: R) => boolean = () => false,
): Promise<Array<R | undefined>> {
  const results = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let stopped = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !stopped) {
      const index = next++;
      const result = await work(items[index] as T);
      results[index] = result;
      if (stop(result)) stopped = true;
    }
  });
  await Promise.all(workers);
  return results;
}
