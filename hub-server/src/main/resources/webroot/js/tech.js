// Technician: add a station and get its claim code (large text in groups, and a QR), and see every station with
// its presence and whether it has been claimed, live over SSE.

import { $, api, el, openStream, presence } from './common.js';
import { t, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { codeElement, expiresText, loadQr } from './claim.js';

let stations = [];
let lastClaim = null;

function commissionHref(id) {
  return '/commission.html?id=' + encodeURIComponent(id);
}

function num(form, name) {
  const v = form[name].value.trim();
  const n = Number(v);
  if (v === '' || !Number.isFinite(n)) { throw new Error(t('tp.badNumber', { f: t('tp.' + name) })); }
  return n;
}

async function add(ev) {
  ev.preventDefault();
  const f = $('add-form');
  $('add-error').textContent = '';
  let body;
  try {
    body = {
      name: f.name.value.trim(), district: f.district.value.trim() || null, address: f.address.value.trim(),
      lat: num(f, 'lat'), lon: num(f, 'lon'),
      profile: f.profile.value, ports: num(f, 'ports'), capacity: num(f, 'capacity')
    };
  } catch (e) {
    $('add-error').textContent = e.message;
    return;
  }
  $('add').disabled = true;
  try {
    const r = await api('POST', '/api/v1/stations', body);
    lastClaim = { id: r.station.id, name: r.station.name, code: r.claimCode, expiresAt: r.claimExpiresAt };
    renderClaim();
    loadQr($('claim-qr'), lastClaim.id, lastClaim.code);
    f.reset();
    await loadStations();
  } catch (e) {
    $('add-error').textContent = e.message;
  } finally {
    $('add').disabled = false;
  }
}

function renderClaim() {
  if (!lastClaim) { return; }
  $('claim-card').hidden = false;
  $('claim-name').textContent = lastClaim.name;
  const box = $('claim-code');
  box.textContent = '';
  box.appendChild(codeElement(lastClaim.code));
  $('claim-expires').textContent = expiresText(lastClaim.expiresAt);
  $('claim-commission').href = commissionHref(lastClaim.id);
}

async function loadStations() {
  const r = await api('GET', '/api/v1/stations');
  stations = r.stations || [];
  renderStations();
}

function renderStations() {
  const body = $('stations');
  body.textContent = '';
  stations.forEach((s) => {
    const tr = el('tr');
    tr.setAttribute('data-station', s.id);
    const name = el('td');
    name.appendChild(el('div', 'name', s.name));
    name.appendChild(el('div', 'addr', s.address));
    if (s.district) { name.appendChild(el('div', 'district muted', s.district)); }
    tr.appendChild(name);
    const st = el('td');
    st.appendChild(presence(s.presence, { lastSeen: false }));
    tr.appendChild(st);
    tr.appendChild(el('td', null, t(s.provisioned ? 'tech.provisioned' : 'tech.notProvisioned')));
    const go = el('td');
    const a = el('a', 'commission', t('tech.commission'));
    a.href = commissionHref(s.id);
    go.appendChild(a);
    tr.appendChild(go);
    body.appendChild(tr);
  });
}

if (startShell()) {
  onLanguage(() => { renderClaim(); renderStations(); });
  $('add-form').addEventListener('submit', add);
  loadStations().catch((e) => { $('message').textContent = t('error', { m: e.message }); });
  openStream({
    presence: (m) => {
      const s = stations.find((x) => x.id === m.stationId);
      if (s) { s.presence = Object.assign({}, s.presence || {}, m.data || {}); renderStations(); }
      else { loadStations().catch(() => {}); }
    }
  });
}
