// Technician: commission one kiosk. See it come online (live over SSE), run the self-test checklist and see each
// check pass or fail, and see and push the station's configuration versions.

import { $, api, el, fmtTime, openStream, presence, FINAL, followCommand } from './common.js';
import { t, known, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { codeElement, expiresText, loadQr } from './claim.js';

const SETTINGS = ['heartbeatSeconds', 'telemetrySeconds', 'door.unlockSeconds', 'door.heldOpenSeconds',
  'occupancy.capacity', 'charger.sessionLimitMinutes', 'charger.fullThresholdW', 'charger.fullAfterSeconds',
  'charger.portMaxW', 'charger.portMaxTempC', 'charger.cabinetMaxW', 'charger.dailySessions', 'charger.dailyEnergyWh'];

const id = new URLSearchParams(location.search).get('id') || '';
let station = null;
let claim = null;
let config = null;
let selftest = null;

function base() {
  return '/api/v1/stations/' + encodeURIComponent(id);
}

function showError(e) {
  if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
}

// ---- the station and its claim code ----

async function loadStation() {
  station = await api('GET', base());
  renderStation();
  if (!station.provisioned) {
    try {
      const c = await api('GET', base() + '/claim');
      claim = { code: c.claimCode, expiresAt: c.claimExpiresAt };
    } catch (e) {
      claim = null;
    }
    renderClaim(true);
  } else {
    claim = null;
    renderClaim(false);
  }
}

function renderStation() {
  if (!station) { return; }
  $('name').textContent = station.name;
  $('address').textContent = station.address || '';
  $('presence').replaceChildren(presence(station.presence, { id: 'presence-state', lastSeen: false }));
}

function renderClaim(show) {
  $('claim-box').hidden = !show;
  const box = $('claim-code');
  box.textContent = '';
  if (!show || !claim) { $('claim-expires').textContent = ''; return; }
  box.appendChild(codeElement(claim.code));
  $('claim-expires').textContent = expiresText(claim.expiresAt);
  if ($('claim-qr').getAttribute('data-code') !== claim.code) {
    $('claim-qr').setAttribute('data-code', claim.code);
    loadQr($('claim-qr'), id, claim.code);
  }
}

async function newClaim() {
  try {
    const c = await api('POST', base() + '/claim');
    claim = { code: c.claimCode, expiresAt: c.claimExpiresAt };
    renderClaim(true);
  } catch (e) {
    showError(e);
  }
}

// ---- self-test ----

async function runSelftest() {
  $('checklist').textContent = '';
  selftest = { status: 'sending' };
  renderSelftest();
  try {
    const r = await api('POST', base() + '/commands', { name: 'selftest.run', args: {} });
    selftest = { id: r.id, status: r.status || 'pending' };
    renderSelftest();
    followCommand(r.id, () => !selftest || selftest.id !== r.id || FINAL.includes(selftest.status), update);
  } catch (e) {
    selftest = { status: 'failed', result: { error: { message: e.message } } };
    renderSelftest();
  }
}

function update(d) {
  if (!selftest || selftest.id !== d.id || !d.status) { return; }
  if (FINAL.includes(selftest.status)) { return; }
  selftest.status = d.status;
  if (d.result) { selftest.result = d.result; }
  renderSelftest();
}

function checkName(name) {
  const m = /^meter-(\d+)$/.exec(name);
  return m ? t('check.meter', { n: m[1] }) : known('check.', name);
}

function renderSelftest() {
  const s = $('selftest-status');
  const list = $('checklist');
  list.textContent = '';
  if (!selftest) { s.textContent = ''; s.setAttribute('data-status', ''); return; }
  const r = selftest.result || {};
  const data = r.data || {};
  let status = selftest.status;
  if (status === 'succeeded' && Array.isArray(data.checks)) { status = data.ok ? 'passed' : 'some-failed'; }
  s.setAttribute('data-status', status);
  if (status === 'passed') { s.textContent = t('cp.allOk'); }
  else if (status === 'some-failed') { s.textContent = t('cp.someBad'); }
  else if (status === 'failed' || status === 'expired') {
    s.textContent = t('cp.failed', { m: (r.error && r.error.message) || known('status.', status) });
  } else { s.textContent = t('cp.waiting') + ' ' + known('status.', status); }
  (data.checks || []).forEach((c) => {
    const li = el('li', c.ok ? 'ok' : 'bad');
    li.setAttribute('data-check', c.name);
    li.setAttribute('data-ok', String(!!c.ok));
    li.appendChild(el('span', 'mark', t(c.ok ? 'cp.pass' : 'cp.fail')));
    li.appendChild(el('strong', null, checkName(c.name)));
    li.appendChild(el('span', 'detail', c.detail || ''));
    list.appendChild(li);
  });
}

// ---- configuration versions ----

async function loadConfig() {
  config = await api('GET', base() + '/config');
  renderConfig();
}

function renderConfig() {
  if (!config) { return; }
  $('config-version').textContent = String(config.version);
  const rep = config.reported;
  const reported = $('reported-version');
  reported.textContent = rep ? String(rep.version) + ' · ' + fmtTime(rep.at) : t('cp.notReported');
  reported.setAttribute('data-version', rep ? String(rep.version) : '');
  const rej = $('config-rejected');
  rej.textContent = '';
  if (config.rejected) {
    rej.appendChild(el('li', null, t('cp.rejected', { v: config.rejected.version })));
    (config.rejected.problems || []).forEach((p) => rej.appendChild(el('li', null, p)));
  }
  const grid = $('settings');
  const typed = {};
  grid.querySelectorAll('input').forEach((i) => { if (i.value !== i.getAttribute('data-value')) { typed[i.name] = i.value; } });
  grid.textContent = '';
  SETTINGS.forEach((name) => {
    const label = el('label');
    label.appendChild(el('span', null, t('set.' + name)));
    const input = el('input');
    input.name = name;
    input.type = 'number';
    input.step = 'any';
    input.inputMode = 'decimal';
    const v = config.settings[name];
    input.setAttribute('data-value', v === undefined || v === null ? '' : String(v));
    input.value = typed[name] !== undefined ? typed[name] : input.getAttribute('data-value');
    label.appendChild(input);
    grid.appendChild(label);
  });
  const body = $('versions');
  body.textContent = '';
  (config.versions || []).forEach((v) => {
    const tr = el('tr');
    tr.setAttribute('data-version', v.version);
    tr.appendChild(el('td', null, String(v.version)));
    tr.appendChild(el('td', null, fmtTime(v.createdAt)));
    tr.appendChild(el('td', null, v.createdBy || ''));
    const changes = (v.changes || []).map((c) => t('set.' + c.field) + ': ' + c.from + ' → ' + c.to).join('；');
    tr.appendChild(el('td', null, v.version === 1 && !changes ? t('cp.initial') : changes));
    body.appendChild(tr);
  });
}

async function push(ev) {
  ev.preventDefault();
  $('config-error').textContent = '';
  $('config-problems').textContent = '';
  const settings = {};
  let bad = null;
  $('settings').querySelectorAll('input').forEach((i) => {
    if (i.value === i.getAttribute('data-value')) { return; }
    const n = Number(i.value);
    if (i.value.trim() === '' || !Number.isFinite(n)) { bad = bad || i.name; return; }
    settings[i.name] = n;
  });
  if (bad) { $('config-error').textContent = t('cp.badNumber', { f: t('set.' + bad) }); return; }
  if (Object.keys(settings).length === 0) { $('config-error').textContent = t('cp.noChange'); return; }
  $('push').disabled = true;
  try {
    const r = await api('POST', base() + '/config', { baseVersion: config.version, settings });
    $('config-error').textContent = '';
    $('message').textContent = '';
    $('config-problems').appendChild(el('li', 'ok', t('cp.pushed', { v: r.version })));
    $('settings').querySelectorAll('input').forEach((i) => { i.setAttribute('data-value', i.value); });
    await loadConfig();
  } catch (e) {
    $('config-error').textContent = e.message;
    await loadConfig().catch(() => {});
  } finally {
    $('push').disabled = false;
  }
}

if (startShell()) {
  onLanguage(() => { renderStation(); renderClaim(!!station && !station.provisioned); renderSelftest(); renderConfig(); });
  if (!/^[a-z0-9-]{3,40}$/.test(id)) {
    $('message').textContent = t('cp.noId');
  } else {
    $('run-selftest').addEventListener('click', runSelftest);
    $('new-claim').addEventListener('click', newClaim);
    $('config-form').addEventListener('submit', push);
    Promise.all([loadStation(), loadConfig()]).then(() => {
      openStream({
        presence: (m) => {
          station.presence = Object.assign({}, station.presence || {}, m.data || {});
          renderStation();
          if (!station.provisioned) { loadStation().catch(() => {}); }
        },
        command: (m) => update(m.data || {}),
        event: (m) => {
          const type = String((m.data && m.data.type) || '');
          if (type.startsWith('config.')) { loadConfig().catch(() => {}); }
        }
      }, id);
    }).catch(showError);
  }
}
