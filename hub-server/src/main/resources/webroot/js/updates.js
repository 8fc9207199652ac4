// Signed agent updates: the versions uploaded (and the release keys the hub checks them with), an admin's upload
// and rollout in rings, each rollout's progress, and what every station runs. Refreshed live as stations report.
import { $, el, api, button, fmtTime, openStream, stationHref } from './common.js';
import { t, onLanguage } from './i18n.js';
import { startShell } from './shell.js';

let updates = [];
let keys = [];
let rollouts = [];
let agents = {};
let stations = [];
const details = new Map();
let admin = false;
let refreshing = null;

function mib(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1) + ' MiB';
}

function statusText(s) {
  return t('up.st.' + s);
}

function render() {
  $('keys').textContent = keys.length ? t('up.keys', { k: keys.join(', ') }) : t('up.noKeys');
  const ut = $('updates');
  ut.textContent = '';
  updates.forEach((u) => {
    const tr = el('tr');
    tr.setAttribute('data-version', u.version);
    tr.append(el('td', 'version', u.version), el('td', 'mono', u.keyId), el('td', null, mib(u.size)),
      el('td', null, t('up.by', { t: fmtTime(u.uploadedAt), u: u.uploadedBy })), el('td'));
    ut.appendChild(tr);
  });
  const sel = $('rollout-version');
  const chosen = sel.value;
  sel.textContent = '';
  updates.forEach((u) => { const o = el('option', null, u.version); o.value = u.version; sel.appendChild(o); });
  if (chosen) { sel.value = chosen; }
  const canary = $('canary');
  const c = canary.value;
  canary.textContent = '';
  canary.appendChild(el('option', null, t('up.anyStation')));
  canary.firstChild.value = '';
  stations.forEach((s) => { const o = el('option', null, s.name); o.value = s.id; canary.appendChild(o); });
  canary.value = c;

  const rs = $('rollouts');
  rs.textContent = '';
  if (!rollouts.length) { rs.appendChild(el('p', 'muted', t('up.noRollouts'))); }
  rollouts.forEach((r) => {
    const d = details.get(r.id) || r;
    const box = el('div', 'rollout ' + r.state);
    box.setAttribute('data-rollout', r.id);
    box.setAttribute('data-state', d.state);
    const head = el('p');
    head.append(el('strong', null, d.version), ' · ', el('span', 'rollout-state ' + d.state, t('up.rs.' + d.state)),
      ' · ', t('up.ringNow', { r: d.ring }), ' · ', fmtTime(d.createdAt));
    box.appendChild(head);
    if (d.counts) {
      box.appendChild(el('p', 'counts', Object.keys(d.counts).map((k) => statusText(k) + ' ' + d.counts[k]).join(' · ')));
    }
    if (d.detail) { box.appendChild(el('p', 'muted detail', d.detail)); }
    if (admin && d.state === 'halted') { box.appendChild(button(t('up.resume'), null, () => change(r.id, 'resume'))); }
    if (admin && (d.state === 'running' || d.state === 'halted')) {
      box.appendChild(button(t('up.cancel'), null, () => change(r.id, 'cancel')));
    }
    rs.appendChild(box);
  });

  const at = $('agents');
  at.textContent = '';
  stations.forEach((s) => {
    const a = agents[s.id] || {};
    const u = a.update || {};
    const tr = el('tr');
    tr.setAttribute('data-station', s.id);
    const name = el('a', null, s.name);
    name.href = stationHref(s.id);
    const td = el('td');
    td.appendChild(name);
    const st = el('td', 'status');
    if (u.status) { st.appendChild(el('span', 'up-status ' + u.status, statusText(u.status))); }
    tr.append(td, el('td', 'running', a.version || '—'),
      el('td', 'ring', u.ring === undefined ? '—' : t('up.ringN', { r: u.ring, v: u.version })), st,
      el('td', 'muted', u.detail || ''));
    at.appendChild(tr);
  });
}

async function load() {
  const [u, r, a, s] = await Promise.all([api('GET', '/api/v1/agent-updates'), api('GET', '/api/v1/rollouts'),
    api('GET', '/api/v1/agents'), api('GET', '/api/v1/stations')]);
  updates = u.updates || [];
  keys = u.releaseKeys || [];
  rollouts = r.rollouts || [];
  agents = a.agents || {};
  stations = s.stations || [];
  const open = rollouts.filter((x) => x.state === 'running' || x.state === 'halted').slice(0, 5);
  const shown = await Promise.all(open.map((x) => api('GET', '/api/v1/rollouts/' + encodeURIComponent(x.id))));
  shown.forEach((d) => details.set(d.id, d));
  render();
}

function refresh() {
  if (refreshing) { return; }
  refreshing = setTimeout(() => { refreshing = null; load().catch(show); }, 500);
}

function show(e) {
  if (e && e.status === 401) { return; }
  $('message').textContent = e ? (e.status ? e.message : t('error', { m: e.message })) : '';
}

async function upload(ev) {
  ev.preventDefault();
  $('upload-result').textContent = '';
  const file = $('file').files[0];
  if (!file) { $('upload-result').textContent = t('up.noFile'); return; }
  $('upload').disabled = true;
  try {
    const res = await api('POST', '/api/v1/agent-updates', file, { contentType: 'application/octet-stream' });
    $('upload-result').textContent = t('up.uploadedOk', { v: res.update.version, k: res.update.keyId });
    await load();
  } catch (e) {
    $('upload-result').textContent = e.status ? e.message : t('error', { m: e.message });
  } finally {
    $('upload').disabled = false;
  }
}

async function startRollout(ev) {
  ev.preventDefault();
  const version = $('rollout-version').value;
  if (!version) { return; }
  const body = { deadlineSeconds: Number($('deadline').value) || 600 };
  if ($('canary').value) { body.canary = $('canary').value; }
  try {
    const r = await api('POST', '/api/v1/agent-updates/' + encodeURIComponent(version) + '/rollouts', body);
    details.set(r.id, r);
    show(null);
    await load();
  } catch (e) { show(e); }
}

async function change(id, what) {
  try {
    const r = await api('POST', '/api/v1/rollouts/' + encodeURIComponent(id) + '/' + what, {});
    details.set(r.id, r);
    await load();
  } catch (e) { show(e); }
}

async function whoAmI() {
  const me = await api('GET', '/api/v1/auth/me');
  admin = me.role === 'admin';
  document.querySelectorAll('[data-admin]').forEach((e) => { e.hidden = !admin; });
}

if (startShell()) {
  whoAmI().catch(show);
  onLanguage(render);
  $('upload-form').addEventListener('submit', upload);
  $('rollout-form').addEventListener('submit', startRollout);
  load().catch(show);
  openStream({ update: refresh, rollout: refresh, presence: refresh });
}
