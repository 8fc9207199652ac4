// Shared by the rider pages (find a station, join, pass, charge): their texts in zh-CN first with English, the
// member token kept on this phone (localStorage, the same key the scan-to-enter page uses) and calls to the JSON
// API with it. Unlike staff pages, a 401 here never sends the rider to the staff sign-in: the page offers to join.
import { addTexts, initFrame, t } from '/js/common.js';

export const TOKEN_KEY = 'yizhan.memberToken';
const NAME_KEY = 'yizhan.memberName';

addTexts({
  zh: {
    'r.nav.find': '找驿站', 'r.nav.pass': '会员码', 'r.nav.join': '入会',
    'r.footer': '驿站 · 工会户外劳动者服务站',
    'r.err.network': '网络不通，请稍后再试',
    'r.err.too-many-requests': '操作太频繁，请等一分钟再试',
    'r.err.server': '服务器出了问题，请稍后再试'
  },
  en: {
    'r.nav.find': 'Find a station', 'r.nav.pass': 'My pass', 'r.nav.join': 'Join',
    'r.footer': 'Yizhan · union rest stations for outdoor workers',
    'r.err.network': 'No connection; please try again',
    'r.err.too-many-requests': 'Too many tries; please wait a minute',
    'r.err.server': 'Something went wrong on the server; please try again later'
  }
});

export function memberToken() {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveMember(token, name) {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(NAME_KEY, name);
}

export function memberName() {
  return localStorage.getItem(NAME_KEY) || '';
}

export function forgetMember() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(NAME_KEY);
}

/**
 * Calls the JSON API (with the member token when there is one); resolves to {status, body, headers}; a lost
 * connection resolves to {status: 0}. Never throws for an HTTP error: each page says what it means.
 */
export async function call(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const tok = memberToken();
  if (tok) { headers['Authorization'] = 'Bearer ' + tok; }
  if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
  try {
    const res = await fetch(path, { method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    return { status: res.status, body: json, headers: res.headers };
  } catch (e) {
    return { status: 0, body: {}, headers: new Headers() };
  }
}

/** Words for a failed call that no page has its own words for. */
export function generalError(r) {
  if (r.status === 0) { return t('r.err.network'); }
  if (r.status === 429) { return t('r.err.too-many-requests'); }
  return t('r.err.server');
}

export function initRider() {
  initFrame(false);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
