// The member side of the rider pages (find a station, join, pass, charge, scan to enter, feedback): the member
// token kept on this phone (localStorage) and calls to the JSON API with it. Unlike staff pages, a 401 here never
// sends the rider to the staff sign-in: the page offers to join.
import { t } from './i18n.js';

const TOKEN_KEY = 'yizhan.memberToken';
const NAME_KEY = 'yizhan.memberName';
const EXPIRES_KEY = 'yizhan.memberTokenExpiresAt';
/** A token this close to its expiry (or of unknown expiry) is swapped for a fresh one by renewIfDue(). */
const RENEW_BEFORE_MS = 14 * 86400000;

export function memberToken() {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveMember(token, name, expiresAt) {
  localStorage.setItem(TOKEN_KEY, token);
  if (name !== undefined) { localStorage.setItem(NAME_KEY, name); }
  if (expiresAt) {
    localStorage.setItem(EXPIRES_KEY, String(expiresAt));
  } else {
    localStorage.removeItem(EXPIRES_KEY);
  }
}

export function memberName() {
  return localStorage.getItem(NAME_KEY) || '';
}

export function forgetMember() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(NAME_KEY);
  localStorage.removeItem(EXPIRES_KEY);
}

/**
 * Member tokens expire: a token within two weeks of its expiry is swapped for a fresh one (the old one ends). A
 * token of unknown expiry (typed in, or kept from before tokens expired) first asks the hub when it expires. Call it
 * before the page's other calls.
 */
export async function renewIfDue() {
  if (!memberToken()) { return; }
  let expires = Number(localStorage.getItem(EXPIRES_KEY)) || 0;
  if (!expires) {
    const mine = await call('GET', '/api/v1/members/me/tokens');
    const current = mine.status === 200 ? mine.body.tokens.find((x) => x.current) : undefined;
    if (!current) { return; }
    expires = current.expiresAt;
    localStorage.setItem(EXPIRES_KEY, String(expires));
  }
  if (expires - Date.now() > RENEW_BEFORE_MS) { return; }
  const r = await call('POST', '/api/v1/members/me/token');
  if (r.status === 200 && r.body.memberToken) {
    saveMember(r.body.memberToken, undefined, r.body.memberTokenExpiresAt);
  }
}

/**
 * Calls the API (with the member token when there is one); resolves to {status, body, headers}, body being the
 * JSON, or with {blob: true} the file (a pass PNG) when the call succeeded; a lost connection resolves to
 * {status: 0}. Never throws for an HTTP error: each page says what it means.
 */
export async function call(method, path, body, opts = {}) {
  const headers = {};
  if (!opts.blob) { headers['Accept'] = 'application/json'; }
  const tok = memberToken();
  if (tok) { headers['Authorization'] = 'Bearer ' + tok; }
  if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
  try {
    const res = await fetch(path, { method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = opts.blob && res.ok ? await res.blob() : await res.json().catch(() => ({}));
    return { status: res.status, body: answer, headers: res.headers };
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
