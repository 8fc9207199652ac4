// The station scorecard for a chosen period, the way federations evaluate stations: uptime, visits per day,
// charger energy and utilisation, feedback answered within its deadline. Charts per day, a table per station and
// the same figures as a CSV file (UTF-8 with BOM, opens in Excel). Every datum goes in as text.
import { addTexts, t, $, el, api, token, initFrame, onLanguage, stationHref } from './common.js';
import { lineChart } from './chart.js';

addTexts({
  zh: {
    'sc.pageTitle': '驿站 · 考评', 'sc.brand': '驿站', 'sc.title': '驿站考评', 'sc.from': '开始日期', 'sc.to': '结束日期',
    'sc.last7': '近 7 天', 'sc.last30': '近 30 天', 'sc.lastMonth': '上个月', 'sc.station': '驿站', 'sc.allStations': '全部驿站',
    'sc.show': '查看', 'sc.csv': '下载 CSV', 'sc.csvDone': '已下载 {f}', 'sc.chart.uptime': '每日在线率（%）',
    'sc.chart.visits': '每日到访（人次）', 'sc.chart.energy': '每日充电量（kWh）',
    'sc.note': '在线率只统计驿站开通之后、到现在为止的时间；按时答复率 = 按期限内答复 ÷（按时 + 逾期答复 + 逾期未答）。',
    'sc.col.station': '驿站', 'sc.col.uptime': '在线率', 'sc.col.visits': '日均到访', 'sc.col.energy': '充电量 kWh',
    'sc.col.util': '充电口利用率', 'sc.col.feedback': '反馈', 'sc.col.onTime': '按时答复率',
    'sc.tile.uptime': '在线率', 'sc.tile.visits': '日均到访', 'sc.tile.energy': '充电量', 'sc.tile.util': '充电口利用率',
    'sc.tile.onTime': '反馈按时答复', 'sc.fb': '{r} 条 · 逾期 {o}', 'sc.tracked': '统计 {h} 小时', 'sc.notTracked': '未开通',
    'sc.total': '全部驿站', 'sc.unit.visits': '人次', 'chart.empty': '这段时间没有数据'
  },
  en: {
    'sc.pageTitle': 'Yizhan · Scorecard', 'sc.brand': 'Yizhan', 'sc.title': 'Station scorecard', 'sc.from': 'From',
    'sc.to': 'To', 'sc.last7': 'Last 7 days', 'sc.last30': 'Last 30 days', 'sc.lastMonth': 'Last month',
    'sc.station': 'Station', 'sc.allStations': 'All stations', 'sc.show': 'Show', 'sc.csv': 'Download CSV',
    'sc.csvDone': 'Downloaded {f}', 'sc.chart.uptime': 'Uptime per day (%)', 'sc.chart.visits': 'Visits per day',
    'sc.chart.energy': 'Charger energy per day (kWh)',
    'sc.note': 'Uptime counts only the time since the station was set up and up to now; on time % = answered within the deadline ÷ (on time + answered late + overdue).',
    'sc.col.station': 'Station', 'sc.col.uptime': 'Uptime', 'sc.col.visits': 'Visits / day', 'sc.col.energy': 'Energy kWh',
    'sc.col.util': 'Charger utilisation', 'sc.col.feedback': 'Feedback', 'sc.col.onTime': 'Answered on time',
    'sc.tile.uptime': 'Uptime', 'sc.tile.visits': 'Visits per day', 'sc.tile.energy': 'Charger energy',
    'sc.tile.util': 'Charger utilisation', 'sc.tile.onTime': 'Feedback on time', 'sc.fb': '{r} received · {o} overdue',
    'sc.tracked': '{h} h tracked', 'sc.notTracked': 'not set up', 'sc.total': 'All stations', 'sc.unit.visits': 'visits', 'chart.empty': 'No data in this period'
  }
});

const DAY = 86400000;
let card = null;

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
  lineChart($('chart-uptime'), series('uptimePct'), start, end, { unit: '%', label: t('sc.chart.uptime'), step: DAY });
  lineChart($('chart-visits'), series('visits'), start, end, { unit: t('sc.unit.visits'), label: t('sc.chart.visits'), step: DAY });
  lineChart($('chart-energy'), series('energyKwh'), start, end, { unit: 'kWh', label: t('sc.chart.energy'), step: DAY, cls: 'power' });

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
    const res = await fetch('/api/v1/scorecard.csv?' + params(), { headers: { Authorization: 'Bearer ' + token() } });
    if (!res.ok) {
      const j = await res.json().catch(() => ({}));
      throw new Error((j.error && j.error.message) || res.statusText);
    }
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
    $('message').textContent = t('error', { m: e.message });
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

if (initFrame(true)) {
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
