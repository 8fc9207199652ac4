// A small line chart drawn as inline SVG: time on x, the value on y, with axes, tick labels and a unit.
// Gaps of more than three steps between points break the line (the station sent nothing then).
import { svg } from './common.js';
import { t, locale } from './i18n.js';

const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 14, bottom: 28 };

function niceMax(v) {
  if (v <= 0) { return 1; }
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const n = v / p;
  const step = n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10;
  return step * p;
}

function tickLabel(ms, spanMs) {
  const d = new Date(ms);
  return spanMs <= 2 * 86400000
    ? d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(locale(), { month: 'numeric', day: 'numeric' });
}

/**
 * Draws points [[ts, value|null], ..] from..to into container (replacing what was there).
 * opts: {unit, label, step (ms), colour class}.
 */
export function lineChart(container, points, from, to, opts) {
  container.textContent = '';
  const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img' });
  root.appendChild(svg('title', {}, opts.label));
  const values = points.filter((p) => p[1] !== null && Number.isFinite(p[1]));
  const max = niceMax(Math.max(0, ...values.map((p) => p[1])));
  const x = (ts) => PAD.left + (ts - from) / (to - from) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - v / max * (H - PAD.top - PAD.bottom);

  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4;
    root.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.appendChild(svg('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' },
      Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const span = to - from;
  for (let i = 0; i <= 6; i++) {
    const ts = from + span * i / 6;
    root.appendChild(svg('line', { x1: x(ts), x2: x(ts), y1: H - PAD.bottom, y2: H - PAD.bottom + 4, class: 'axis' }));
    root.appendChild(svg('text', { x: x(ts), y: H - 8, class: 'tick', 'text-anchor': i === 0 ? 'start' : i === 6 ? 'end' : 'middle' },
      tickLabel(ts, span)));
  }
  root.appendChild(svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: 'axis' }));
  root.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'axis' }));
  root.appendChild(svg('text', { x: PAD.left + 4, y: PAD.top - 2, class: 'unit' }, opts.unit));

  if (!values.length) {
    root.appendChild(svg('text', { x: W / 2, y: H / 2, class: 'empty', 'text-anchor': 'middle' }, t('chart.empty')));
  } else {
    const gap = 3 * (opts.step || span / 300);
    let d = '';
    let last = null;
    values.forEach((p) => {
      d += (last === null || p[0] - last > gap ? 'M' : 'L') + x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1) + ' ';
      last = p[0];
    });
    root.appendChild(svg('path', { d: d.trim(), class: 'series ' + (opts.cls || '') }));
    if (values.length === 1) {
      root.appendChild(svg('circle', { cx: x(values[0][0]), cy: y(values[0][1]), r: 3, class: 'dot ' + (opts.cls || '') }));
    }
  }
  container.appendChild(root);
}
