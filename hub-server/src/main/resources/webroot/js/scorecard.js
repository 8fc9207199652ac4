// The station scorecard for a chosen period, the way federations evaluate stations: uptime, visits per day,
// charger energy and utilisation, feedback answered within its deadline. Charts per day, a table per station and
// the same figures as a CSV file (UTF-8 with BOM, opens in Excel). Every datum goes in as text.
import { $, el, api, stationHref } from './common.js';
import { t, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { timeChart } from './chart.js';

const DAY = 86400000;
let card = null;
let charts = null;

function iso(d) {
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

function setRange(fromDate, toDate) {
  $('from').value = iso(fromDate);
  $('to').value = iso(toDate);
}

function lastDays(n) {
  const to = new Date();
  setRange(new Date(to.getTime() - (n - 1) * DAY), to);
}

function params() {
  const p = new URLSearchParams({ from: $('from').value, to: $('to').value });
  if ($('station').value) { p.set('stationId', $('station').value); }
  return p.toString();
}

function pct(v) {
  return v === null || v === undefined ? t('noData') : Number(v).toFixed(1) + '%';
}

function num(v, digits) {
  return v === null || v === undefined ? t('noData') : Number(v).toFixed(digits);
}

function tile(id, label, value, sub) {
  const d = el('div', 'tile');
  d.id = id;
  d.appendChild(el('h3', null, label));
  d.appendChild(el('div', 'big value', value));
  if (sub) { d.appendChild(el('div', 'muted', sub)); }
  return d;
}

function render() {
  if (!card) { return; }
  const one = card.stations.length === 1 && $('station').value ? card.stations[0] : null;
  const s = one || card.total;
  const tiles = $('tiles');
  tiles.textContent = '';
  tiles.appendChild(tile('tile-uptime', t('sc.tile.uptime'), pct(s.uptimePct),
    s.trackedHours ? t('sc.tracked', { h: num(s.trackedHours, 1) }) : t('sc.notTracked')));
  tiles.appendChild(tile('tile-visits', t('sc.tile.visits'), num(s.visitsPerDay, 1), String(s.visits)));
  tiles.appendChild(tile('tile-energy', t('sc.tile.energy'), num(s.energyKwh, 2) + ' kWh'));
  tiles.appendChild(tile('tile-util', t('sc.tile.util'), pct(s.utilisationPct)));
  tiles.appendChild(tile('tile-ontime', t('sc.tile.onTime'), pct(s.feedback.onTimePct),
    t('sc.fb', { r: s.feedback.received, o: s.feedback.overdue })));

  const days = one ? one.days : card.days;
  const start = Date.parse(card.from + 'T00:00:00+08:00');
  const end = Date.parse(card.to + 'T00:00:00+08:00') + DAY;
  const series = (key) => days.map((d) => [Date.parse(d.date + 'T12:00:00+08:00'), d[key] === null ? null : Number(d[key])]);
  if (!charts) {
    charts = {
      uptime: timeChart($('chart-uptime'), { unit: '%', label: t('sc.chart.uptime'), cls: 'uptime' }),
      visits: timeChart($('chart-visits'), { unit: t('sc.unit.visits'), label: t('sc.chart.visits'), cls: 'visits', kind: 'bar' }),
      energy: timeChart($('chart-energy'), { unit: 'kWh', label: t('sc.chart.energy'), cls: 'energy', kind: 'bar' })
    };
  }
  charts.uptime.set(series('uptimePct'), start, end, DAY);
  charts.visits.set(series('visits'), start, end, DAY);
  charts.energy.set(series('energyKwh'), start, end, DAY);

  const rows = $('rows');
  rows.textContent = '';
  card.stations.forEach((r) => rows.appendChild(row(r, r.name, stationHref(r.stationId))));
  if (!one) { rows.appendChild(row(card.total, t('sc.total'), null)).className = 'total'; }
}

function row(r, name, href) {
  const tr = el('tr');
  if (r.stationId) { tr.dataset.station = r.stationId; }
  const first = el('td');
  if (href) {
    const a = el('a', 'name', name);
    a.href = href;
    first.appendChild(a);
  } else {
    first.appendChild(el('strong', null, name));
  }
  tr.appendChild(first);
  const uptime = el('td', 'uptime' + (r.uptimePct !== null && r.uptimePct < 95 ? ' low' : ''), pct(r.uptimePct));
  tr.appendChild(uptime);
  tr.appendChild(el('td', 'visits', num(r.visitsPerDay, 1)));
  tr.appendChild(el('td', 'energy', num(r.energyKwh, 2)));
  tr.appendChild(el('td', 'util', pct(r.utilisationPct)));
  tr.appendChild(el('td', 'feedback', t('sc.fb', { r: r.feedback.received, o: r.feedback.overdue })));
  const onTime = r.feedback.onTimePct;
  tr.appendChild(el('td', 'ontime' + (onTime !== null && onTime < 90 ? ' low' : ''), pct(onTime)));
  return tr;
}

async function load() {
  $('message').textContent = '';
  try {
    card = await api('GET', '/api/v1/scorecard?' + params());
    history.replaceState(null, '', '?' + params());
    render();
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  }
}

async function downloadCsv() {
  $('message').textContent = '';
  $('csv-status').textContent = '';
  try {
    const res = await api('GET', '/api/v1/scorecard.csv?' + params(), undefined, { response: true });
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(disposition);
    const name = m ? m[1] : 'scorecard.csv';
    const url = URL.createObjectURL(await res.blob());
    const a = el('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $('csv-status').textContent = t('sc.csvDone', { f: name });
    $('csv-status').dataset.file = name;
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  }
}

async function stations() {
  const s = await api('GET', '/api/v1/stations');
  (s.stations || []).forEach((x) => {
    const o = el('option', null, x.name);
    o.value = x.id;
    $('station').appendChild(o);
  });
}

if (startShell()) {
  onLanguage(render);
  const q = new URLSearchParams(location.search);
  if (q.get('from') && q.get('to')) {
    $('from').value = q.get('from');
    $('to').value = q.get('to');
  } else {
    lastDays(7);
  }
  $('last7').addEventListener('click', () => { lastDays(7); load(); });
  $('last30').addEventListener('click', () => { lastDays(30); load(); });
  $('lastMonth').addEventListener('click', () => {
    const now = new Date();
    setRange(new Date(now.getFullYear(), now.getMonth() - 1, 1), new Date(now.getFullYear(), now.getMonth(), 0));
    load();
  });
  $('period').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('station').addEventListener('change', load);
  $('csv').addEventListener('click', downloadCsv);
  stations().catch(() => {}).then(() => {
    if (q.get('stationId')) { $('station').value = q.get('stationId'); }
    load();
  });
}
