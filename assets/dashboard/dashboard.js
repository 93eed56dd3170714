/* global document, window, fetch, setTimeout, URLSearchParams */
// The codec-lab dashboard. Every value shown comes from the JSON API and may be text an LLM
// wrote: it is only ever put into the page with textContent, or drawn by Vega as chart data
// (SVG text and attribute values) — never parsed as HTML.
'use strict';

const POLL_MS = Number(new URLSearchParams(window.location.search).get('poll_ms')) || 5000;

/** An HTML element with text content only. */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

const pct = (value) =>
  value === null || value === undefined ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const shorten = (text, max) => (text && text.length > max ? `${text.slice(0, max)}…` : text || '');

async function getJson(path, options) {
  const response = await fetch(path, { cache: 'no-store', ...options });
  if (response.status === 404 && !options) return null;
  const body = await response.json();
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows);
}

function row(cells, className) {
  const tr = el('tr', null, className);
  for (const cell of cells) {
    if (cell instanceof window.Node) tr.append(cell);
    else tr.append(el('td', cell));
  }
  return tr;
}

function renderStatus(status) {
  const loop = status.loop;
  setText(
    'loop-state',
    loop
      ? `loop ${loop.state}, ${loop.in_flight} in flight`
      : status.running
        ? 'a run is working'
        : 'no run',
  );
  setText('stat-attempts', status.attempts);
  setText(
    'stat-origins',
    `${status.attempts_by_origin.run} by run, ${status.attempts_by_origin.evaluate} by evaluate`,
  );
  setText(
    'stat-success-rate',
    status.success_rate === null ? 'n/a' : `${(status.success_rate * 100).toFixed(1)} %`,
  );
  setText('stat-failures', status.failures);
  setText('stat-screened', `${status.screened} screened out (worse, stopped early)`);
  setText('stat-unchanged', `${status.duplicate_behaviours} without behavioural change`);
  setText('stat-versions', status.versions.length);
  const best = status.versions[status.versions.length - 1];
  setText('stat-best-jpeg', best ? pct(best.bd_rate.jpeg) : 'n/a');
  setText('stat-best-x264', best ? pct(best.bd_rate.x264) : 'n/a');
  setText('stat-cost', `$${status.cost.dollars.toFixed(2)}`);
  setText(
    'stat-tokens',
    `${status.cost.input_tokens} in / ${status.cost.output_tokens} out tokens`,
  );
  setText(
    'stat-first-success',
    status.time_to_first_success_s === null
      ? 'none yet'
      : `${status.time_to_first_success_s.toFixed(0)} s`,
  );
  fillTable(
    'versions',
    status.versions.map((v) =>
      row([
        `v${v.version}`,
        v.attempt_id,
        when(v.adopted_at),
        pct(v.bd_rate.previous),
        pct(v.bd_rate.jpeg),
        pct(v.bd_rate.x264),
        pct(v.bd_rate.x265),
        pct(v.bd_rate.vp9),
        pct(v.bd_rate.av1),
      ]),
    ),
  );
  const models = status.models || [];
  setText(
    'models-note',
    `${models.length} model${models.length === 1 ? '' : 's'} wrote the loop's attempts; BD points: BD-rate points gained on the incumbent by adopted attempts`,
  );
  fillTable(
    'models',
    models.map((m) =>
      row([
        m.name,
        m.attempts,
        m.success_rate === null ? 'n/a' : `${(m.success_rate * 100).toFixed(0)} %`,
        m.adoptions,
        m.bd_rate_points_gained.toFixed(2),
        `$${m.dollars.toFixed(4)}`,
        m.output_tokens,
        m.dollars_per_bd_rate_point === null ? 'n/a' : `$${m.dollars_per_bd_rate_point.toFixed(4)}`,
      ]),
    ),
  );
  fillTable(
    'categories',
    Object.entries(status.failures_by_category)
      .sort((a, b) => b[1] - a[1])
      .map(([category, count]) => row([category, count])),
  );
}

/**
 * Charts: Vega-Lite specs built by the server (the same code as `codec-lab plot`), compiled and
 * drawn here by the Vega and Vega-Lite builds the server serves. A chart is redrawn only when
 * its spec changed. Values reach the page as SVG text and the tooltip's textContent only.
 */
const charts = new Map();

function showTooltip(handler, event, item, value) {
  const tip = document.getElementById('chart-tooltip');
  if (value === null || value === undefined || value === '') {
    tip.hidden = true;
    return;
  }
  const lines =
    typeof value === 'object'
      ? Object.entries(value).map(([name, v]) => `${name}: ${v}`)
      : [String(value)];
  tip.replaceChildren(...lines.map((line) => el('div', line)));
  tip.hidden = false;
  tip.style.left = `${event.pageX + 14}px`;
  tip.style.top = `${event.pageY + 14}px`;
}

async function drawChart(id, spec) {
  const box = document.getElementById(id);
  const json = JSON.stringify(spec);
  const known = charts.get(id);
  if (known && known.json === json) return;
  if (known && known.view) known.view.finalize();
  if (spec === null) {
    charts.set(id, { json, view: null });
    box.replaceChildren();
    delete box.dataset.rendered;
    return;
  }
  const compiled = window.vegaLite.compile(spec).spec;
  // ast + the interpreter: no expression is compiled with Function (the CSP forbids eval).
  const runtime = window.vega.parse(compiled, null, { ast: true });
  const view = new window.vega.View(runtime, {
    renderer: 'svg',
    expr: window.vegaInterpreter.expressionInterpreter,
  });
  view.initialize(box).hover().tooltip(showTooltip);
  charts.set(id, { json, view });
  await view.runAsync();
  box.dataset.rendered = String(Number(box.dataset.rendered || 0) + 1);
}

async function renderTimeline(chart) {
  await drawChart('chart-timeline', chart.slices > 0 ? chart.spec : null);
  setText('timeline-note', chart.slices > 0 ? '' : 'no attempts yet');
}

async function renderRd(chart) {
  setText('rd-note', [chart.note, ...chart.notes].join('; '));
  await drawChart('chart-rd', chart.spec);
}

function renderReport(latest) {
  if (latest === null) {
    setText('governance-verdict', 'no self-governance report yet');
    document.getElementById('recommendations').replaceChildren();
    document.getElementById('action-items').replaceChildren();
    return;
  }
  const { report } = latest;
  const status = report.system_status;
  setText(
    'governance-verdict',
    `${status.code_evolution_working ? 'working' : 'NOT working'}: ${status.verdict} (report of ${when(report.generated_at)})`,
  );
  // Whether each recommendation is in the prompt, waiting for the trigger, or dropped.
  const statusOf = new Map(report.action_items.map((a) => [a.recommendation_key, a.status]));
  document.getElementById('recommendations').replaceChildren(
    ...report.failure_analysis.recommendations.map((r) => {
      const item = el('li');
      item.append(
        el(
          'strong',
          `[${r.severity}] ${r.issue} ×${r.count} (${statusOf.get(r.key) ?? 'open'}, revision ${r.revision}): `,
        ),
        el('span', r.description),
        el('div', `fix: ${r.fix}`, 'muted'),
      );
      return item;
    }),
  );
  document
    .getElementById('action-items')
    .replaceChildren(
      ...report.action_items.map((a) => el('li', `${a.priority}. [${a.status}] ${a.title}`)),
    );
}

/** Early endings are no errors: screened out is worse, a duplicate changed nothing. */
function attemptOutcome(attempt) {
  if (attempt.ended_early === 'screen') return 'worse, stopped early at screening';
  if (attempt.ended_early === 'duplicate_behaviour') {
    return `no behavioural change (same output as attempt ${attempt.duplicate_of})`;
  }
  return `${attempt.stage} ${attempt.category || ''}`;
}

async function showAttempt(id) {
  const attempt = await getJson(`/api/attempts/${encodeURIComponent(id)}`);
  if (attempt === null) return;
  document.getElementById('attempt-detail').hidden = false;
  setText('detail-title', `attempt ${attempt.id} (${attempt.origin}): ${attemptOutcome(attempt)}`);
  setText(
    'detail-failure',
    [attempt.failure_message, attempt.traceback].filter(Boolean).join('\n\n'),
  );
  setText('detail-code', attempt.code);
  setText('detail-response', attempt.raw_response);
  setText('detail-log', attempt.log);
}

function renderFailures(page) {
  fillTable(
    'failures',
    page.attempts.map((a) => {
      const tr = row(
        [
          a.id,
          when(a.created_at),
          a.origin,
          a.stage,
          a.category || '',
          el('td', shorten(a.failure_message, 300), 'message'),
        ],
        'clickable',
      );
      tr.dataset.attemptId = a.id;
      tr.addEventListener('click', () => {
        showAttempt(a.id).catch(showError);
      });
      return tr;
    }),
  );
}

function showError(error) {
  const node = document.getElementById('error');
  node.hidden = false;
  node.textContent = String(error && error.message ? error.message : error);
}

async function refresh() {
  const [status, timeline, failures, report, rd] = await Promise.all([
    getJson('/api/status'),
    getJson('/api/charts/timeline?buckets=24'),
    getJson('/api/attempts?ok=false&limit=10'),
    getJson('/api/reports/latest'),
    getJson('/api/charts/rd'),
  ]);
  renderStatus(status);
  renderFailures(failures);
  renderReport(report);
  await renderTimeline(timeline);
  await renderRd(rd);
  document.getElementById('error').hidden = true;
  setText('updated', `updated ${new Date().toLocaleTimeString()}`);
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

async function admin(path, body) {
  const token = document.getElementById('admin-token').value;
  const response = await fetch(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body || {}),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : `HTTP ${response.status}`);
  return data;
}

function wireAdmin() {
  for (const action of ['pause', 'resume', 'stop']) {
    document.getElementById(`btn-${action}`).addEventListener('click', () => {
      admin(`/api/control/${action}`)
        .then((data) => setText('admin-result', `loop ${data.state}, ${data.in_flight} in flight`))
        .catch((error) => setText('admin-result', error.message));
    });
  }
  document.getElementById('btn-ask').addEventListener('click', () => {
    const question = document.getElementById('chat-question').value;
    setText('chat-answer', '…');
    admin('/api/chat', { question })
      .then((data) => setText('chat-answer', data.answer))
      .catch((error) => setText('chat-answer', error.message));
  });
}

function loop() {
  refresh()
    .catch(showError)
    .finally(() => setTimeout(loop, POLL_MS));
}

document.addEventListener('DOMContentLoaded', () => {
  wireAdmin();
  loop();
});
