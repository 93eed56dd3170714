/**
 * How many containers the warm pool keeps started, for an evaluation plan. Pure.
 *
 * The per-point protocol runs many short containers (44 per candidate on the dev set), so a
 * deep pool hides each one's start-up. The batched plan runs few, longer containers (13), at
 * most `containersInFlight` at once: one warm replacement per slot is all it can use, and every
 * container warmed beyond that imports numpy and cv2 (about a CPU-second) on the cores the runs
 * need. So the pool follows the plan's concurrency, never above what was configured.
 */
export function warmPoolSize(
  configured: number,
  plan: { readonly batching: boolean; readonly containersInFlight: number },
): number {
  if (!plan.batching) return configured;
  return Math.min(configured, Math.max(1, plan.containersInFlight));
}
