// "Charge at port N" (/c/{stationId}/{port}, the link beside each charger port and in the station list): a
// member starts a charging session for themself; the hub sends charger.start to the station and this page
// polls until the station answers, then says in plain words what happened.
import { $, fmtTime, sleep } from './common.js';
import { t, has, known, onLanguage, initLanguage } from './i18n.js';
import { call, forgetMember, generalError, memberToken } from './rider.js';

const parts = location.pathname.split('/');
const stationId = decodeURIComponent(parts[2] || '');
const port = Number(parts[3]);
let stateKey = null;
let stateVars = null;
let station = null;

function show(key, ok, vars) {
  stateKey = key;
  stateVars = vars || null;
  const p = $('state');
  p.hidden = !key;
  p.className = 'big-state' + (ok === true ? ' ok' : ok === false ? ' bad' : '');
  p.dataset.state = key || '';
  p.textContent = key ? t(key, vars) : '';
}

/** The words for a refusal or failure code, falling back to a general one. */
function failure(code) {
  return code && has('charge.' + code) ? 'charge.' + code : 'charge.failed';
}

function renderStation() {
  $('port-line').textContent = t('charge.port', { n: port });
  if (!station) { return; }
  $('station-name').textContent = station.name;
  $('station-addr').textContent = station.address || '';
  const c = (station.chargers || []).find((x) => x.port === port);
  $('port-state').textContent = c ? t('charge.portState', { s: known('port.', c.state) }) : '';
}

async function loadStation() {
  const r = await call('GET', '/api/v1/public/stations/' + encodeURIComponent(stationId));
  if (r.status === 200) {
    station = r.body.station;
    renderStation();
  } else if (r.status === 404) {
    show('charge.station-not-found', false);
    $('start').hidden = true;
  }
}

async function poll(commandId) {
  const until = Date.now() + 75000;
  while (Date.now() < until) {
    await sleep(400);
    const r = await call('GET', '/api/v1/charging/start/' + encodeURIComponent(commandId));
    if (r.status !== 200) {
      return show(r.status === 0 || r.status >= 500 ? 'r.err.network' : 'charge.failed', false);
    }
    const b = r.body;
    if (b.status === 'succeeded') {
      loadStation();
      return b.session && b.session.endsBy
        ? show('charge.okUntil', true, { n: port, t: fmtTime(b.session.endsBy) })
        : show('charge.ok', true, { n: port });
    }
    if (b.status === 'failed') { return show(failure(b.error && b.error.code), false); }
    if (b.status === 'expired') { return show('charge.expired', false); }
  }
  return show('charge.expired', false);
}

async function start() {
  const btn = $('start');
  btn.disabled = true;
  show('charge.wait');
  const r = await call('POST', '/api/v1/charging/start', { stationId, port });
  if (r.status === 202) {
    await poll(r.body.commandId);
    if ($('state').classList.contains('ok')) {
      // started: nothing to try again; the way back is in the tabs above
      btn.hidden = true;
      return;
    }
  } else if (r.status === 401) {
    forgetMember();
    show('charge.invalid-token', false);
    $('join').hidden = false;
    btn.hidden = true;
  } else if (r.status === 0 || r.status === 429 || r.status >= 500 && r.status !== 503) {
    stateKey = null;
    const p = $('state');
    p.className = 'big-state bad';
    p.textContent = generalError(r);
  } else {
    show(failure(r.body.error && r.body.error.code), false);
  }
  btn.disabled = false;
  btn.setAttribute('data-i18n', 'charge.again');
  btn.textContent = t('charge.again');
}

onLanguage(() => {
  renderStation();
  if (stateKey) { show(stateKey, $('state').classList.contains('ok') ? true : $('state').classList.contains('bad') ? false : undefined, stateVars); }
});
$('join-link').href = '/join.html?next=' + encodeURIComponent(location.pathname);
if (!/^[a-z0-9-]{3,40}$/.test(stationId) || !Number.isInteger(port) || port < 1 || port > 64) {
  show('charge.invalid', false);
} else {
  if (memberToken()) {
    $('start').hidden = false;
    $('start').addEventListener('click', start);
  } else {
    $('join').hidden = false;
  }
  loadStation();
}
initLanguage();
