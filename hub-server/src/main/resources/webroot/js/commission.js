// Technician: commission one kiosk. See it come online (live over SSE), run the self-test checklist and see each
// check pass or fail, and see and push the station's configuration versions.

import { $, addTexts, api, el, fmtTime, initFrame, known, onLanguage, openStream, t } from './common.js';
import { codeElement, expiresText, loadQr } from './tech-common.js';

const SETTINGS = ['heartbeatSeconds', 'telemetrySeconds', 'door.unlockSeconds', 'door.heldOpenSeconds',
  'occupancy.capacity', 'charger.sessionLimitMinutes', 'charger.fullThresholdW', 'charger.fullAfterSeconds',
  'charger.portMaxW', 'charger.portMaxTempC', 'charger.cabinetMaxW', 'charger.dailySessions', 'charger.dailyEnergyWh'];

addTexts({
  zh: {
    'cp.title': '驿站 · 调试', 'cp.newClaim': '生成新认领码', 'cp.selftest': '自检清单',
    'cp.selftestHelp': '关好门，确保红外对射无遮挡，然后运行自检。', 'cp.run': '运行自检',
    'cp.config': '配置版本', 'cp.current': '当前版本', 'cp.reported': '驿站报告运行版本', 'cp.push': '推送新版本',
    'cp.version': '版本', 'cp.when': '时间', 'cp.who': '操作人', 'cp.changes': '变更', 'cp.initial': '初始配置',
    'cp.notReported': '尚未报告', 'cp.rejected': '驿站拒绝了版本 {v}：', 'cp.pushed': '已推送版本 {v}',
    'cp.noChange': '没有修改', 'cp.waiting': '正在等待驿站回复…', 'cp.allOk': '全部通过', 'cp.someBad': '有检查未通过',
    'cp.failed': '自检未完成：{m}', 'cp.badNumber': '{f}：请输入数字', 'cp.noId': '缺少驿站编号', 'cp.pass': '通过', 'cp.fail': '未通过',
    'check.relay': '门锁继电器', 'check.door-contact': '门磁', 'check.beam-outer': '外侧红外对射',
    'check.beam-inner': '内侧红外对射', 'check.smoke': '烟雾探测', 'check.camera': '摄像头与二维码识别',
    'check.uplink': '与平台连接', 'check.outbox': '待发送事件', 'check.meter': '充电口 {n} 电表',
    'set.heartbeatSeconds': '心跳间隔（秒）', 'set.telemetrySeconds': '遥测间隔（秒）',
    'set.door.unlockSeconds': '开门时长（秒）', 'set.door.heldOpenSeconds': '门未关报警（秒）',
    'set.occupancy.capacity': '容纳人数', 'set.charger.sessionLimitMinutes': '单次充电上限（分钟）',
    'set.charger.fullThresholdW': '充满判定功率（瓦）', 'set.charger.fullAfterSeconds': '充满判定时长（秒）',
    'set.charger.portMaxW': '单口最大功率（瓦）', 'set.charger.portMaxTempC': '单口最高温度（℃）',
    'set.charger.cabinetMaxW': '充电柜总功率（瓦）', 'set.charger.dailySessions': '每人每日充电次数',
    'set.charger.dailyEnergyWh': '每人每日电量（瓦时，0 为不限）'
  },
  en: {
    'cp.title': 'Yizhan · Commission', 'cp.newClaim': 'New claim code', 'cp.selftest': 'Self-test checklist',
    'cp.selftestHelp': 'Shut the door and keep the door beams clear, then run the self-test.', 'cp.run': 'Run self-test',
    'cp.config': 'Configuration versions', 'cp.current': 'Current version', 'cp.reported': 'station reports running',
    'cp.push': 'Push a new version', 'cp.version': 'Version', 'cp.when': 'When', 'cp.who': 'By', 'cp.changes': 'Changes',
    'cp.initial': 'initial configuration', 'cp.notReported': 'not reported yet', 'cp.rejected': 'The station refused version {v}:',
    'cp.pushed': 'Version {v} pushed', 'cp.noChange': 'Nothing changed', 'cp.waiting': 'Waiting for the station…',
    'cp.allOk': 'All checks passed', 'cp.someBad': 'Some checks failed', 'cp.failed': 'The self-test did not run: {m}', 'cp.badNumber': '{f}: enter a number',
    'cp.noId': 'No station id', 'cp.pass': 'PASS', 'cp.fail': 'FAIL',
    'check.relay': 'Door lock relay', 'check.door-contact': 'Door contact', 'check.beam-outer': 'Outer door beam',
    'check.beam-inner': 'Inner door beam', 'check.smoke': 'Smoke detector', 'check.camera': 'Camera and QR decoder',
    'check.uplink': 'Connection to the hub', 'check.outbox': 'Events waiting', 'check.meter': 'Port {n} meter',
    'set.heartbeatSeconds': 'Heartbeat (s)', 'set.telemetrySeconds': 'Telemetry (s)',
    'set.door.unlockSeconds': 'Door opens for (s)', 'set.door.heldOpenSeconds': 'Held-open alarm after (s)',
    'set.occupancy.capacity': 'Room capacity', 'set.charger.sessionLimitMinutes': 'Session limit (min)',
    'set.charger.fullThresholdW': 'Full below (W)', 'set.charger.fullAfterSeconds': 'Full after (s)',
    'set.charger.portMaxW': 'Port max power (W)', 'set.charger.portMaxTempC': 'Port max temperature (°C)',
    'set.charger.cabinetMaxW': 'Cabinet max power (W)', 'set.charger.dailySessions': 'Sessions per rider a day',
    'set.charger.dailyEnergyWh': 'Energy per rider a day (Wh, 0 = no limit)'
  }
});

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
  const p = station.presence || { state: 'unknown' };
  const state = ['online', 'offline'].includes(p.state) ? p.state : 'unknown';
  const badge = $('presence-state');
  badge.className = 'state ' + state;
  badge.setAttribute('data-state', state);
  badge.textContent = known('state.', state);
  $('presence-since').textContent = p.since ? t('since', { t: fmtTime(p.since) }) : '';
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
    poll(r.id, 0);
  } catch (e) {
    selftest = { status: 'failed', result: { error: { message: e.message } } };
    renderSelftest();
  }
}

const FINAL = ['succeeded', 'failed', 'expired'];

function poll(cmdId, n) {
  if (n > 30) { return; }
  setTimeout(async () => {
    if (!selftest || selftest.id !== cmdId || FINAL.includes(selftest.status)) { return; }
    try {
      const r = await api('GET', '/api/v1/commands/' + encodeURIComponent(cmdId));
      update({ id: cmdId, status: r.status, result: r.result });
    } catch (e) { /* the stream may still bring it */ }
    poll(cmdId, n + 1);
  }, 2000);
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

if (initFrame(true)) {
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
