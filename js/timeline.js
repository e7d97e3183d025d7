// A status timeline (SPEC S6): one lane per user, coloured by status, drawn
// as plain SVG from the server's status report (`GET /reports/status`).
// Its own entry point (`ringside/timeline`): agent desks never load it.

const SVG = 'http://www.w3.org/2000/svg';
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** Tick spacings to choose from, so that an axis has at most 12 ticks (a report spans at most 31 days). */
const STEPS = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);
const LABEL_WIDTH = 96;
const AXIS_HEIGHT = 22;

/**
 * Fetches the status report of a team (or one user) for [from, to], in
 * server milliseconds. Rejects with an `Error` carrying the server's `code`,
 * or `report_failed` when the answer names none (no answer, one that is not
 * a report: a proxy's page, say).
 * @type {typeof import('./timeline.js').fetchStatusReport}
 */
export async function fetchStatusReport({ token, team, user, from, to, origin = globalThis.location?.origin }) {
  const query = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.floor(to)), format: 'json' });
  if (team) query.set('team', team);
  else if (user) query.set('user', user);
  const failed = (/** @type {string} */ why, code = 'report_failed') => Object.assign(new Error(`the status report failed: ${why}`), { code });
  /** @type {Response} */
  let response;
  try {
    response = await fetch(new URL(`/reports/status?${query}`, origin), { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw failed(String(error));
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw body?.code ? failed(body.message, body.code) : failed(`HTTP ${response.status}`);
  if (!Array.isArray(body?.rows)) throw failed('the answer is not a status report');
  return body;
}

/**
 * Draws a report into `target`, replacing what it holds: a lane per user
 * in the report's order, a bar per status held (its `<title>` and a
 * tooltip on hover give the status, secondary status and times), an axis
 * of at most 12 ticks on round local minutes, hours or days, and a
 * legend. A status still held is drawn up to `now`. Returns the `<svg>`.
 * @type {typeof import('./timeline.js').drawTimeline}
 */
export function drawTimeline(target, report, { now = Date.now(), width = 960, laneHeight = 22 } = {}) {
  const doc = target.ownerDocument;
  /**
   * @param {string} name
   * @param {Record<string, string | number>} [attributes]
   * @param {string} [text]
   */
  const el = (name, attributes = {}, text) => {
    const node = doc.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const { from, to } = report;
  const users = [...new Set(report.rows.map((row) => row.user))];
  const height = AXIS_HEIGHT + users.length * laneHeight + 4;
  const span = Math.max(1, to - from);
  const x = (/** @type {number} */ t) => LABEL_WIDTH + ((Math.min(Math.max(t, from), to) - from) / span) * (width - LABEL_WIDTH - 8);
  const svg = /** @type {SVGSVGElement} */ (el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', class: 'ringside-timeline',
    'aria-label': `Statuses from ${when(from)} to ${when(to)}` }));
  svg.style.font = '11px system-ui, sans-serif';

  const axis = el('g', { class: 'axis' });
  const { step, times } = ticks(from, to);
  for (const tick of times) {
    const at = x(tick);
    // Ticks a day or more apart fall on midnight: they name the day.
    const label = step >= DAY ? new Date(tick).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : clock(tick);
    axis.append(el('line', { x1: at, x2: at, y1: AXIS_HEIGHT - 4, y2: height, stroke: '#d0d7de' }),
      el('text', { x: at, y: AXIS_HEIGHT - 8, 'text-anchor': 'middle', fill: '#57606a' }, label));
  }
  svg.append(axis);

  users.forEach((user, lane) => {
    const y = AXIS_HEIGHT + lane * laneHeight;
    const group = el('g', { class: 'lane', 'data-user': user });
    group.append(el('rect', { x: LABEL_WIDTH, y: y + 3, width: width - LABEL_WIDTH - 8, height: laneHeight - 6, fill: '#f6f8fa' }),
      el('text', { x: LABEL_WIDTH - 6, y: y + laneHeight / 2 + 4, 'text-anchor': 'end', fill: '#1f2328' }, user));
    for (const row of report.rows.filter((r) => r.user === user)) {
      const end = Math.min(row.to, now, to);
      if (end <= row.from) continue;
      const left = x(row.from);
      const tip = `${user}: ${row.label}${row.secondary ? ` (${row.secondary})` : ''}${row.automatic ? ', set automatically' : ''}, `
        + `${clock(row.from, true)}–${clock(row.to, true)}`;
      const bar = el('rect', { x: left, y: y + 3, width: Math.max(1, x(end) - left), height: laneHeight - 6, fill: row.colour,
        class: 'segment', 'data-status': row.status, 'data-tip': tip });
      bar.append(el('title', {}, tip));
      group.append(bar);
    }
    svg.append(group);
  });

  const legend = doc.createElement('div');
  legend.className = 'ringside-timeline-legend';
  const seen = new Map(report.rows.map((row) => [`${row.label}\u0000${row.colour}`, row]));
  for (const row of seen.values()) {
    const item = doc.createElement('span');
    item.style.cssText = 'display:inline-flex;align-items:center;gap:4px;margin-right:12px;font-size:12px';
    const swatch = doc.createElement('span');
    swatch.style.cssText = `display:inline-block;width:10px;height:10px;border-radius:2px;background:${row.colour}`;
    item.append(swatch, row.label);
    legend.append(item);
  }
  if (!report.rows.length) legend.textContent = 'No statuses in this range.';

  const tooltip = doc.createElement('div');
  tooltip.setAttribute('role', 'tooltip');
  tooltip.hidden = true;
  tooltip.style.cssText = 'position:absolute;pointer-events:none;background:#1f2328;color:#fff;padding:4px 8px;border-radius:6px;font-size:12px;white-space:nowrap';
  svg.addEventListener('pointermove', (event) => {
    const tip = /** @type {Element} */ (event.target).getAttribute?.('data-tip');
    tooltip.hidden = !tip;
    if (!tip) return;
    const box = target.getBoundingClientRect();
    tooltip.textContent = tip;
    // Beside the pointer, kept inside the chart's box.
    tooltip.style.left = `${Math.max(0, Math.min(event.clientX - box.left + 12, box.width - tooltip.offsetWidth))}px`;
    tooltip.style.top = `${event.clientY - box.top + 12}px`;
  });
  svg.addEventListener('pointerleave', () => { tooltip.hidden = true; });

  if (getComputedStyle(target).position === 'static') target.style.position = 'relative';
  target.replaceChildren(svg, legend, tooltip);
  return svg;
}

/**
 * Fetches a report and draws it into `target`; resolves with the report.
 * @type {typeof import('./timeline.js').showStatusTimeline}
 */
export async function showStatusTimeline(target, options) {
  const report = await fetchStatusReport(options);
  drawTimeline(target, report, options);
  return report;
}

/**
 * At most 12 tick times from `from` to `to`, both included, on round local
 * minutes, hours or days, and their spacing.
 * @param {number} from
 * @param {number} to
 */
function ticks(from, to) {
  // n ticks span (n - 1) steps: fewer than 12 steps make at most 12 ticks.
  const step = STEPS.find((s) => (to - from) / s < 12) ?? STEPS[STEPS.length - 1];
  const zone = new Date(from).getTimezoneOffset() * MINUTE;
  const times = [];
  for (let t = Math.ceil((from - zone) / step) * step + zone; t <= to; t += step) times.push(t);
  return { step, times };
}

/** A moment for the chart's label: its date and time, so a range of a day or more reads as one. @param {number} ms */
function when(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${clock(ms)}`;
}

/**
 * `HH:MM`, or `HH:MM:SS`, in the browser's time zone.
 * @param {number} ms
 */
function clock(ms, seconds = false) {
  const d = new Date(ms);
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}${seconds ? `:${two(d.getSeconds())}` : ''}`;
}
