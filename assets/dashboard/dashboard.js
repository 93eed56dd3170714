/* global document, window, fetch, setTimeout, URLSearchParams */
// The codec-lab dashboard. Every value shown comes from the JSON API and may be text an LLM
// wrote: it is only ever put into the page with textContent or as an SVG attribute value set
// through setAttribute on elements this script creates — never parsed as HTML.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const POLL_MS = Number(new URLSearchParams(window.location.search).get('poll_ms')) || 5000;
const COLOURS = { best: '#d1495b', jpeg: '#8d99ae', x264: '#2e86ab', x265: '#3c9d5d' };

/** An HTML element with text content only. */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
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
  fillTable(
    'categories',
    Object.entries(status.failures_by_category)
      .sort((a, b) => b[1] - a[1])
      .map(([category, count]) => row([category, count])),
  );
}

function renderTimeline(data) {
  const box = document.getElementById('chart-timeline');
  const buckets = data.buckets;
  const width = 720;
  const height = 220;
  const pad = { left: 40, right: 40, top: 10, bottom: 30 };
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'attempts per time slice: successes and failures, with the success rate',
    'data-buckets': buckets.length,
  });
  if (buckets.length === 0) {
    chart.append(
      svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no attempts yet'),
    );
    box.replaceChildren(chart);
    return;
  }
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const most = Math.max(1, ...buckets.map((b) => b.attempts));
  const slot = innerW / buckets.length;
  const y = (count) => pad.top + innerH - (count / most) * innerH;
  chart.append(
    svg('line', {
      x1: pad.left,
      y1: pad.top + innerH,
      x2: width - pad.right,
      y2: pad.top + innerH,
      stroke: '#999',
    }),
  );
  chart.append(svg('text', { x: pad.left - 6, y: pad.top + 8, 'text-anchor': 'end' }, most));
  chart.append(svg('text', { x: pad.left - 6, y: pad.top + innerH, 'text-anchor': 'end' }, 0));
  chart.append(svg('text', { x: width - pad.right + 4, y: pad.top + 8 }, '100%'));
  const rate = [];
  buckets.forEach((bucket, i) => {
    const x = pad.left + i * slot + slot * 0.1;
    const w = slot * 0.8;
    const ok = svg('rect', {
      x,
      y: y(bucket.successes),
      width: w,
      height: pad.top + innerH - y(bucket.successes),
      fill: '#3c9d5d',
      class: 'bar-success',
      'data-count': bucket.successes,
    });
    ok.append(svg('title', {}, `${bucket.successes} succeeded, ${when(bucket.start)}`));
    const bad = svg('rect', {
      x,
      y: y(bucket.attempts),
      width: w,
      height: y(bucket.successes) - y(bucket.attempts),
      fill: '#d1495b',
      class: 'bar-failure',
      'data-count': bucket.failures,
    });
    bad.append(svg('title', {}, `${bucket.failures} failed, ${when(bucket.start)}`));
    chart.append(ok, bad);
    if (bucket.success_rate !== null) {
      rate.push(`${x + w / 2},${pad.top + innerH - bucket.success_rate * innerH}`);
    }
  });
  if (rate.length > 0) {
    chart.append(
      svg('polyline', {
        points: rate.join(' '),
        fill: 'none',
        stroke: '#1d2330',
        'stroke-width': 2,
        class: 'rate-line',
      }),
    );
  }
  chart.append(svg('text', { x: pad.left, y: height - 8 }, when(buckets[0].start)));
  chart.append(
    svg(
      'text',
      { x: width - pad.right, y: height - 8, 'text-anchor': 'end' },
      when(buckets[buckets.length - 1].end),
    ),
  );
  const legend = [
    ['#3c9d5d', 'succeeded'],
    ['#d1495b', 'failed'],
    ['#1d2330', 'success rate'],
  ];
  legend.forEach(([colour, name], i) => {
    chart.append(
      svg('rect', { x: pad.left + 10 + i * 110, y: pad.top, width: 10, height: 10, fill: colour }),
    );
    chart.append(svg('text', { x: pad.left + 24 + i * 110, y: pad.top + 9 }, name));
  });
  box.replaceChildren(chart);
}

/** One RD chart: luma PSNR against bitrate (log scale), one polyline per series. */
function rdChart(title, series) {
  const width = 420;
  const height = 280;
  const pad = { left: 46, right: 12, top: 24, bottom: 36 };
  const all = series.flatMap((s) => s.points).filter((p) => p.bitrate_kbps > 0);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': title,
    'data-clip': title,
  });
  chart.append(svg('text', { x: pad.left, y: 14 }, title));
  if (all.length === 0) return chart;
  const lx = all.map((p) => Math.log10(p.bitrate_kbps));
  const ys = all.map((p) => p.psnr_y_db);
  const [x0, x1] = [Math.min(...lx), Math.max(...lx) + 1e-9];
  const [y0, y1] = [Math.floor(Math.min(...ys)) - 1, Math.ceil(Math.max(...ys)) + 1];
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const px = (kbps) => pad.left + ((Math.log10(kbps) - x0) / (x1 - x0)) * innerW;
  const py = (db) => pad.top + innerH - ((db - y0) / (y1 - y0)) * innerH;
  chart.append(
    svg('rect', {
      x: pad.left,
      y: pad.top,
      width: innerW,
      height: innerH,
      fill: 'none',
      stroke: '#ccc',
    }),
  );
  chart.append(svg('text', { x: pad.left, y: height - 20 }, `${(10 ** x0).toFixed(0)} kbps`));
  chart.append(
    svg(
      'text',
      { x: width - pad.right, y: height - 20, 'text-anchor': 'end' },
      `${(10 ** x1).toFixed(0)} kbps`,
    ),
  );
  chart.append(svg('text', { x: pad.left - 4, y: pad.top + 10, 'text-anchor': 'end' }, y1));
  chart.append(svg('text', { x: pad.left - 4, y: pad.top + innerH, 'text-anchor': 'end' }, y0));
  chart.append(
    svg(
      'text',
      { x: pad.left + innerW / 2, y: height - 4, 'text-anchor': 'middle' },
      'bitrate (log) → luma PSNR (dB) ↑',
    ),
  );
  series.forEach((s, i) => {
    const points = s.points
      .filter((p) => p.bitrate_kbps > 0)
      .slice()
      .sort((a, b) => a.bitrate_kbps - b.bitrate_kbps);
    const line = svg('polyline', {
      points: points
        .map((p) => `${px(p.bitrate_kbps).toFixed(1)},${py(p.psnr_y_db).toFixed(1)}`)
        .join(' '),
      fill: 'none',
      stroke: s.colour,
      'stroke-width': s.name === 'best' ? 2.5 : 1.5,
      class: 'rd-series',
      'data-series': s.label,
      'data-points': points.length,
    });
    chart.append(line);
    for (const p of points) {
      const dot = svg('circle', {
        cx: px(p.bitrate_kbps),
        cy: py(p.psnr_y_db),
        r: 2.5,
        fill: s.colour,
      });
      dot.append(
        svg(
          'title',
          {},
          `${s.label}: ${p.bitrate_kbps.toFixed(1)} kbps, ${p.psnr_y_db.toFixed(2)} dB`,
        ),
      );
      chart.append(dot);
    }
    chart.append(
      svg('rect', {
        x: pad.left + 8,
        y: pad.top + 6 + i * 14,
        width: 10,
        height: 3,
        fill: s.colour,
      }),
    );
    chart.append(svg('text', { x: pad.left + 22, y: pad.top + 11 + i * 14 }, s.label));
  });
  return chart;
}

async function renderRd(status, anchors) {
  const box = document.getElementById('chart-rd');
  const best = status.versions[status.versions.length - 1];
  if (!best) {
    setText('rd-note', 'no version adopted yet: the anchors alone');
  }
  const attempt = best
    ? await getJson(`/api/attempts/${encodeURIComponent(best.attempt_id)}`)
    : null;
  const clips = attempt && attempt.metrics ? attempt.metrics.clips : [];
  const charts = [];
  let matched = 0;
  for (const clip of clips) {
    const row = anchors.clips.find(
      (a) =>
        a.clip === clip.clip &&
        a.width === clip.width &&
        a.height === clip.height &&
        a.frames === clip.frames,
    );
    const series = [
      { name: 'best', label: `v${best.version}`, colour: COLOURS.best, points: clip.points },
    ];
    if (row) {
      matched += 1;
      for (const name of ['jpeg', 'x264', 'x265']) {
        if (row.anchors[name])
          series.push({ name, label: name, colour: COLOURS[name], points: row.anchors[name] });
      }
    }
    charts.push(
      rdChart(`${clip.clip} (${clip.width}x${clip.height}, ${clip.frames} frames)`, series),
    );
  }
  if (!best) {
    for (const row of anchors.clips.slice(0, 4)) {
      const series = ['jpeg', 'x264', 'x265']
        .filter((name) => row.anchors[name])
        .map((name) => ({ name, label: name, colour: COLOURS[name], points: row.anchors[name] }));
      charts.push(
        rdChart(`${row.clip} (${row.width}x${row.height}, ${row.frames} frames)`, series),
      );
    }
  } else {
    setText(
      'rd-note',
      `v${best.version} (attempt ${best.attempt_id}) on ${clips.length} clip(s); anchors measured on the same clip for ${matched}`,
    );
  }
  box.replaceChildren(...charts);
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
  const [status, timeline, failures, report, anchors] = await Promise.all([
    getJson('/api/status'),
    getJson('/api/timeline?buckets=24'),
    getJson('/api/attempts?ok=false&limit=10'),
    getJson('/api/reports/latest'),
    getJson('/api/anchors'),
  ]);
  renderStatus(status);
  renderTimeline(timeline);
  renderFailures(failures);
  renderReport(report);
  await renderRd(status, anchors);
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
