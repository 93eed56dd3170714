import type { StatusJson, VersionJson } from '../store/summaries.js';

export { statusJson, versionsJson, type StatusJson, type VersionJson } from '../store/summaries.js';

const pct = (value: number | null): string =>
  value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;

export function renderVersions(versions: readonly VersionJson[]): string {
  if (versions.length === 0) return 'no version adopted yet';
  const lines = [
    'version  attempt          adopted at                vs previous  vs jpeg    vs x264    vs x265    vs vp9     vs av1     worst block',
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
        pct(v.bd_rate.x265).padEnd(10),
        pct(v.bd_rate.vp9).padEnd(10),
        pct(v.bd_rate.av1).padEnd(10),
        v.worst_block_psnr_y_db === null ? 'n/a' : `${v.worst_block_psnr_y_db.toFixed(2)} dB`,
      ].join(' '),
    );
  }
  return lines.join('\n');
}

export function renderModels(models: StatusJson['models']): string[] {
  if (models.length === 0) return [];
  const lines = [
    'model                attempts  success  adopted  BD pts    dollars   out tokens  $/BD pt',
  ];
  for (const m of models) {
    lines.push(
      [
        m.name.slice(0, 20).padEnd(20),
        String(m.attempts).padStart(8),
        (m.success_rate === null ? 'n/a' : `${(m.success_rate * 100).toFixed(0)} %`).padStart(8),
        String(m.adoptions).padStart(8),
        m.bd_rate_points_gained.toFixed(2).padStart(7),
        `$${m.dollars.toFixed(4)}`.padStart(10),
        String(m.output_tokens).padStart(12),
        (m.dollars_per_bd_rate_point === null
          ? 'n/a'
          : `$${m.dollars_per_bd_rate_point.toFixed(4)}`
        ).padStart(9),
      ].join(' '),
    );
  }
  return ['', ...lines];
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
    `attempts ${status.attempts}: ${status.successes} ok, ${status.failures} failed (success rate ${rate}); ${status.attempts_by_origin.run} by run, ${status.attempts_by_origin.evaluate} by evaluate`,
    `stopped early (ok, not errors): ${status.screened} screened out (worse, stopped early), ${status.duplicate_behaviours} without behavioural change`,
    `failures by category: ${categories || 'none'}`,
    `time to first success: ${status.time_to_first_success_s === null ? 'no success yet' : `${status.time_to_first_success_s.toFixed(0)} s`}`,
    `best: ${best ? `v${best.version} (attempt ${best.attempt_id}), vs jpeg ${pct(best.bd_rate.jpeg)}, vs x264 ${pct(best.bd_rate.x264)}` : 'no version adopted yet'}`,
    `tuning: ${status.tuning.attempts} attempts tuned, ${status.tuning.evaluations} proxy evaluations, ${status.tuning.wall_s.toFixed(0)} s`,
    `cost so far: $${status.cost.dollars.toFixed(2)} (${status.cost.input_tokens} input, ${status.cost.output_tokens} output tokens)`,
    ...renderModels(status.models),
    '',
    renderVersions(status.versions),
  ].join('\n');
}
