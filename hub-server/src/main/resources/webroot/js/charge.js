// "Charge at port N" (/c/{stationId}/{port}, the link beside each charger port and in the station list): a
// member starts a charging session for themself; the hub sends charger.start to the station and this page
// polls until the station answers, then says in plain words what happened.
import { $, addTexts, applyLanguage, fmtTime, known, onLanguage, t } from '/js/common.js';
import { call, forgetMember, generalError, initRider, memberToken, sleep } from '/js/rider.js';

addTexts({
  zh: {
    'charge.pageTitle': '驿站 · 充电', 'charge.title': '电动车充电', 'charge.port': '{n} 号充电口',
    'charge.portState': '现在：{s}', 'charge.start': '开始充电', 'charge.again': '再试一次',
    'charge.howto': '先把充电器插好，再点“开始充电”。充满后会自动断电。',
    'charge.joinFirst': '充电需要先入会，只要一分钟。', 'pass.join': '加入工会',
    'charge.wait': '正在通知充电柜…',
    'charge.ok': '{n} 号口已开始充电', 'charge.okUntil': '{n} 号口已开始充电，最晚 {t} 自动结束',
    'charge.busy': '这个充电口正在被别人使用，请换一个', 'charge.faulted': '这个充电口有故障，请换一个',
    'charge.fault-persists': '这个充电口有故障，请换一个', 'charge.disabled': '这个充电口已停用，请换一个',
    'charge.quota-exceeded': '你今天的充电次数或时长已经用完了', 'charge.cabinet-limit': '充电柜的电已经不够用了，请稍后再试',
    'charge.invalid': '这个驿站没有这个充电口', 'charge.invalid-field': '这个驿站没有这个充电口',
    'charge.station-not-found': '找不到这个驿站', 'charge.station-offline': '驿站暂时离线，请在驿站屏幕上选择充电口',
    'charge.already-charging': '你已经有一个口在充电了；再充一个，请在充电口的摄像头前出示通行码',
    'charge.suspended': '你的会员资格已暂停，请联系驿站工作人员', 'charge.not-yourself': '只能为自己充电',
    'charge.expired': '充电柜没有及时响应，请再试一次', 'charge.failed': '没能开始充电，请再试一次',
    'charge.invalid-token': '这部手机上的会员信息已失效，请重新入会'
  },
  en: {
    'charge.pageTitle': 'Yizhan · Charging', 'charge.title': 'E-bike charging', 'charge.port': 'Charger port {n}',
    'charge.portState': 'Now: {s}', 'charge.start': 'Start charging', 'charge.again': 'Try again',
    'charge.howto': 'Plug in your charger first, then tap "Start charging". Power goes off by itself when full.',
    'charge.joinFirst': 'Charging is for members. Joining takes a minute.', 'pass.join': 'Join the union',
    'charge.wait': 'Telling the charger…',
    'charge.ok': 'Charging started at port {n}', 'charge.okUntil': 'Charging started at port {n}; it ends by {t} at the latest',
    'charge.busy': 'Someone else is using this port; please choose another', 'charge.faulted': 'This port is faulty; please choose another',
    'charge.fault-persists': 'This port is faulty; please choose another', 'charge.disabled': 'This port is switched off; please choose another',
    'charge.quota-exceeded': 'You have used up your charging for today', 'charge.cabinet-limit': 'The charging cabinet has no power to spare; try again later',
    'charge.invalid': 'This station has no such port', 'charge.invalid-field': 'This station has no such port',
    'charge.station-not-found': 'This station is not known', 'charge.station-offline': 'The station is offline; choose the port on its screen',
    'charge.already-charging': 'You already have a port charging; for another, show your pass to the charger\'s camera',
    'charge.suspended': 'Your membership is suspended; please ask the station staff', 'charge.not-yourself': 'You can charge only for yourself',
    'charge.expired': 'The charger did not answer in time; please try again', 'charge.failed': 'Charging did not start; please try again',
    'charge.invalid-token': 'The membership kept on this phone is no longer valid; please join again'
  }
});

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
  return code && t('charge.' + code) !== 'charge.' + code ? 'charge.' + code : 'charge.failed';
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

initRider();
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
applyLanguage();
