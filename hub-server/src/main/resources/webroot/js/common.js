// Shared by every staff page: texts in zh-CN first with an English switch (remembered), the signed-in token,
// calls to the JSON API, the live stream (SSE) and small DOM helpers. Every datum goes into the page through
// textContent or an attribute, never as HTML, so a station named "<script>" shows as text.

const TEXTS = {
  zh: {
    'nav.overview': '总览', 'nav.alerts': '告警', 'nav.feedback': '劳动者说', 'nav.scorecard': '考评', 'nav.tech': '安装调试', 'logout': '退出', 'live.on': '实时', 'live.off': '未连接',
    'lang.switch': 'English', 'footer': '驿站 Yizhan · 工会户外劳动者服务站',
    'state.online': '在线', 'state.offline': '离线', 'state.unknown': '未知',
    'since': '自 {t} 起', 'lastSeen': '最后消息 {t}',
    'port.available': '空闲', 'port.occupied': '已插入', 'port.charging': '充电中', 'port.finishing': '即将充满',
    'port.faulted': '故障', 'port.disabled': '停用', 'port.unknown': '未知',
    'door.open': '开', 'door.closed': '关', 'door.locked': '已锁', 'door.unlocked': '未锁',
    'alert.offline': '离线', 'alert.safety-cutoff': '安全断电', 'alert.smoke': '烟雾报警',
    'alert.door-forced': '门被强行打开', 'alert.door-held-open': '门长时间未关', 'alert.cabinet': '整个充电柜',
    'alert.repeats': '重复 {n} 次',
    'cause.overcurrent': '过流', 'cause.over-temperature': '过温', 'cause.cabinet-overload': '充电柜过载',
    'cause.meter-failure': '电表无响应',
    'cmd.door.unlock': '开门', 'cmd.charger.stop': '停止充电', 'cmd.charger.enable': '启用充电口',
    'cmd.charger.disable': '停用充电口', 'cmd.selftest.run': '自检', 'cmd.charger.start': '开始充电',
    'status.pending': '等待发送', 'status.delivered': '已送达', 'status.succeeded': '成功', 'status.failed': '失败',
    'status.expired': '已过期', 'status.sending': '发送中',
    'error': '出错了：{m}', 'noData': '—'
  },
  en: {
    'nav.overview': 'Overview', 'nav.alerts': 'Alerts', 'nav.feedback': 'Feedback', 'nav.scorecard': 'Scorecard', 'nav.tech': 'Install',
    'logout': 'Log out', 'live.on': 'Live', 'live.off': 'Not connected',
    'lang.switch': '中文', 'footer': 'Yizhan · union rest stations for outdoor workers',
    'state.online': 'Online', 'state.offline': 'Offline', 'state.unknown': 'Unknown',
    'since': 'since {t}', 'lastSeen': 'last message {t}',
    'port.available': 'free', 'port.occupied': 'plugged', 'port.charging': 'charging', 'port.finishing': 'finishing',
    'port.faulted': 'faulted', 'port.disabled': 'disabled', 'port.unknown': 'unknown',
    'door.open': 'open', 'door.closed': 'closed', 'door.locked': 'locked', 'door.unlocked': 'unlocked',
    'alert.offline': 'offline', 'alert.safety-cutoff': 'safety cut-off', 'alert.smoke': 'smoke alarm',
    'alert.door-forced': 'door forced open', 'alert.door-held-open': 'door held open', 'alert.cabinet': 'whole cabinet',
    'alert.repeats': '{n} repeats',
    'cause.overcurrent': 'overcurrent', 'cause.over-temperature': 'over-temperature',
    'cause.cabinet-overload': 'cabinet overload', 'cause.meter-failure': 'meter not answering',
    'cmd.door.unlock': 'Open door', 'cmd.charger.stop': 'Stop charging', 'cmd.charger.enable': 'Enable port',
    'cmd.charger.disable': 'Disable port', 'cmd.selftest.run': 'Self-test', 'cmd.charger.start': 'Start charging',
    'status.pending': 'pending', 'status.delivered': 'delivered', 'status.succeeded': 'succeeded', 'status.failed': 'failed',
    'status.expired': 'expired', 'status.sending': 'sending',
    'error': 'Something went wrong: {m}', 'noData': '—'
  }
};

const langListeners = [];
let current = localStorage.getItem('yizhan.lang') === 'en' ? 'en' : 'zh';

/** Adds a page's own texts ({zh:{..}, en:{..}}). */
export function addTexts(more) {
  Object.keys(more).forEach((l) => Object.assign(TEXTS[l], more[l]));
}

export function lang() {
  return current;
}

export function locale() {
  return current === 'zh' ? 'zh-CN' : 'en-GB';
}

/** The text of key in the current language (zh when missing), with {name} replaced from vars. */
export function t(key, vars) {
  let s = TEXTS[current][key] || TEXTS.zh[key] || key;
  if (vars) {
    Object.keys(vars).forEach((k) => { s = s.split('{' + k + '}').join(String(vars[k])); });
  }
  return s;
}

/** The text for prefix+value, or the raw value when there is none (newer stations may send new names). */
export function known(prefix, value) {
  const key = prefix + value;
  return TEXTS[current][key] || TEXTS.zh[key] || String(value);
}

export function onLanguage(fn) {
  langListeners.push(fn);
}

export function applyLanguage() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.getAttribute('data-i18n')); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach((e) => {
    e.setAttribute('placeholder', t(e.getAttribute('data-i18n-placeholder')));
  });
  const title = document.querySelector('[data-i18n-title]');
  if (title) { document.title = t(title.getAttribute('data-i18n-title')); }
  langListeners.forEach((fn) => fn());
}

export const $ = (id) => document.getElementById(id);

/** A new element with class and text (as text, never HTML). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) { e.className = cls; }
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes. */
export function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, String(attrs[k])));
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  return e;
}

export function button(text, cls, onClick) {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function fmtTime(ms) {
  if (!ms) { return t('noData'); }
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString(locale()) : d.toLocaleString(locale());
}

export function kwh(wh) {
  return (Number(wh || 0) / 1000).toFixed(2);
}

// ---- signing in ----

export function token() {
  return sessionStorage.getItem('yizhan.token');
}

export function saveToken(value) {
  sessionStorage.setItem('yizhan.token', value);
}

/** Forgets the token and goes to the sign-in page, coming back here afterwards. */
export function signOut() {
  sessionStorage.removeItem('yizhan.token');
  const here = location.pathname + location.search;
  location.href = here === '/' || here === '/index.html' ? '/' : '/?next=' + encodeURIComponent(here);
}

/** Only paths on this site, never another origin ("//host" or "https:"). */
export function safeNext(value) {
  return typeof value === 'string' && /^\/[A-Za-z0-9_\-./?=&%]*$/.test(value) && !value.startsWith('//')
    ? value : '/';
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the JSON API with the token; a 401 signs out. Throws ApiError with the API's message. */
export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const tok = token();
  if (tok) { headers['Authorization'] = 'Bearer ' + tok; }
  if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== '/api/v1/auth/login') {
    signOut();
  }
  if (!res.ok) {
    const e = json.error || {};
    throw new ApiError(res.status, e.code || String(res.status), e.message || res.statusText);
  }
  return json;
}

// ---- page frame ----

function setLive(on) {
  const l = $('live');
  if (!l) { return; }
  l.className = 'live ' + (on ? 'on' : 'off');
  l.setAttribute('data-i18n', on ? 'live.on' : 'live.off');
  l.textContent = t(on ? 'live.on' : 'live.off');
}

/** Wires the header (language switch, sign-out) and shows the texts; returns false when not signed in. */
export function initFrame(needsLogin) {
  const langBtn = $('lang');
  langBtn.setAttribute('data-i18n', 'lang.switch');
  langBtn.addEventListener('click', () => {
    current = current === 'zh' ? 'en' : 'zh';
    localStorage.setItem('yizhan.lang', current);
    applyLanguage();
  });
  const out = $('logout');
  if (out) { out.addEventListener('click', signOut); }
  applyLanguage();
  if (needsLogin && !token()) {
    signOut();
    return false;
  }
  return true;
}

/**
 * Opens the live stream; handlers maps kinds (presence, telemetry, event, alert, command) to functions of the
 * message {kind, stationId, data}. Reconnects by itself (the browser's EventSource does).
 */
export function openStream(handlers, stationId) {
  let url = '/api/v1/stream?access_token=' + encodeURIComponent(token() || '');
  if (stationId) { url += '&stationId=' + encodeURIComponent(stationId); }
  const stream = new EventSource(url);
  // Close it when leaving: a page kept in the back-forward cache would otherwise hold one of the browser's
  // few connections to the hub open.
  window.addEventListener('pagehide', () => stream.close());
  stream.onopen = () => setLive(true);
  stream.onerror = () => setLive(false);
  Object.keys(handlers).forEach((kind) => stream.addEventListener(kind, (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch (e) { return; }
    handlers[kind](msg);
  }));
  return stream;
}

/** The alert's type with its details (port, cause, repeats), in the current language. */
export function alertText(a) {
  let label = known('alert.', a.type);
  const d = a.data || {};
  if (a.type === 'safety-cutoff') {
    label += ' · ' + (d.port ? '#' + d.port : t('alert.cabinet'));
    if (d.cause) { label += ' · ' + known('cause.', d.cause); }
  }
  if (d.repeats) { label += ' · ' + t('alert.repeats', { n: d.repeats }); }
  return label;
}

export function stationHref(id) {
  return '/station.html?id=' + encodeURIComponent(id);
}
