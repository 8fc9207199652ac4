// The member pass: the hub signs a pass for the current 30 s slot, and stations take it until 30 s after the slot
// ends (their clock-skew allowance). This page fetches it as a QR code PNG with the member token, shows it big
// on a white ground, counts down to the slot's end and fetches the next slot's pass as soon as it begins, long
// before stations would refuse the old one. The PNG becomes a data: URL because the page's CSP allows images
// only from itself or data:.
import { $, addTexts, applyLanguage, onLanguage, t } from '/js/common.js';
import { forgetMember, generalError, initRider, memberName, memberToken, sleep } from '/js/rider.js';

addTexts({
  zh: {
    'pass.pageTitle': '驿站 · 会员码', 'pass.title': '我的会员码', 'pass.alt': '会员码二维码',
    'pass.howto': '把二维码对准驿站门口或充电柜的摄像头。二维码每 30 秒自动更新，截图无效。',
    'pass.notMember': '这部手机还没有入会。入会只要一分钟。', 'pass.join': '加入工会',
    'pass.left': '{s} 秒后更新', 'pass.refreshing': '正在更新…', 'pass.who': '{name} 会员编号 {id}',
    'pass.expired': '会员码已过期，正在重新获取…', 'pass.suspended': '你的会员资格已暂停，请联系驿站工作人员。',
    'pass.unknown': '这部手机上的会员信息已失效，请重新入会或找工作人员。'
  },
  en: {
    'pass.pageTitle': 'Yizhan · My pass', 'pass.title': 'My member pass', 'pass.alt': 'Member pass QR code',
    'pass.howto': 'Hold the code up to the camera at the station door or charger. It changes every 30 s; a screenshot will not work.',
    'pass.notMember': 'This phone has not joined yet. Joining takes a minute.', 'pass.join': 'Join the union',
    'pass.left': 'New code in {s} s', 'pass.refreshing': 'Updating…', 'pass.who': '{name} member {id}',
    'pass.expired': 'The code has expired; getting a new one…', 'pass.suspended': 'Your membership is suspended; please ask the station staff.',
    'pass.unknown': 'The membership kept on this phone is no longer valid; join again or ask the staff.'
  }
});

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

function asDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

async function fetchPass() {
  const token = memberToken();
  let res;
  try {
    res = await fetch('/api/v1/members/me/pass?format=png', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
  } catch (e) {
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
    setState('pass.suspended');
    return -1;
  }
  if (!res.ok) {
    setState('x', generalError({ status: res.status }));
    return 5000;
  }
  const date = Date.parse(res.headers.get('Date') || '');
  // the Date header has whole seconds: only a clock that is clearly off is corrected
  skew = Number.isFinite(date) && Math.abs(date - Date.now()) > 2000 ? date - Date.now() : 0;
  const previous = expiresAt;
  expiresAt = Number(res.headers.get('X-Pass-Expires-At')) || 0;
  const img = $('qr');
  const url = await asDataUrl(await res.blob());
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

async function keepScreenOn() {
  try {
    if (navigator.wakeLock) { await navigator.wakeLock.request('screen'); }
  } catch (e) { /* not allowed or not supported: the rider can tap the screen */ }
}

initRider();
onLanguage(() => {
  if (stateKey) { setState(stateKey, stateText); }
  showWho();
  $('qr').alt = t('pass.alt');
  tick();
});
if (!memberToken()) {
  $('join').hidden = false;
} else {
  fetch('/api/v1/members/me/pass', { headers: { Authorization: 'Bearer ' + memberToken() }, cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : {})).then((b) => {
      pseudonym = b.member || '';
      showWho();
    }).catch(() => {});
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
applyLanguage();
