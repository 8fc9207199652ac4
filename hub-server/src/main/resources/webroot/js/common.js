// Helpers shared by every page: DOM helpers, formatting, the staff token and calls to the JSON API with it, the
// live stream (SSE), a station's presence badge and following a command until the station answers. Every datum
// goes into the page through textContent or an attribute, never as HTML, so a station named "<script>" shows as
// text. Texts come from i18n.js; the staff page header from shell.js; the member token from rider.js.
import { t, known, locale } from './i18n.js';

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

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A blob (a QR code PNG) as a data: URL, which the CSP allows for images (it allows no blob: URLs). */
export function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// ---- the staff token ----

export function token() {
  return sessionStorage.getItem('yizhan.token');
}

export function saveToken(value) {
  sessionStorage.setItem('yizhan.token', value);
}

/**
 * The logout button: ends the token on the hub (on every hub of the registry), then signs out here. The page
 * leaves at once; keepalive lets the request finish on its own.
 */
export function logOut() {
  const tok = token();
  if (tok) {
    fetch('/api/v1/auth/logout', { method: 'POST', keepalive: true,
      headers: { 'Authorization': 'Bearer ' + tok, 'Accept': 'application/json' } }).catch(() => {});
  }
  signOut();
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
  constructor(status, code, message, problems) {
    super(message);
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

/**
 * Calls the API with the staff token; a 401 signs out. Answers the JSON, or with {response: true} the Response
 * itself (a file: a QR code PNG, a CSV). A Blob body (a file to upload) goes as it is with opts.contentType, any
 * other body as JSON. Throws ApiError with the API's code, message and problems.
 */
export async function api(method, path, body, opts = {}) {
  const headers = {};
  if (!opts.response) { headers['Accept'] = 'application/json'; }
  const tok = token();
  if (tok) { headers['Authorization'] = 'Bearer ' + tok; }
  const file = body instanceof Blob;
  if (body !== undefined) { headers['Content-Type'] = file ? opts.contentType || body.type : 'application/json'; }
  const res = await fetch(path, { method, headers, body: body === undefined || file ? body : JSON.stringify(body) });
  if (res.status === 401 && path !== '/api/v1/auth/login') {
    signOut();
  }
  if (res.ok && opts.response) { return res; }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = json.error || {};
    throw new ApiError(res.status, e.code || String(res.status), e.message || res.statusText, e.problems);
  }
  return json;
}

// ---- live ----

function setLive(on) {
  const l = $('live');
  if (!l) { return; }
  l.hidden = false;
  l.className = 'live ' + (on ? 'on' : 'off');
  l.setAttribute('data-i18n', on ? 'live.on' : 'live.off');
  l.textContent = t(on ? 'live.on' : 'live.off');
}

/**
 * Opens the live stream and shows the live badge in the header; handlers maps kinds (presence, telemetry, event,
 * alert, command) to functions of the message {kind, stationId, data}. A dropped stream is reopened: EventSource
 * retries by itself after a network error, but gives up for good when an answer is not a stream (a load balancer's
 * 502 or 503 while the replica behind it dies), so then a new one is opened after 3 s, through the balancer to a
 * replica that is up. Returns {close()}.
 */
export function openStream(handlers, stationId) {
  let url = '/api/v1/stream?access_token=' + encodeURIComponent(token() || '');
  if (stationId) { url += '&stationId=' + encodeURIComponent(stationId); }
  let stream = null;
  let closed = false;
  let retry = null;
  const open = () => {
    retry = null;
    if (closed) { return; }
    const s = new EventSource(url);
    stream = s;
    s.onopen = () => setLive(true);
    s.onerror = () => {
      setLive(false);
      if (s.readyState === EventSource.CLOSED && !closed && !retry) { retry = setTimeout(open, 3000); }
    };
    Object.keys(handlers).forEach((kind) => s.addEventListener(kind, (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      handlers[kind](msg);
    }));
  };
  const close = () => {
    closed = true;
    if (retry) { clearTimeout(retry); }
    if (stream) { stream.close(); }
  };
  setLive(false);
  open();
  // Close it when leaving: a page kept in the back-forward cache would otherwise hold one of the browser's
  // few connections to the hub open.
  window.addEventListener('pagehide', close);
  return { close };
}

// ---- stations, alerts, commands ----

export function stationHref(id) {
  return '/station.html?id=' + encodeURIComponent(id);
}

/**
 * A station's presence: a badge (online, offline or unknown; with opts.id as its id), since when, and unless
 * opts.lastSeen is false the time of the last message.
 */
export function presence(p, opts = {}) {
  const state = p && ['online', 'offline'].includes(p.state) ? p.state : 'unknown';
  const out = document.createDocumentFragment();
  const badge = el('span', 'state ' + state, t('state.' + state));
  if (opts.id) { badge.id = opts.id; }
  badge.setAttribute('data-state', state);
  out.appendChild(badge);
  if (p && p.since) { out.appendChild(el('span', 'since', t('since', { t: fmtTime(p.since) }))); }
  if (p && p.lastSeen && opts.lastSeen !== false) {
    out.appendChild(el('span', 'since', t('lastSeen', { t: fmtTime(p.lastSeen) })));
  }
  return out;
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

/** The statuses after which a command changes no more. */
export const FINAL = ['succeeded', 'failed', 'expired'];

/**
 * Asks for a command's status every 2 s (about a minute at most) until done() says it is known: the live stream
 * brings each status, and this is the fallback while the stream is down. onStatus gets {id, status, result}.
 */
export function followCommand(id, done, onStatus, n = 0) {
  if (n > 30) { return; }
  setTimeout(async () => {
    if (done()) { return; }
    try {
      const r = await api('GET', '/api/v1/commands/' + encodeURIComponent(id));
      onStatus({ id, status: r.status, result: r.result });
    } catch (e) { /* the stream may still bring it */ }
    followCommand(id, done, onStatus, n + 1);
  }, 2000);
}
