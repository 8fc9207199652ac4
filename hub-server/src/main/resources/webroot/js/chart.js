// Time charts on Apache ECharts (served by the hub from its webjar), drawn as SVG: time on x, the value on y,
// a zoom slider and mouse-wheel or pinch zoom over time, and a tooltip. Gaps of more than three steps between
// points break the line (the station sent nothing then). When the operator zooms, onZoom(from, to) is told the
// range now shown, so that the page can fetch it again at a finer step: the hub downsamples every range to a few
// hundred points, so a year of one station fits in one chart and a day inside it keeps its detail.
// The container gets data-points, data-from and data-to (what is drawn), for people and tests alike.
/* global echarts */
import { t, locale, onLanguage } from './i18n.js';

const COLOURS = { occ: '#0969da', power: '#bf8700', energy: '#1a7f37', visits: '#8250df', uptime: '#0969da' };

function withGaps(points, step) {
  const out = [];
  let last = null;
  points.forEach((p) => {
    if (p[1] === null || !Number.isFinite(p[1])) { return; }
    if (last !== null && step && p[0] - last > 3 * step) { out.push([last + step, null]); }
    out.push([p[0], p[1]]);
    last = p[0];
  });
  return out;
}

function label(ms, spanMs) {
  const d = new Date(ms);
  if (spanMs <= 2 * 86400000) { return d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' }); }
  if (spanMs <= 400 * 86400000) { return d.toLocaleDateString(locale(), { month: 'numeric', day: 'numeric' }); }
  return d.toLocaleDateString(locale(), { year: 'numeric', month: 'numeric' });
}

/**
 * A chart in container. opts: {label, unit, cls (colour), kind ('line' or 'bar'), onZoom(from, to)}.
 * Returns {set(points [[ts, value|null], ..], from, to, step), chart}.
 */
export function timeChart(container, opts) {
  const chart = echarts.init(container, null, { renderer: 'svg', locale: locale().startsWith('zh') ? 'ZH' : 'EN' });
  let shown = { from: 0, to: 0 };
  let zoomTimer = null;
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  chart.on('datazoom', () => {
    if (!opts.onZoom) { return; }
    const z = chart.getOption().dataZoom[0];
    const span = shown.to - shown.from;
    const from = Math.round(shown.from + span * z.start / 100);
    const to = Math.round(shown.from + span * z.end / 100);
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(() => opts.onZoom(from, to), 400);
  });

  function set(points, from, to, step) {
    shown = { from, to };
    const data = withGaps(points, step);
    const colour = COLOURS[opts.cls] || COLOURS.occ;
    container.setAttribute('data-points', String(data.filter((p) => p[1] !== null).length));
    container.setAttribute('data-from', String(from));
    container.setAttribute('data-to', String(to));
    container.classList.toggle('empty', data.length === 0);
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: opts.label } },
      grid: { left: 8, right: 16, top: 28, bottom: 64, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—'
        : (Number.isInteger(v) ? v : Number(v).toFixed(1)) + ' ' + opts.unit) },
      xAxis: { type: 'time', min: from, max: to, axisLabel: { formatter: (v) => label(v, to - from), hideOverlap: true } },
      yAxis: { type: 'value', name: opts.unit, min: 0, nameTextStyle: { align: 'left' } },
      dataZoom: [{ type: 'inside', start: 0, end: 100 }, { type: 'slider', start: 0, end: 100, height: 22, bottom: 8,
        labelFormatter: (v) => label(v, to - from) }],
      graphic: data.length ? [] : [{ type: 'text', left: 'center', top: 'middle',
        style: { text: t('chart.empty'), fill: '#6e7781', fontSize: 14 } }],
      series: [{
        type: opts.kind || 'line', name: opts.label, data, showSymbol: data.length < 60, connectNulls: false,
        sampling: 'lttb', barMaxWidth: 18, lineStyle: { width: 2 }, itemStyle: { color: colour },
        areaStyle: opts.kind === 'bar' ? undefined : { opacity: 0.08 }
      }]
    }, { notMerge: true });
  }

  onLanguage(() => chart.resize());
  return { set, chart };
}
