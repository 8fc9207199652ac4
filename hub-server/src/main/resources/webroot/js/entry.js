// Scan-to-enter: the kiosk's QR code opens /e/{stationId}/{nonce}; with the member token (from joining, kept on
// this phone, or ?t= once) this page asks the hub to open the door and shows whether it did.
// Text only through textContent, never innerHTML.
import { $, sleep } from './common.js';
import { t, has, onLanguage, initLanguage } from './i18n.js';
import { call, forgetMember, memberToken, saveMember } from './rider.js';

const parts = location.pathname.split('/');
const stationId = parts[2] || '';
const nonce = parts[3] || '';

/** Shows the state of code (wait, ok, or why the door stayed shut), worded again on a language switch. */
function show(code) {
  const key = has('entry.state.' + code) ? 'entry.state.' + code : 'entry.state.failed';
  $('state').className = 'state ' + (code === 'ok' ? 'ok' : code === 'wait' ? 'wait' : 'bad');
  const text = $('state-text');
  text.setAttribute('data-i18n', key);
  text.textContent = t(key);
  $('retry').hidden = code === 'ok' || code === 'wait' || code === 'bad-nonce';
}

function askForToken() {
  $('token-form').hidden = false;
  $('join').hidden = false;
}

function errorCode(r) {
  return (r.body.error && r.body.error.code) || 'failed';
}

async function poll(commandId) {
  const until = Date.now() + 40000;
  while (Date.now() < until) {
    const r = await call('GET', '/api/v1/entry/' + encodeURIComponent(commandId));
    if (r.status === 0) {
      return show('network');
    }
    if (r.status !== 200) {
      return show(errorCode(r));
    }
    if (r.body.status === 'succeeded') {
      return show('ok');
    }
    if (r.body.status === 'failed') {
      return show(errorCode(r));
    }
    if (r.body.status === 'expired') {
      return show('expired');
    }
    await sleep(250);
  }
  show('expired');
}

async function enter() {
  show('wait');
  $('token-form').hidden = true;
  const r = await call('POST', '/api/v1/entry', { stationId, nonce });
  if (r.status === 0) {
    return show('network');
  }
  if (r.status === 401) {
    forgetMember();
    askForToken();
    return show((r.body.error && r.body.error.code) || 'unauthorized');
  }
  if (r.status < 200 || r.status > 299) {
    return show(r.status === 429 ? 'too-many-requests' : errorCode(r));
  }
  await poll(r.body.commandId);
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  if (token) {
    saveMember(token);
    enter();
  }
});
$('retry').addEventListener('click', () => {
  if (memberToken()) {
    enter();
  } else {
    askForToken();
  }
});

const params = new URLSearchParams(location.search);
if (params.get('t')) {
  saveMember(params.get('t'));
  history.replaceState(null, '', location.pathname);
}
onLanguage(() => { $('station').textContent = t('entry.station', { s: stationId }); });
initLanguage();
if (memberToken()) {
  enter();
} else {
  show('unauthorized');
  askForToken();
}
