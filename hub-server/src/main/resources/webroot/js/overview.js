// Operator overview: sign-in, then every station on a map (on tiles from the configured source, or a schematic
// placed by coordinates; coloured by presence) and in a table with presence, occupancy, charger ports, door and
// open alerts, live over SSE.
// Open smoke and safety cut-off alerts are listed in a banner above and mark their row.
import {
  $, el, svg, button, fmtTime, kwh, api, token, saveToken, safeNext, openStream, presence, alertText, stationHref
} from './common.js';
import { t, known, onLanguage } from './i18n.js';
import { startShell, showSignedIn } from './shell.js';

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

// ---- the map: Web-Mercator tiles from the configured source under the stations, or, without a tile source
// (or when no tile loads), a schematic: longitude scaled by the cosine of the mean latitude, so distances look right ----

const MAP_W = 800;
const MAP_H = 360;
const MAP_PAD = 40;
const TILE = 256;
const MAX_ZOOM = 17;
const SINGLE_ZOOM = 15;

const mapSettings = { tileUrl: '', attribution: '', loaded: false };
let tilesFailed = false;
let tileLayer = null;

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
    mapSettings.loaded = true;
  } catch (e) {
    mapSettings.tileUrl = '';
  }
}

// Slippy-map pixel coordinates of a point at zoom z (the world is 256 * 2^z pixels wide).
function worldPx(lat, lon, z) {
  const size = TILE * Math.pow(2, z);
  const la = Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI / 180;
  return {
    x: (lon + 180) / 360 * size,
    y: (1 - Math.log(Math.tan(la) + 1 / Math.cos(la)) / Math.PI) / 2 * size
  };
}

// The largest zoom at which every station fits inside the map with its margin.
function fitZoom(placed) {
  if (placed.length === 1) { return SINGLE_ZOOM; }
  for (let z = MAX_ZOOM; z > 0; z--) {
    const ps = placed.map((s) => worldPx(s.lat, s.lon, z));
    const w = Math.max(...ps.map((p) => p.x)) - Math.min(...ps.map((p) => p.x));
    const h = Math.max(...ps.map((p) => p.y)) - Math.min(...ps.map((p) => p.y));
    if (w <= MAP_W - 2 * MAP_PAD && h <= MAP_H - 2 * MAP_PAD) { return z; }
  }
  return 0;
}

function tileHref(z, x, y) {
  return mapSettings.tileUrl.split('{z}').join(String(z)).split('{x}').join(String(x)).split('{y}').join(String(y));
}

// The tiles for one view, kept while the view stays the same so live updates do not fetch them again.
// Falls back to the schematic when every tile has settled and none loaded.
function tilesFor(z, left, top) {
  const key = z + '/' + Math.round(left) + '/' + Math.round(top);
  if (tileLayer && tileLayer.key === key) { return tileLayer.g; }
  const g = svg('g', { class: 'map-tiles', 'data-zoom': z });
  const n = Math.pow(2, z);
  const state = { loaded: 0, failed: 0, total: 0 };
  const settle = () => {
    if (state.loaded + state.failed === state.total && state.loaded === 0 && tileLayer && tileLayer.g === g) {
      tilesFailed = true;
      tileLayer = null;
      renderMap();
    }
  };
  for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + MAP_W - 1) / TILE); tx++) {
    for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + MAP_H - 1) / TILE); ty++) {
      if (ty < 0 || ty >= n) { continue; }
      const img = svg('image', { x: tx * TILE - left, y: ty * TILE - top, width: TILE, height: TILE,
        class: 'map-tile', href: tileHref(z, ((tx % n) + n) % n, ty) });
      state.total++;
      img.addEventListener('load', () => { state.loaded++; settle(); });
      img.addEventListener('error', () => { state.failed++; img.remove(); settle(); });
      g.appendChild(img);
    }
  }
  tileLayer = { key, g };
  return g;
}

function drawStation(root, s, cx, cy) {
  const state = s.presence && ['online', 'offline'].includes(s.presence.state) ? s.presence.state : 'unknown';
  const link = svg('a', { href: stationHref(s.id), class: 'map-station ' + state, 'data-station': s.id });
  link.appendChild(svg('title', {}, s.name + ' · ' + t('state.' + state)));
  const open = (s.alerts || []).filter((a) => !a.closedAt).length;
  if (open) { link.appendChild(svg('circle', { cx, cy, r: 13, class: 'map-alert' })); }
  link.appendChild(svg('circle', { cx, cy, r: 8, class: 'map-dot' }));
  link.appendChild(svg('text', { x: cx + 12, y: cy + 4, class: 'map-label' }, s.name));
  root.appendChild(link);
}

function drawTiled(root, placed) {
  const z = fitZoom(placed);
  const ps = placed.map((s) => worldPx(s.lat, s.lon, z));
  const midX = (Math.min(...ps.map((p) => p.x)) + Math.max(...ps.map((p) => p.x))) / 2;
  const midY = (Math.min(...ps.map((p) => p.y)) + Math.max(...ps.map((p) => p.y))) / 2;
  const left = Math.round(midX - MAP_W / 2), top = Math.round(midY - MAP_H / 2);
  root.appendChild(tilesFor(z, left, top));
  placed.map((s, i) => ({ s, p: ps[i] })).sort((a, b) => b.s.lat - a.s.lat)
    .forEach(({ s, p }) => drawStation(root, s, p.x - left, p.y - top));
}

function drawSchematic(root, placed) {
  const meanLat = placed.reduce((n, s) => n + s.lat, 0) / placed.length;
  const k = Math.cos(meanLat * Math.PI / 180);
  const xs = placed.map((s) => s.lon * k);
  const ys = placed.map((s) => s.lat);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const spanX = Math.max(maxX - minX, 1e-4), spanY = Math.max(maxY - minY, 1e-4);
  const scale = Math.min((MAP_W - 2 * MAP_PAD) / spanX, (MAP_H - 2 * MAP_PAD) / spanY);
  const offX = (MAP_W - spanX * scale) / 2, offY = (MAP_H - spanY * scale) / 2;
  for (let i = 1; i < 4; i++) {
    root.appendChild(svg('line', { x1: MAP_W * i / 4, x2: MAP_W * i / 4, y1: 0, y2: MAP_H, class: 'map-grid' }));
    root.appendChild(svg('line', { x1: 0, x2: MAP_W, y1: MAP_H * i / 4, y2: MAP_H * i / 4, class: 'map-grid' }));
  }
  placed.sort((a, b) => b.lat - a.lat).forEach((s) => {
    const cx = (placed.length === 1 ? MAP_W / 2 : offX + (s.lon * k - minX) * scale);
    const cy = (placed.length === 1 ? MAP_H / 2 : MAP_H - offY - (s.lat - minY) * scale);
    drawStation(root, s, cx, cy);
  });
}

function renderMap() {
  const box = $('map');
  if (!box) { return; }
  box.textContent = '';
  const all = Array.from(stations.values());
  const placed = all.filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon));
  const tiled = Boolean(mapSettings.tileUrl) && !tilesFailed && placed.length > 0;
  const root = svg('svg', { viewBox: '0 0 ' + MAP_W + ' ' + MAP_H, class: 'map-svg', role: 'img',
    'data-map': tiled ? 'tiles' : 'schematic' });
  root.appendChild(svg('title', {}, t('ov.map')));
  root.appendChild(svg('rect', { x: 0, y: 0, width: MAP_W, height: MAP_H, class: 'map-bg' }));
  if (tiled) {
    drawTiled(root, placed);
  } else if (placed.length) {
    drawSchematic(root, placed);
  }
  box.appendChild(root);
  if (tiled && mapSettings.attribution) { box.appendChild(el('p', 'map-attribution', mapSettings.attribution)); }
  if (mapSettings.tileUrl && tilesFailed) { box.appendChild(el('p', 'muted map-fallback', t('ov.tilesFailed'))); }
  const missing = all.length - placed.length;
  if (missing) { box.appendChild(el('p', 'muted', t('ov.noCoords', { n: missing }))); }
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
