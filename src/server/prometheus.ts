/**
 * /metrics in the Prometheus text format (version 0.0.4). Pure: the route gathers the figures
 * from the store, the loop control and the live registry, and this writes them out.
 */
import { ANCHOR_NAMES, type AnchorName } from '../anchors/anchor-point.js';
import type { ModelFiguresJson } from '../store/model-figures.js';
import type { StoreTotals } from '../store/store.js';
import { DURATION_BUCKETS_S, type Histogram, type LiveMetrics } from './live-metrics.js';

export interface MetricsInput {
  readonly totals: StoreTotals;
  /** The best version's BD-rates (percent) against each anchor; null when not measured. */
  readonly best: {
    readonly version: number;
    readonly bdRatePct: Readonly<Record<AnchorName, number | null>>;
  } | null;
  /** Per-model figures (store/model-figures.ts), one label `model` each; default none. */
  readonly models?: readonly ModelFiguresJson[];
  /** Present only when the loop runs in this process. */
  readonly loop: {
    readonly state: string;
    readonly inFlight: number;
    readonly live: LiveMetrics;
  } | null;
}

const label = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const num = (value: number): string =>
  Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';

class Writer {
  readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels: Record<string, string> = {}): this {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
    this.lines.push(`${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${num(value)}`);
    return this;
  }

  histogram(name: string, help: string, histogram: Histogram): this {
    this.family(name, 'histogram', help);
    DURATION_BUCKETS_S.forEach((bound, i) =>
      this.sample(`${name}_bucket`, histogram.counts[i]!, { le: String(bound) }),
    );
    return this.sample(`${name}_bucket`, histogram.count, { le: '+Inf' })
      .sample(`${name}_sum`, histogram.sum)
      .sample(`${name}_count`, histogram.count);
  }
}

export function renderMetrics(input: MetricsInput): string {
  const { totals, best, loop } = input;
  const w = new Writer();
  w.family(
    'codec_lab_attempts_total',
    'counter',
    'Stored attempts by outcome and failure category.',
  );
  w.sample('codec_lab_attempts_total', totals.successes, { outcome: 'success', category: 'none' });
  for (const [category, count] of Object.entries(totals.failuresByCategory).sort()) {
    w.sample('codec_lab_attempts_total', count ?? 0, { outcome: 'failure', category });
  }
  w.family('codec_lab_generation_failures_total', 'counter', 'Responses without usable code.');
  w.sample('codec_lab_generation_failures_total', totals.generationFailures);
  w.family(
    'codec_lab_success_rate',
    'gauge',
    'Successful attempts / all attempts (NaN before the first).',
  );
  w.sample(
    'codec_lab_success_rate',
    totals.attempts > 0 ? totals.successes / totals.attempts : Number.NaN,
  );
  w.family('codec_lab_versions', 'gauge', 'Adopted codec versions.');
  w.sample('codec_lab_versions', totals.versions);
  w.family('codec_lab_llm_tokens_total', 'counter', 'LLM tokens of stored attempts, by kind.');
  w.sample('codec_lab_llm_tokens_total', totals.cost.inputTokens, { kind: 'input' });
  w.sample('codec_lab_llm_tokens_total', totals.cost.outputTokens, { kind: 'output' });
  w.sample('codec_lab_llm_tokens_total', totals.cost.cacheReadTokens, { kind: 'cache_read' });
  w.sample('codec_lab_llm_tokens_total', totals.cost.cacheWriteTokens, { kind: 'cache_write' });
  w.family('codec_lab_llm_cost_dollars_total', 'counter', 'LLM API cost of stored attempts, USD.');
  w.sample('codec_lab_llm_cost_dollars_total', totals.cost.dollars);
  modelSamples(w, input.models ?? []);
  if (best !== null) {
    w.family(
      'codec_lab_best_bd_rate_percent',
      'gauge',
      'BD-rate of the best version against each anchor, percent (negative: fewer bits).',
    );
    for (const anchor of ANCHOR_NAMES) {
      const value = best.bdRatePct[anchor];
      if (value !== null) {
        w.sample('codec_lab_best_bd_rate_percent', value, {
          anchor,
          version: String(best.version),
        });
      }
    }
  }
  if (loop !== null) {
    w.family(
      'codec_lab_evaluations_in_flight',
      'gauge',
      'Iterations being generated or evaluated now.',
    );
    w.sample('codec_lab_evaluations_in_flight', loop.inFlight);
    w.family('codec_lab_loop_paused', 'gauge', '1 while an admin has paused the loop.');
    w.sample('codec_lab_loop_paused', loop.state === 'paused' ? 1 : 0);
    w.family(
      'codec_lab_iterations_total',
      'counter',
      'Iterations finished since this process started, by outcome.',
    );
    for (const [outcome, count] of [...loop.live.iterations].sort()) {
      w.sample('codec_lab_iterations_total', count, { outcome });
    }
    w.histogram(
      'codec_lab_sandbox_duration_seconds',
      'Evaluation time of an attempt (sandbox runs: validate, smoke, sweep, holdout) since this process started.',
      loop.live.evaluationSeconds,
    );
    w.histogram(
      'codec_lab_generation_duration_seconds',
      'Generation time of an attempt since this process started.',
      loop.live.generationSeconds,
    );
  }
  return `${w.lines.join('\n')}\n`;
}

/** The per-model families, labelled `model` (the ensemble member, or the model id). */
function modelSamples(w: Writer, models: readonly ModelFiguresJson[]): void {
  if (models.length === 0) return;
  const families: [string, 'counter' | 'gauge', string, (m: ModelFiguresJson) => number | null][] =
    [
      [
        'codec_lab_model_attempts_total',
        'counter',
        "The loop's attempts, by model.",
        (m) => m.attempts,
      ],
      [
        'codec_lab_model_successes_total',
        'counter',
        'Passing attempts, by model.',
        (m) => m.successes,
      ],
      [
        'codec_lab_model_success_rate',
        'gauge',
        'Passing / all attempts, by model.',
        (m) => m.success_rate,
      ],
      [
        'codec_lab_model_adoptions_total',
        'counter',
        'Adopted attempts, by model.',
        (m) => m.adoptions,
      ],
      [
        'codec_lab_model_cost_dollars_total',
        'counter',
        'LLM API cost, USD, by model.',
        (m) => m.dollars,
      ],
      [
        'codec_lab_model_output_tokens_total',
        'counter',
        'Output tokens, by model.',
        (m) => m.output_tokens,
      ],
      [
        'codec_lab_model_bd_rate_points_gained',
        'gauge',
        'BD-rate points its adopted attempts gained on the incumbent, by model.',
        (m) => m.bd_rate_points_gained,
      ],
      [
        'codec_lab_model_dollars_per_bd_rate_point',
        'gauge',
        'Dollars per BD-rate point gained, by model (absent while it gained none).',
        (m) => m.dollars_per_bd_rate_point,
      ],
    ];
  for (const [name, type, help, value] of families) {
    w.family(name, type, help);
    for (const model of models) {
      const figure = value(model);
      if (figure !== null) w.sample(name, figure, { model: model.name });
    }
  }
}
