// Operator overview: every station with presence, occupancy, charger ports and door, live over SSE.
// Open smoke and safety cut-off alerts are listed in a banner above the table and mark their row.
// All data is written with textContent, never as HTML, so names such as "<script>" show as text.
(function () {
  'use strict';

  const I18N = {
    zh: {
      'title': '驿站 运营总览', 'logout': '退出', 'live.on': '实时', 'live.off': '未连接',
      'login.title': '登录', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
      'login.failed': '用户名或密码错误', 'login.limited': '尝试次数过多，请稍后再试',
      'col.station': '驿站', 'col.presence': '在线状态', 'col.occupancy': '室内人数', 'col.chargers': '充电口',
      'col.door': '门', 'col.alerts': '告警',
      'state.online': '在线', 'state.offline': '离线', 'state.unknown': '未知',
      'since': '自 {t} 起', 'lastSeen': '最后消息 {t}',
      'port.available': '空闲', 'port.occupied': '已插入', 'port.charging': '充电中', 'port.finishing': '即将充满',
      'port.faulted': '故障', 'port.disabled': '停用',
      'door.open': '开', 'door.closed': '关', 'door.locked': '已锁', 'door.unlocked': '未锁',
      'alert.offline': '离线', 'alerts.none': '无',
      'alert.safety-cutoff': '安全断电', 'alert.smoke': '烟雾报警', 'alert.door-forced': '门被强行打开',
      'alert.door-held-open': '门长时间未关', 'alert.cabinet': '整个充电柜', 'alert.repeats': '重复 {n} 次',
      'cause.overcurrent': '过流', 'cause.over-temperature': '过温', 'cause.cabinet-overload': '充电柜过载',
      'cause.meter-failure': '电表无响应',
      'col.today': '今日充电', 'today.value': '{n} 次 · {e} 千瓦时',
      'session.title': '会员 {m} · {t} 开始 · {e} 瓦时',
      'summary.faulted': '故障充电口 {n}', 'summary.energy': '今日充电 {e} 千瓦时',
      'danger.title': '紧急告警', 'danger.smoke': '{s}：烟雾报警，已断开充电电源',
      'danger.cutoff': '{s}：{p} 安全断电（{c}）', 'danger.port': '{n} 号充电口',
      'unlock': '开门', 'unlock.sent': '已向 {s} 发送开门指令', 'unlock.ok': '{s}：门已打开',
      'unlock.failed': '{s}：开门失败（{r}）', 'unlock.expired': '{s}：开门指令已过期（驿站离线）',
      'summary.total': '驿站 {n}', 'summary.online': '在线 {n}', 'summary.offline': '离线 {n}',
      'summary.free': '空闲充电口 {n}',
      'empty': '还没有驿站。技术员可以通过 API 添加驿站。', 'footer': '驿站 Yizhan · 工会户外劳动者服务站',
      'error': '出错了：{m}', 'noData': '—'
    },
    en: {
      'title': 'Yizhan operator overview', 'logout': 'Log out', 'live.on': 'Live', 'live.off': 'Not connected',
      'login.title': 'Log in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Log in',
      'login.failed': 'Wrong username or password', 'login.limited': 'Too many attempts, try again later',
      'col.station': 'Station', 'col.presence': 'Presence', 'col.occupancy': 'In the room', 'col.chargers': 'Charger ports',
      'col.door': 'Door', 'col.alerts': 'Alerts',
      'state.online': 'Online', 'state.offline': 'Offline', 'state.unknown': 'Unknown',
      'since': 'since {t}', 'lastSeen': 'last message {t}',
      'port.available': 'free', 'port.occupied': 'plugged', 'port.charging': 'charging', 'port.finishing': 'finishing',
      'port.faulted': 'faulted', 'port.disabled': 'disabled',
      'door.open': 'open', 'door.closed': 'closed', 'door.locked': 'locked', 'door.unlocked': 'unlocked',
      'alert.offline': 'offline', 'alerts.none': 'none',
      'alert.safety-cutoff': 'safety cut-off', 'alert.smoke': 'smoke alarm', 'alert.door-forced': 'door forced open',
      'alert.door-held-open': 'door held open', 'alert.cabinet': 'whole cabinet', 'alert.repeats': '{n} repeats',
      'cause.overcurrent': 'overcurrent', 'cause.over-temperature': 'over-temperature',
      'cause.cabinet-overload': 'cabinet overload', 'cause.meter-failure': 'meter not answering',
      'col.today': 'Charging today', 'today.value': '{n} sessions · {e} kWh',
      'session.title': 'member {m} · since {t} · {e} Wh',
      'summary.faulted': '{n} faulted ports', 'summary.energy': '{e} kWh charged today',
      'danger.title': 'Urgent alerts', 'danger.smoke': '{s}: smoke alarm, charging power cut',
      'danger.cutoff': '{s}: safety cut-off on {p} ({c})', 'danger.port': 'port {n}',
      'unlock': 'Open door', 'unlock.sent': 'Open-door command sent to {s}', 'unlock.ok': '{s}: door opened',
      'unlock.failed': '{s}: door did not open ({r})', 'unlock.expired': '{s}: open-door command expired (station offline)',
      'summary.total': '{n} stations', 'summary.online': '{n} online', 'summary.offline': '{n} offline',
      'summary.free': '{n} free charger ports',
      'empty': 'No stations yet. Technicians add stations through the API.', 'footer': 'Yizhan · union rest stations for outdoor workers',
      'error': 'Something went wrong: {m}', 'noData': '—'
    }
  };

  let lang = localStorage.getItem('yizhan.lang') || 'zh';
  let token = sessionStorage.getItem('yizhan.token');
  const stations = new Map();
  const pendingCommands = new Map();
  const refreshing = new Map();
  const DANGER = ['smoke', 'safety-cutoff'];
  let stream = null;

  const $ = (id) => document.getElementById(id);

  function t(key, vars) {
    let s = (I18N[lang] && I18N[lang][key]) || I18N.zh[key] || key;
    if (vars) {
      Object.keys(vars).forEach((k) => { s = s.replace('{' + k + '}', String(vars[k])); });
    }
    return s;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fmtTime(ms) {
    if (!ms) { return t('noData'); }
    const d = new Date(ms);
    const now = new Date();
    const sameDay = d.toDateString() === now.toDateString();
    return sameDay ? d.toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB')
                   : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  }

  function applyLanguage() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.getAttribute('data-i18n')); });
    document.title = lang === 'zh' ? '驿站 · 运营总览' : 'Yizhan · Operator overview';
    $('lang').textContent = lang === 'zh' ? 'English' : '中文';
    renderAll();
  }

  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (token) { headers['Authorization'] = 'Bearer ' + token; }
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && path !== '/api/v1/auth/login') { logout(); throw new Error('401'); }
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((json.error && json.error.message) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return json;
  }

  function showLogin() {
    $('login-view').hidden = false;
    $('stations-view').hidden = true;
    $('logout').hidden = true;
  }

  function logout() {
    token = null;
    sessionStorage.removeItem('yizhan.token');
    if (stream) { stream.close(); stream = null; }
    setLive(false);
    showLogin();
  }

  function setLive(on) {
    const l = $('live');
    l.className = 'live ' + (on ? 'on' : 'off');
    l.setAttribute('data-i18n', on ? 'live.on' : 'live.off');
    l.textContent = t(on ? 'live.on' : 'live.off');
  }

  async function showStations() {
    $('login-view').hidden = true;
    $('stations-view').hidden = false;
    $('logout').hidden = false;
    try {
      const data = await api('GET', '/api/v1/stations');
      stations.clear();
      (data.stations || []).forEach((s) => stations.set(s.id, s));
      renderAll();
      connectStream();
    } catch (e) {
      if (e.message !== '401') { $('message').textContent = t('error', { m: e.message }); }
    }
  }

  function connectStream() {
    if (stream) { stream.close(); }
    stream = new EventSource('/api/v1/stream?access_token=' + encodeURIComponent(token));
    stream.onopen = () => setLive(true);
    stream.onerror = () => setLive(false);
    stream.addEventListener('presence', (m) => onLive(m, (s, d) => {
      s.presence = Object.assign({}, s.presence || {}, d);
    }));
    stream.addEventListener('telemetry', (m) => onLive(m, (s, d) => {
      if (d.occupancy) { s.occupancy = d.occupancy; }
      if (d.door) { s.door = d.door; }
      if (d.chargers) { s.chargers = keepSessions(s.chargers, d.chargers); }
      s.presence = Object.assign({}, s.presence || {}, { lastSeen: Date.now() });
    }));
    stream.addEventListener('alert', (m) => onLive(m, (s, d) => {
      const list = (s.alerts || []).filter((a) => a.id !== d.id);
      if (!d.closedAt) { list.push(d); }
      s.alerts = list;
    }));
    stream.addEventListener('event', (m) => {
      const msg = JSON.parse(m.data);
      const type = (msg.data && msg.data.type) || '';
      if (type.indexOf('charger.session_') === 0) { refreshStation(msg.stationId); }
    });
    stream.addEventListener('command', (m) => {
      const msg = JSON.parse(m.data);
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
      } catch (e) {
        if (e.message !== '401') { $('message').textContent = t('error', { m: e.message }); }
      }
    }, 1000));
  }

  // A translation of key, or the raw value when there is none (a newer station may send new names).
  function known(prefix, value) {
    const key = prefix + value;
    return (I18N[lang] && I18N[lang][key]) || I18N.zh[key] || String(value);
  }

  function kwh(wh) {
    return (Number(wh || 0) / 1000).toFixed(2);
  }

  function alertLabel(a) {
    let label = known('alert.', a.type);
    const d = a.data || {};
    if (a.type === 'safety-cutoff') {
      label += ' · ' + (d.port ? '#' + d.port : t('alert.cabinet'));
      if (d.cause) { label += ' · ' + known('cause.', d.cause); }
    }
    if (d.repeats) { label += ' · ' + t('alert.repeats', { n: d.repeats }); }
    return label + ' · ' + fmtTime(a.openedAt);
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

  function onLive(m, apply) {
    const msg = JSON.parse(m.data);
    const s = stations.get(msg.stationId);
    if (!s) { showStations(); return; }
    apply(s, msg.data || {});
    renderRow(s, true);
    renderSummary();
  }

  function renderAll() {
    if ($('stations-view').hidden) { return; }
    const tbody = $('stations');
    tbody.textContent = '';
    const list = Array.from(stations.values()).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    list.forEach((s) => tbody.appendChild(buildRow(s)));
    $('empty').hidden = list.length > 0;
    renderSummary();
  }

  function renderSummary() {
    const all = Array.from(stations.values());
    const online = all.filter((s) => s.presence && s.presence.state === 'online').length;
    const offline = all.filter((s) => s.presence && s.presence.state === 'offline').length;
    const free = all.reduce((n, s) => n + (s.chargers || []).filter((c) => c.state === 'available').length, 0);
    const box = $('summary');
    box.textContent = '';
    box.appendChild(el('span', 'pill', t('summary.total', { n: all.length })));
    box.appendChild(el('span', 'pill', t('summary.online', { n: online })));
    box.appendChild(el('span', 'pill', t('summary.offline', { n: offline })));
    box.appendChild(el('span', 'pill', t('summary.free', { n: free })));
    const faulted = all.reduce((n, s) => n + (s.chargers || []).filter((c) => c.state === 'faulted').length, 0);
    box.appendChild(el('span', 'pill' + (faulted ? ' bad' : ''), t('summary.faulted', { n: faulted })));
    const energy = all.reduce((n, s) => n + Number((s.today && s.today.energyWh) || 0), 0);
    box.appendChild(el('span', 'pill', t('summary.energy', { e: kwh(energy) })));
    renderDanger();
  }

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
    name.appendChild(el('div', 'name', s.name));
    name.appendChild(el('div', 'addr', s.address || s.id));
    tr.appendChild(name);

    const p = s.presence || { state: 'unknown' };
    const pres = cell('col.presence');
    const state = ['online', 'offline'].includes(p.state) ? p.state : 'unknown';
    const badge = el('span', 'state ' + state, t('state.' + state));
    badge.setAttribute('data-state', state);
    pres.appendChild(badge);
    if (p.since) { pres.appendChild(el('span', 'since', t('since', { t: fmtTime(p.since) }))); }
    if (p.lastSeen) { pres.appendChild(el('span', 'since', t('lastSeen', { t: fmtTime(p.lastSeen) }))); }
    tr.appendChild(pres);

    const occ = cell('col.occupancy');
    if (s.occupancy) {
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
      const label = '#' + c.port + ' ' + t('port.' + st) + (c.state === 'charging' ? ' ' + Math.round(c.powerW) + 'W' : '');
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
        al.appendChild(el('div', 'alert' + (DANGER.includes(a.type) ? ' danger' : ''), alertLabel(a)));
      });
    } else {
      al.textContent = t('alerts.none');
    }
    tr.appendChild(al);

    const act = el('td');
    const btn = el('button', 'unlock', t('unlock'));
    btn.type = 'button';
    btn.addEventListener('click', () => unlock(s));
    act.appendChild(btn);
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
      if (e.message !== '401') { $('message').textContent = t('error', { m: e.message }); }
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('lang').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem('yizhan.lang', lang);
      applyLanguage();
    });
    $('logout').addEventListener('click', logout);
    $('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      $('login-error').textContent = '';
      try {
        const r = await api('POST', '/api/v1/auth/login', { username: f.username.value, password: f.password.value });
        token = r.token;
        sessionStorage.setItem('yizhan.token', token);
        f.password.value = '';
        showStations();
      } catch (e) {
        $('login-error').textContent = e.status === 429 ? t('login.limited') : t('login.failed');
      }
    });
    applyLanguage();
    if (token) { showStations(); } else { showLogin(); }
    setInterval(renderAll, 30000);
  });
})();
