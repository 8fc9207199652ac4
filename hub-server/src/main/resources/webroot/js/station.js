// One station: live presence, occupancy, door and charger ports (SSE), charts of occupancy and charger power
// over the last day or week, the door's access log, charging sessions and alerts, and the operator's actions
// (open the door, stop / enable / disable a port, self-test) with each command's status as it comes back.
import {
  $, el, button, fmtTime, kwh, api, openStream, presence, FINAL, followCommand
} from './common.js';
import { t, known, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { timeChart } from './chart.js';
import { renderAlerts } from './alert-list.js';

const id = new URLSearchParams(location.search).get('id') || '';
let station = null;
let alerts = [];
let access = [];
let sessions = [];
let range = 'day';
let history = null;
let charts = null;
const commands = new Map();
const timers = new Map();

function base() {
  return '/api/v1/stations/' + encodeURIComponent(id);
}

function showError(e) {
  if (e.status !== 401) { $('message').textContent = e.status === 404 ? t('st.notFound') : t('error', { m: e.message }); }
}

// ---- the station itself ----

async function loadStation() {
  station = await api('GET', base());
  renderStation();
}

function renderStation() {
  if (!station) { return; }
  $('name').textContent = station.name;
  $('address').textContent = (station.district ? station.district + ' · ' : '') + (station.address || '') + ' · '
    + station.id;
  $('presence').replaceChildren(presence(station.presence, { id: 'presence-state' }));

  const o = station.occupancy || {};
  const occ = $('occupancy');
  occ.textContent = '';
  if (o.count !== null && o.count !== undefined) {
    const cap = o.capacity || station.capacity || 0;
    occ.appendChild(el('span', null, o.count + ' / ' + cap));
    const bar = el('div', 'bar wide' + (cap && o.count >= cap ? ' full' : ''));
    const fill = el('span');
    fill.style.width = (cap ? Math.min(100, Math.round(100 * o.count / cap)) : 0) + '%';
    bar.appendChild(fill);
    occ.appendChild(bar);
  } else {
    occ.textContent = t('noData');
  }
  const d = station.door;
  $('door').textContent = d ? t(d.open ? 'door.open' : 'door.closed') + ' · ' + t(d.locked ? 'door.locked' : 'door.unlocked') : t('noData');
  const env = station.env;
  $('env').textContent = env && env.tempC !== undefined && env.tempC !== null
    ? t('st.envValue', { t: Number(env.tempC).toFixed(1), h: env.humidity === undefined || env.humidity === null ? '?' : Math.round(env.humidity) })
    : t('noData');
  $('today').textContent = station.today
    ? t('st.today.value', { n: station.today.sessions || 0, e: kwh(station.today.energyWh) }) : t('noData');
  renderLoads();
  renderPorts();
}

// The room's switched loads (lights, water heater, air conditioning): on, or off for the night in an empty room.
function renderLoads() {
  const loads = Array.isArray(station.loads) ? station.loads : [];
  $('loads-tile').hidden = loads.length === 0;
  $('loads').replaceChildren(...loads.map((l) => {
    const li = el('li', 'load ' + (l.on ? 'on' : 'off'));
    li.dataset.load = l.name;
    li.appendChild(el('span', 'load-name', known('load.', l.name)));
    li.appendChild(el('span', 'load-state', t(l.on ? 'load.on' : 'load.offNight')));
    if (l.since) { li.appendChild(el('span', 'muted', t('load.since', { at: fmtTime(l.since) }))); }
    return li;
  }));
}

function num(v, digits, unit) {
  return v === null || v === undefined || !Number.isFinite(Number(v)) ? t('noData') : Number(v).toFixed(digits) + ' ' + unit;
}

function renderPorts() {
  const body = $('ports');
  body.textContent = '';
  (station.chargers || []).forEach((c) => {
    const tr = el('tr');
    tr.setAttribute('data-port', String(c.port));
    tr.appendChild(el('td', null, '#' + c.port));
    const st = el('td');
    st.appendChild(el('span', 'port ' + String(c.state).replace(/[^a-z]/g, ''), known('port.', c.state)));
    tr.appendChild(st);
    tr.appendChild(el('td', null, num(c.powerW, 0, 'W')));
    tr.appendChild(el('td', null, num(c.energyWh, 0, 'Wh')));
    tr.appendChild(el('td', null, num(c.tempC, 1, '°C')));
    const act = el('td', 'port-actions');
    act.appendChild(button(t('cmd.charger.stop'), 'stop', () => send('charger.stop', { port: c.port })));
    act.appendChild(button(t('cmd.charger.enable'), 'enable', () => send('charger.enable', { port: c.port })));
    act.appendChild(button(t('cmd.charger.disable'), 'disable', () => send('charger.disable', { port: c.port })));
    tr.appendChild(act);
    body.appendChild(tr);
  });
}

// ---- commands ----

async function send(name, args) {
  $('message').textContent = '';
  const at = Date.now();
  try {
    const r = await api('POST', base() + '/commands', { name, args });
    commands.set(r.id, { id: r.id, name, args, status: r.status || 'pending', at });
    renderCommands();
    followCommand(r.id, () => FINAL.includes(commands.get(r.id).status), update);
  } catch (e) {
    showError(e);
  }
}

function update(d) {
  const c = commands.get(d.id);
  if (!c || !d.status) { return; }
  if (FINAL.includes(c.status) && !FINAL.includes(d.status)) { return; }
  c.status = d.status;
  if (d.result) { c.result = d.result; }
  renderCommands();
}

function renderCommands() {
  const ul = $('commands');
  ul.textContent = '';
  Array.from(commands.values()).sort((a, b) => b.at - a.at).slice(0, 10).forEach((c) => {
    const li = el('li', 'command ' + c.status);
    li.setAttribute('data-command', c.id);
    li.setAttribute('data-status', c.status);
    const what = known('cmd.', c.name) + (c.args && c.args.port ? ' #' + c.args.port : '');
    li.appendChild(el('strong', null, what));
    li.appendChild(el('span', 'cmd-status', known('status.', c.status)));
    li.appendChild(el('span', 'muted', fmtTime(c.at)));
    const r = c.result || {};
    if (r.error) { li.appendChild(el('div', 'error', (r.error.code || '') + ' ' + (r.error.message || ''))); }
    if (r.data && Array.isArray(r.data.checks)) {
      const checks = el('ul', 'checks');
      r.data.checks.forEach((k) => {
        const item = el('li', k.ok ? 'ok' : 'bad', k.name + ' · ' + t(k.ok ? 'st.check.ok' : 'st.check.bad')
          + (k.detail ? ' · ' + k.detail : ''));
        checks.appendChild(item);
      });
      li.appendChild(checks);
    }
    ul.appendChild(li);
  });
}

// ---- charts ----

const RANGES = { day: 86400000, week: 7 * 86400000, month: 30 * 86400000, year: 365 * 86400000 };

function makeCharts() {
  if (charts) { return charts; }
  const zoomTo = (from, to) => loadHistory(from, to).catch(showError);
  charts = {
    occ: timeChart($('chart-occupancy'), { label: t('st.chartOccupancy'), unit: t('st.occupancy'), cls: 'occ', onZoom: zoomTo }),
    power: timeChart($('chart-power'), { label: t('st.chartPower'), unit: 'W', cls: 'power', onZoom: zoomTo }),
    energy: timeChart($('chart-energy'), { label: t('st.chartEnergy'), unit: 'Wh', cls: 'energy', onZoom: zoomTo })
  };
  return charts;
}

function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

/**
 * The charts from..to (the chosen range, a custom one, or what the operator zoomed to): the hub picks a step that
 * gives a few hundred points, whatever the length, and says which.
 */
async function loadHistory(fromMs, toMs) {
  const to = toMs || Date.now();
  const from = fromMs || to - RANGES[range];
  const q = '&from=' + from + '&to=' + to;
  const [occ, power, energy] = await Promise.all([
    api('GET', base() + '/history?metric=occupancy.count' + q),
    api('GET', base() + '/history?metric=chargers.powerW' + q),
    api('GET', base() + '/history?metric=chargers.energyWh' + q)
  ]);
  history = { occ, power, energy, from, to };
  $('range-from').value = localInput(from);
  $('range-to').value = localInput(to);
  renderCharts();
}

function renderCharts() {
  if (!history) { return; }
  const c = makeCharts();
  c.occ.set(history.occ.points || [], history.from, history.to, history.occ.step);
  c.power.set(history.power.points || [], history.from, history.to, history.power.step);
  c.energy.set(history.energy.points || [], history.from, history.to, history.energy.step);
  Object.keys(RANGES).forEach((r) => { $('range-' + r).className = range === r ? 'on' : ''; });
  $('range-custom').className = range === 'custom' ? 'on' : '';
}

function setRange(r) {
  range = r;
  loadHistory().catch(showError);
}

function customRange(ev) {
  ev.preventDefault();
  const from = Date.parse($('range-from').value);
  const to = Date.parse($('range-to').value);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    $('message').textContent = t('st.badRange');
    return;
  }
  $('message').textContent = '';
  range = 'custom';
  loadHistory(from, to).catch(showError);
}

// ---- records ----

async function loadAlerts() {
  const r = await api('GET', '/api/v1/alerts?stationId=' + encodeURIComponent(id) + '&limit=50');
  alerts = r.alerts || [];
  renderAlertList();
}

function renderAlertList() {
  renderAlerts($('alerts'), alerts, { onChange: (a) => { replaceAlert(a); } });
}

function replaceAlert(a) {
  const i = alerts.findIndex((x) => x.id === a.id);
  if (a.id === undefined) { return; }
  if (i >= 0) { alerts[i] = Object.assign({}, alerts[i], a); } else { alerts.unshift(a); }
  renderAlertList();
  if (station) {
    station.alerts = alerts.filter((x) => !x.closedAt);
  }
}

async function loadAccess() {
  const r = await api('GET', '/api/v1/events?stationId=' + encodeURIComponent(id)
    + '&type=' + encodeURIComponent('access.*,door.*') + '&order=newest&limit=50');
  access = r.events || [];
  renderAccess();
}

function renderAccess() {
  const body = $('access');
  body.textContent = '';
  if (!access.length) { body.appendChild(emptyRow(3)); return; }
  access.forEach((e) => {
    const tr = el('tr', String(e.type).replace(/[^a-z]/g, '-'));
    tr.appendChild(el('td', null, fmtTime(e.ts)));
    tr.appendChild(el('td', null, known('ev.', e.type)));
    const d = e.data || {};
    const parts = [];
    if (d.method) { parts.push(known('method.', d.method)); }
    if (d.member) { parts.push(String(d.member)); }
    if (d.reason) { parts.push(String(d.reason)); }
    if (d.by) { parts.push(String(d.by)); }
    tr.appendChild(el('td', null, parts.join(' · ') || t('noData')));
    body.appendChild(tr);
  });
}

async function loadSessions() {
  const r = await api('GET', base() + '/sessions?limit=20');
  sessions = r.sessions || [];
  renderSessions();
}

function renderSessions() {
  const body = $('sessions');
  body.textContent = '';
  if (!sessions.length) { body.appendChild(emptyRow(6)); return; }
  sessions.forEach((s) => {
    const tr = el('tr');
    tr.appendChild(el('td', null, s.port ? '#' + s.port : t('noData')));
    tr.appendChild(el('td', null, s.member || t('noData')));
    tr.appendChild(el('td', null, fmtTime(s.startedAt)));
    tr.appendChild(el('td', null, s.endedAt ? fmtTime(s.endedAt) : t('st.charging')));
    tr.appendChild(el('td', null, num(s.energyWh, 0, 'Wh')));
    tr.appendChild(el('td', null, s.reason ? known('reason.', s.reason) : t('noData')));
    body.appendChild(tr);
  });
}

function emptyRow(cols) {
  const tr = el('tr');
  const td = el('td', 'muted', t('st.none'));
  td.colSpan = cols;
  tr.appendChild(td);
  return tr;
}

// At most one reload per second for a burst of events.
function later(key, fn) {
  if (timers.has(key)) { return; }
  timers.set(key, setTimeout(() => {
    timers.delete(key);
    fn().catch(showError);
  }, 1000));
}

function live() {
  openStream({
    presence: (m) => {
      if (!station) { return; }
      station.presence = Object.assign({}, station.presence || {}, m.data || {});
      renderStation();
    },
    telemetry: (m) => {
      if (!station) { return; }
      const d = m.data || {};
      if (d.occupancy) { station.occupancy = d.occupancy; }
      if (d.door) { station.door = d.door; }
      if (d.env) { station.env = d.env; }
      if (d.loads) { station.loads = d.loads; }
      if (d.chargers) { station.chargers = d.chargers; }
      station.presence = Object.assign({}, station.presence || {}, { lastSeen: Date.now() });
      renderStation();
    },
    alert: (m) => replaceAlert(m.data || {}),
    event: (m) => {
      const type = String((m.data && m.data.type) || '');
      if (type.startsWith('access.') || type.startsWith('door.')) { later('access', loadAccess); }
      if (type.startsWith('charger.session_')) {
        later('sessions', loadSessions);
        later('station', loadStation);
      }
    },
    command: (m) => update(m.data || {})
  }, id);
}

if (startShell()) {
  onLanguage(() => {
    renderStation();
    renderCharts();
    renderAlertList();
    renderAccess();
    renderSessions();
    renderCommands();
  });
  $('unlock').addEventListener('click', () => send('door.unlock', { seconds: 5 }));
  $('selftest').addEventListener('click', () => send('selftest.run', {}));
  Object.keys(RANGES).forEach((r) => $('range-' + r).addEventListener('click', () => setRange(r)));
  $('range-form').addEventListener('submit', customRange);
  if (!/^[a-z0-9-]{3,40}$/.test(id)) {
    $('message').textContent = t('st.noId');
  } else {
    loadStation().then(() => {
      live();
      return Promise.all([loadHistory(), loadAlerts(), loadAccess(), loadSessions()]);
    }).catch(showError);
  }
}
