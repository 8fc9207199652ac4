// The member pass: the hub signs a pass for the current 30 s slot, and stations take it until 30 s after the slot
// ends (their clock-skew allowance). This page fetches it as a QR code PNG with the member token, shows it big
// on a white ground, counts down to the slot's end and fetches the next slot's pass as soon as it begins, long
// before stations would refuse the old one. The PNG becomes a data: URL because the page's CSP allows images
// only from itself or data:.
import { $, sleep, dataUrl } from './common.js';
import { t, onLanguage, initLanguage } from './i18n.js';
import { call, forgetMember, generalError, memberName, memberToken, renewIfDue } from './rider.js';

/** Fetch the next pass this long after the hub's slot turns (the hub signs for the slot it is in). */
const AFTER_TURN_MS = 300;
/** Stations take a pass until 30 s after its slot; grey it out a little before that. */
const STALE_AFTER_MS = 25000;
let expiresAt = 0;     // on the hub's clock
let skew = 0;          // hub clock minus this phone's clock
let stateKey = null;
let stateText = null;
let pseudonym = '';

function setState(key, text) {
  stateKey = key;
  stateText = text || null;
  const p = $('state');
  p.hidden = !key;
  p.className = 'big-state bad';
  p.textContent = key ? (text || t(key)) : '';
}

function showWho() {
  $('who').textContent = pseudonym ? t('pass.who', { name: memberName() ? memberName() + ' ·' : '', id: pseudonym }).trim() : '';
}

function tick() {
  const left = Math.ceil((expiresAt - (Date.now() + skew)) / 1000);
  const c = $('countdown');
  const img = $('qr');
  const stale = expiresAt > 0 && Date.now() + skew > expiresAt + STALE_AFTER_MS;
  img.classList.toggle('stale', stale);
  if (left > 0) {
    c.textContent = t('pass.left', { s: left });
  } else if (expiresAt > 0) {
    c.textContent = t(stale ? 'pass.expired' : 'pass.refreshing');
  }
  c.dataset.left = String(Math.max(0, left));
}

async function fetchPass() {
  const res = await call('GET', '/api/v1/members/me/pass?format=png', undefined, { blob: true });
  if (res.status === 0) {
    setState('r.err.network');
    return 5000;
  }
  if (res.status === 401) {
    forgetMember();
    $('pass').hidden = true;
    $('join').hidden = false;
    setState('pass.unknown');
    return -1;
  }
  if (res.status === 403) {
    $('pass').hidden = true;
    // waiting for the staff to approve: look again now and then, the pass shows once they have
    const pending = (res.body.error || {}).code === 'member-pending';
    setState(pending ? 'pass.pending' : 'pass.suspended');
    return pending ? 30000 : -1;
  }
  if (res.status < 200 || res.status > 299) {
    setState('x', generalError(res));
    return 5000;
  }
  const date = Date.parse(res.headers.get('Date') || '');
  // the Date header has whole seconds: only a clock that is clearly off is corrected
  skew = Number.isFinite(date) && Math.abs(date - Date.now()) > 2000 ? date - Date.now() : 0;
  const previous = expiresAt;
  expiresAt = Number(res.headers.get('X-Pass-Expires-At')) || 0;
  const img = $('qr');
  const url = await dataUrl(res.body);
  // decoded before it is shown, so the camera never sees a blank moment between two codes
  const ready = new Image();
  ready.src = url;
  await ready.decode().catch(() => {});
  img.src = url;
  img.dataset.expiresAt = String(expiresAt);
  img.dataset.version = String(Number(img.dataset.version || 0) + 1);
  $('pass').hidden = false;
  setState(null);
  tick();
  // the same slot again (this phone's timer ran early): ask again shortly
  return expiresAt === previous ? 1000 : Math.max(500, expiresAt - (Date.now() + skew) + AFTER_TURN_MS);
}

async function keepFresh() {
  for (;;) {
    const wait = await fetchPass();
    if (wait < 0) { return; }
    await sleep(wait);
  }
}

let phones = 0;

function showPhones() {
  $('phone-count').textContent = phones ? t('pass.phones.count', { n: phones }) : '';
  $('sign-out-others').hidden = phones < 2;
}

async function loadPhones() {
  const r = await call('GET', '/api/v1/members/me/tokens');
  if (r.status !== 200) { return; }
  phones = r.body.tokens.length;
  showPhones();
  $('phones').hidden = false;
}

async function signOutOthers() {
  if (!confirm(t('pass.phones.othersConfirm'))) { return; }
  const r = await call('POST', '/api/v1/members/me/sign-out-others');
  $('phones-state').textContent = r.status === 200 ? t('pass.phones.othersDone', { n: r.body.ended })
    : generalError(r);
  loadPhones();
}

async function signOutHere() {
  if (!confirm(t('pass.phones.hereConfirm'))) { return; }
  const r = await call('POST', '/api/v1/members/me/sign-out');
  if (r.status !== 200 && r.status !== 401) {
    $('phones-state').textContent = generalError(r);
    return;
  }
  forgetMember();
  location.reload();
}

async function keepScreenOn() {
  try {
    if (navigator.wakeLock) { await navigator.wakeLock.request('screen'); }
  } catch (e) { /* not allowed or not supported: the rider can tap the screen */ }
}

onLanguage(() => {
  if (stateKey) { setState(stateKey, stateText); }
  showWho();
  showPhones();
  tick();
});
$('sign-out-others').addEventListener('click', signOutOthers);
$('sign-out-here').addEventListener('click', signOutHere);
if (!memberToken()) {
  $('join').hidden = false;
} else {
  // a token near its expiry is renewed before anything else uses it
  await renewIfDue();
  call('GET', '/api/v1/members/me/pass').then((r) => {
    pseudonym = (r.status === 200 && r.body.member) || '';
    showWho();
  });
  loadPhones();
  keepFresh();
  setInterval(tick, 1000);
  keepScreenOn();
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { return; }
    keepScreenOn();
    // timers sleep while the screen is off: a pass that ran out meanwhile is replaced at once
    if (expiresAt && Date.now() + skew >= expiresAt) { fetchPass(); }
  });
}
initLanguage();
