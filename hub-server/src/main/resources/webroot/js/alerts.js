// Alerts of every station: open and closed, newest first, with who acknowledged and who resolved them (and
// the note); operators acknowledge and resolve here. Changes from other screens arrive live.
import { $, api, openStream } from './common.js';
import { t, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { renderAlerts } from './alert-list.js';

const LIMIT = 500;
const names = new Map();
let alerts = [];
let tab = 'open';

function shown() {
  return alerts.filter((a) => tab === 'all' || (tab === 'open' ? !a.closedAt : !!a.closedAt));
}

function render() {
  renderAlerts($('alerts'), shown(), { showStation: true, names, onChange: replace });
  const open = alerts.filter((a) => !a.closedAt).length;
  $('counts').textContent = t('ap.counts', { o: open, c: alerts.length - open });
  ['open', 'closed', 'all'].forEach((k) => { $('tab-' + k).className = k === tab ? 'on' : ''; });
}

function replace(a) {
  if (!a || a.id === undefined) { return; }
  const i = alerts.findIndex((x) => x.id === a.id);
  if (i >= 0) { alerts[i] = Object.assign({}, alerts[i], a); } else { alerts.unshift(a); }
  render();
}

async function load() {
  const [s, a] = await Promise.all([api('GET', '/api/v1/stations'), api('GET', '/api/v1/alerts?limit=' + LIMIT)]);
  (s.stations || []).forEach((x) => names.set(x.id, x.name));
  alerts = a.alerts || [];
  render();
}

if (startShell()) {
  onLanguage(render);
  ['open', 'closed', 'all'].forEach((k) => $('tab-' + k).addEventListener('click', () => { tab = k; render(); }));
  load().then(() => openStream({ alert: (m) => replace(m.data) })).catch((e) => {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  });
}
