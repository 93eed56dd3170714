/**
 * The dashboard's success/failure chart (docs/ARCHITECTURE.md §7.3): attempts per time slice,
 * stacked as succeeded and failed, with the success rate on a second axis. Pure.
 */
import type { TopLevelSpec } from 'vega-lite';

/** One time slice, as `GET /api/timeline` answers it. */
export interface TimelineSlice {
  readonly start: string;
  readonly end: string;
  readonly attempts: number;
  readonly successes: number;
  readonly failures: number;
  readonly success_rate: number | null;
}

export const OUTCOME_COLOURS = { succeeded: '#59a14f', failed: '#e15759' } as const;

export function timelineChartSpec(slices: readonly TimelineSlice[]): TopLevelSpec {
  const bars = slices.flatMap((slice) =>
    (['succeeded', 'failed'] as const).map((outcome) => ({
      start: slice.start,
      end: slice.end,
      outcome,
      count: outcome === 'succeeded' ? slice.successes : slice.failures,
      // Stacked here: failures sit on top of the successes of the same slice.
      stack_low: outcome === 'succeeded' ? 0 : slice.successes,
      stack_high: outcome === 'succeeded' ? slice.successes : slice.attempts,
      attempts: slice.attempts,
    })),
  );
  const rates = slices
    .filter((slice) => slice.success_rate !== null)
    .map((slice) => ({
      start: slice.start,
      end: slice.end,
      middle: new Date((Date.parse(slice.start) + Date.parse(slice.end)) / 2).toISOString(),
      success_rate: slice.success_rate,
      attempts: slice.attempts,
    }));
  const axis = { title: 'time (local)', grid: true, labelOverlap: true, tickCount: 8 } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    width: 'container',
    height: 220,
    padding: 8,
    resolve: { scale: { y: 'independent' } },
    layer: [
      {
        name: 'outcomes',
        data: { values: bars },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'start', type: 'temporal', axis },
          x2: { field: 'end' },
          y: {
            field: 'stack_low',
            type: 'quantitative',
            axis: { title: 'attempts per slice', grid: true, tickMinStep: 1, format: 'd' },
          },
          y2: { field: 'stack_high' },
          color: {
            field: 'outcome',
            type: 'nominal',
            scale: {
              domain: ['succeeded', 'failed'],
              range: [OUTCOME_COLOURS.succeeded, OUTCOME_COLOURS.failed],
            },
            legend: { title: null, orient: 'top' },
          },
          tooltip: [
            { field: 'outcome', type: 'nominal', title: 'outcome' },
            { field: 'count', type: 'quantitative', title: 'attempts' },
            { field: 'attempts', type: 'quantitative', title: 'in the slice' },
            { field: 'start', type: 'temporal', title: 'slice start', format: '%Y-%m-%d %H:%M:%S' },
            { field: 'end', type: 'temporal', title: 'slice end', format: '%Y-%m-%d %H:%M:%S' },
          ],
        },
      },
      {
        name: 'rate',
        data: { values: rates },
        mark: {
          type: 'line',
          point: { filled: true, color: '#1d2330' },
          color: '#1d2330',
        },
        encoding: {
          x: { field: 'middle', type: 'temporal', axis },
          y: {
            field: 'success_rate',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            axis: { title: 'success rate', orient: 'right', format: '.0%', grid: false },
          },
          tooltip: [
            { field: 'success_rate', type: 'quantitative', title: 'success rate', format: '.1%' },
            { field: 'attempts', type: 'quantitative', title: 'attempts' },
            { field: 'start', type: 'temporal', title: 'slice start', format: '%Y-%m-%d %H:%M:%S' },
          ],
        },
      },
    ],
  };
}
