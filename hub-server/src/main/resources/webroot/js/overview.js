// Operator overview: sign-in, then every station on a map (map.js: pan, zoom, clusters; on tiles from the
// configured source; coloured by presence) and in a table with presence, occupancy, charger ports, door and
// open alerts, live over SSE.
// Open smoke and safety cut-off alerts are listed in a banner above and mark their row.
import {
  $, el, svg, button, fmtTime, kwh, api, token, saveToken, safeNext, openStream, presence, alertText, stationHref
} from './common.js';
import { t, known, onLanguage } from './i18n.js';
import { startShell, showSignedIn } from './shell.js';
import { stationMap } from './map.js';

const stations = new Map();
const pendingCommands = new Map();
const refreshing = new Map();
const DANGER = ['smoke', 'safety-cutoff'];
let stream = null;

function showLogin() {
  $('login-view').hidden = false;
  $('stations-view').hidden = true;
  showSignedIn(false);
}

async function showStations() {
  $('login-view').hidden = true;
  $('stations-view').hidden = false;
  showSignedIn(true);
  try {
    const [data] = await Promise.all([api('GET', '/api/v1/stations'), loadMapSettings()]);
    stations.clear();
    (data.stations || []).forEach((s) => stations.set(s.id, s));
    renderAll();
    checkTimeSeries();
    if (!stream) { connectStream(); }
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  }
}

function connectStream() {
  stream = openStream({
    presence: (msg) => onLive(msg, (s, d) => { s.presence = Object.assign({}, s.presence || {}, d); }),
    // a mobile station moved, or an operator changed its stop
    position: (msg) => onLive(msg, (s, d) => { s.lat = d.lat; s.lon = d.lon; }),
    mobility: (msg) => onLive(msg, (s, d) => { s.mobile = d.mobile; s.hereUntil = d.hereUntil; }),
    telemetry: (msg) => onLive(msg, (s, d) => {
      if (d.occupancy) { s.occupancy = d.occupancy; }
      if (d.door) { s.door = d.door; }
      if (d.chargers) { s.chargers = keepSessions(s.chargers, d.chargers); }
      s.presence = Object.assign({}, s.presence || {}, { lastSeen: Date.now() });
    }, false),
    alert: (msg) => onLive(msg, (s, d) => {
      const list = (s.alerts || []).filter((a) => a.id !== d.id);
      if (!d.closedAt) { list.push(d); }
      s.alerts = list;
    }),
    event: (msg) => {
      const type = (msg.data && msg.data.type) || '';
      if (type.indexOf('charger.session_') === 0) { refreshStation(msg.stationId); }
    },
    command: (msg) => {
      const d = msg.data || {};
      const station = pendingCommands.get(d.id);
      if (!station) { return; }
      const name = (stations.get(station) || {}).name || station;
      if (d.status === 'succeeded') {
        $('message').textContent = t('unlock.ok', { s: name });
      } else if (d.status === 'failed') {
        const r = (d.result && d.result.error && d.result.error.message) || '';
        $('message').textContent = t('unlock.failed', { s: name, r });
      } else if (d.status === 'expired') {
        $('message').textContent = t('unlock.expired', { s: name });
      }
      if (d.status !== 'pending' && d.status !== 'delivered') { pendingCommands.delete(d.id); }
    }
  });
}

// Telemetry has no sessions: a port still in use keeps the session the station view gave it.
function keepSessions(old, fresh) {
  const byPort = new Map((old || []).map((c) => [c.port, c.session]));
  return fresh.map((c) => {
    const inUse = ['occupied', 'charging', 'finishing'].includes(c.state);
    const session = inUse ? byPort.get(c.port) : null;
    return Object.assign({}, c, { session: session ? Object.assign({}, session, { energyWh: c.energyWh }) : null });
  });
}

// A session started or ended: fetch the station again (at most once a second) for today's figures.
function refreshStation(id) {
  if (!id || refreshing.has(id)) { return; }
  refreshing.set(id, setTimeout(async () => {
    refreshing.delete(id);
    try {
      const s = await api('GET', '/api/v1/stations/' + encodeURIComponent(id));
      stations.set(s.id, s);
      renderRow(s, true);
      renderSummary();
      renderMap();
    } catch (e) {
      if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
    }
  }, 1000));
}

// The map shows presence and open alerts only: telemetry leaves it as it is.
function onLive(msg, apply, mapChanged = true) {
  const s = stations.get(msg.stationId);
  if (!s) { showStations(); return; }
  apply(s, msg.data || {});
  renderRow(s, true);
  renderSummary();
  if (mapChanged) { renderMap(); }
}

function renderAll() {
  if ($('stations-view').hidden) { return; }
  const tbody = $('stations');
  tbody.textContent = '';
  const list = Array.from(stations.values()).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  list.forEach((s) => tbody.appendChild(buildRow(s)));
  $('empty').hidden = list.length > 0;
  renderSummary();
  renderMap();
}

function renderDanger() {
  const box = $('danger');
  box.textContent = '';
  const lines = [];
  Array.from(stations.values()).forEach((s) => {
    (s.alerts || []).filter((a) => !a.closedAt && DANGER.includes(a.type)).forEach((a) => {
      const d = a.data || {};
      lines.push(a.type === 'smoke' ? t('danger.smoke', { s: s.name })
        : t('danger.cutoff', { s: s.name, p: d.port ? t('danger.port', { n: d.port }) : t('alert.cabinet'),
          c: d.cause ? known('cause.', d.cause) : '?' }));
    });
  });
  box.hidden = lines.length === 0;
  if (!lines.length) { return; }
  box.appendChild(el('strong', null, t('danger.title')));
  const ul = el('ul');
  lines.forEach((l) => ul.appendChild(el('li', null, l)));
  box.appendChild(ul);
}

function renderSummary() {
  const all = Array.from(stations.values());
  const online = all.filter((s) => s.presence && s.presence.state === 'online').length;
  const offline = all.filter((s) => s.presence && s.presence.state === 'offline').length;
  const free = all.reduce((n, s) => n + (s.chargers || []).filter((c) => c.state === 'available').length, 0);
  const faulted = all.reduce((n, s) => n + (s.chargers || []).filter((c) => c.state === 'faulted').length, 0);
  const energy = all.reduce((n, s) => n + Number((s.today && s.today.energyWh) || 0), 0);
  const openAlerts = all.reduce((n, s) => n + (s.alerts || []).filter((a) => !a.closedAt).length, 0);
  const box = $('summary');
  box.textContent = '';
  box.appendChild(el('span', 'pill', t('summary.total', { n: all.length })));
  box.appendChild(el('span', 'pill', t('summary.online', { n: online })));
  box.appendChild(el('span', 'pill' + (offline ? ' bad' : ''), t('summary.offline', { n: offline })));
  box.appendChild(el('span', 'pill', t('summary.free', { n: free })));
  box.appendChild(el('span', 'pill' + (faulted ? ' bad' : ''), t('summary.faulted', { n: faulted })));
  box.appendChild(el('span', 'pill', t('summary.energy', { e: kwh(energy) })));
  const alerts = el('a', 'pill' + (openAlerts ? ' bad' : ''), t('summary.alerts', { n: openAlerts }));
  alerts.id = 'open-alerts';
  alerts.href = '/alerts.html';
  box.appendChild(alerts);
  renderDanger();
}

// ---- the map (map.js): Leaflet, with the tiles the hub is configured with, or none ----

const mapSettings = { tileUrl: '', attribution: '', coords: 'wgs84', subdomains: '', loaded: false };
let stationMapView = null;

// A notice while time series points wait on the hub's disk (the store is unreachable) or have been lost.
async function checkTimeSeries() {
  const notice = $('ts-notice');
  try {
    const s = await api('GET', '/api/v1/timeseries');
    const lines = [];
    if (s.bufferedPoints > 0 || !s.storeUp) { lines.push(t('ts.buffered', { n: s.bufferedPoints })); }
    if (s.lostPoints > 0) { lines.push(t('ts.lost', { n: s.lostPoints })); }
    notice.textContent = lines.join(' ');
    notice.hidden = lines.length === 0;
  } catch (e) {
    notice.hidden = true;
  }
}

async function loadMapSettings() {
  if (mapSettings.loaded) { return; }
  try {
    const ui = await api('GET', '/api/v1/ui');
    const m = (ui && ui.map) || {};
    mapSettings.tileUrl = typeof m.tileUrl === 'string' ? m.tileUrl : '';
    mapSettings.attribution = typeof m.attribution === 'string' ? m.attribution : '';
    mapSettings.coords = m.coords === 'gcj02' ? 'gcj02' : 'wgs84';
    mapSettings.subdomains = typeof m.subdomains === 'string' ? m.subdomains : '';
    mapSettings.loaded = true;
  } catch (e) {
    mapSettings.tileUrl = '';
  }
}

function renderMap() {
  const box = $('map');
  if (!box) { return; }
  if (!stationMapView) { stationMapView = stationMap(box, mapSettings); }
  stationMapView.update(Array.from(stations.values()));
}

// ---- the table ----

function renderRow(s, flash) {
  const old = document.querySelector('tr[data-station="' + CSS.escape(s.id) + '"]');
  const row = buildRow(s);
  if (flash) { row.classList.add('flash'); }
  if (old) { old.replaceWith(row); } else { $('stations').appendChild(row); $('empty').hidden = true; }
}

function cell(label) {
  const td = el('td');
  td.setAttribute('data-label', t(label));
  return td;
}

function buildRow(s) {
  const tr = el('tr');
  tr.setAttribute('data-station', s.id);
  if ((s.alerts || []).some((a) => !a.closedAt && DANGER.includes(a.type))) { tr.className = 'danger'; }

  const name = cell('col.station');
  const link = el('a', 'name', s.name);
  link.href = stationHref(s.id);
  name.appendChild(link);
  name.appendChild(el('div', 'addr', s.address || s.id));
  tr.appendChild(name);

  const pres = cell('col.presence');
  pres.appendChild(presence(s.presence));
  tr.appendChild(pres);

  const occ = cell('col.occupancy');
  if (s.occupancy && s.occupancy.count !== null && s.occupancy.count !== undefined) {
    const count = s.occupancy.count, cap = s.occupancy.capacity || s.capacity || 0;
    occ.appendChild(el('span', 'count', count + ' / ' + cap));
    const bar = el('div', 'bar' + (cap && count >= cap ? ' full' : ''));
    const fill = el('span');
    fill.style.width = (cap ? Math.min(100, Math.round(100 * count / cap)) : 0) + '%';
    bar.appendChild(fill);
    occ.appendChild(bar);
  } else {
    occ.textContent = t('noData');
  }
  tr.appendChild(occ);

  const ch = cell('col.chargers');
  const ports = el('div', 'ports');
  (s.chargers || []).forEach((c) => {
    const st = String(c.state);
    const label = '#' + c.port + ' ' + known('port.', st) + (c.state === 'charging' ? ' ' + Math.round(c.powerW) + 'W' : '');
    const chip = el('span', 'port ' + st.replace(/[^a-z]/g, ''), label);
    chip.title = c.session
      ? t('session.title', { m: c.session.member || '?', t: fmtTime(c.session.startedAt),
        e: c.session.energyWh === null || c.session.energyWh === undefined ? '?' : Math.round(c.session.energyWh) })
      : (c.energyWh !== undefined && c.energyWh !== null ? Math.round(c.energyWh) + ' Wh' : '');
    ports.appendChild(chip);
  });
  if (!(s.chargers || []).length) { ports.textContent = t('noData'); }
  ch.appendChild(ports);
  tr.appendChild(ch);

  const today = cell('col.today');
  today.textContent = s.today ? t('today.value', { n: s.today.sessions || 0, e: kwh(s.today.energyWh) }) : t('noData');
  tr.appendChild(today);

  const door = cell('col.door');
  door.textContent = s.door ? (t(s.door.open ? 'door.open' : 'door.closed') + ' · '
    + t(s.door.locked ? 'door.locked' : 'door.unlocked')) : t('noData');
  tr.appendChild(door);

  const al = cell('col.alerts');
  const open = (s.alerts || []).filter((a) => !a.closedAt);
  if (open.length) {
    open.forEach((a) => {
      al.appendChild(el('div', 'alert' + (DANGER.includes(a.type) ? ' danger' : ''), alertText(a) + ' · ' + fmtTime(a.openedAt)));
    });
  } else {
    al.textContent = t('alerts.none');
  }
  tr.appendChild(al);

  const act = el('td', 'actions');
  act.appendChild(button(t('unlock'), 'unlock', () => unlock(s)));
  const more = el('a', 'details', t('details'));
  more.href = stationHref(s.id);
  act.appendChild(more);
  tr.appendChild(act);
  return tr;
}

async function unlock(s) {
  try {
    const r = await api('POST', '/api/v1/stations/' + encodeURIComponent(s.id) + '/commands',
      { name: 'door.unlock', args: { seconds: 5 } });
    pendingCommands.set(r.id, s.id);
    $('message').textContent = t('unlock.sent', { s: s.name });
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  }
}

function nextPage() {
  return safeNext(new URLSearchParams(location.search).get('next') || '/');
}

startShell(false);
onLanguage(renderAll);
$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  $('login-error').textContent = '';
  try {
    const r = await api('POST', '/api/v1/auth/login', { username: f.username.value, password: f.password.value });
    saveToken(r.token);
    f.password.value = '';
    const next = nextPage();
    if (next !== '/' && next !== '/index.html') { location.href = next; return; }
    history.replaceState(null, '', '/');
    showStations();
  } catch (e) {
    $('login-error').textContent = e.status === 429 ? t('login.limited') : t('login.failed');
  }
});
if (token()) { showStations(); } else { showLogin(); }
setInterval(renderAll, 30000);
setInterval(() => { if (!$('stations-view').hidden) { checkTimeSeries(); } }, 30000);
