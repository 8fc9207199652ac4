// Technician: add a station and get its claim code (large text in groups, and a QR), and see every station with
// its presence and whether it has been claimed, live over SSE.

import { $, addTexts, api, el, initFrame, known, onLanguage, openStream, t, fmtTime } from './common.js';
import { codeElement, expiresText, loadQr } from './tech-common.js';

addTexts({
  zh: {
    'tp.title': '驿站 · 安装调试', 'tp.add': '添加驿站', 'tp.name': '名称', 'tp.address': '地址', 'tp.lat': '纬度',
    'tp.lon': '经度', 'tp.profile': '硬件型号', 'tp.ports': '充电口数量', 'tp.capacity': '容纳人数',
    'tp.submit': '添加并生成认领码', 'tp.stations': '驿站', 'tp.state': '状态', 'tp.claimed': '认领',
    'tp.claimHelp': '在新驿站的屏幕或技术员命令行输入此码：provision --hub 地址 --code 认领码',
    'tp.badNumber': '{f}：请输入数字'
  },
  en: {
    'tp.title': 'Yizhan · Install', 'tp.add': 'Add a station', 'tp.name': 'Name', 'tp.address': 'Address',
    'tp.lat': 'Latitude', 'tp.lon': 'Longitude', 'tp.profile': 'Hardware profile', 'tp.ports': 'Charger ports',
    'tp.capacity': 'Room capacity', 'tp.submit': 'Add and get a claim code', 'tp.stations': 'Stations',
    'tp.state': 'State', 'tp.claimed': 'Claimed',
    'tp.claimHelp': 'Enter this code on the new kiosk, or run: provision --hub URL --code CODE',
    'tp.badNumber': '{f}: enter a number'
  }
});

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
      name: f.name.value.trim(), address: f.address.value.trim(), lat: num(f, 'lat'), lon: num(f, 'lon'),
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
    tr.appendChild(name);
    const p = s.presence || { state: 'unknown' };
    const state = ['online', 'offline'].includes(p.state) ? p.state : 'unknown';
    const st = el('td');
    const badge = el('span', 'state ' + state, known('state.', state));
    badge.setAttribute('data-state', state);
    st.appendChild(badge);
    if (p.since) { st.appendChild(el('span', 'since', t('since', { t: fmtTime(p.since) }))); }
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

if (initFrame(true)) {
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
