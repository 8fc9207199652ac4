'use strict';
// Scan-to-enter: the kiosk's QR code opens /e/{stationId}/{nonce}; with the member token (from joining, kept in
// localStorage, or ?t= once) this page asks the hub to open the door and shows whether it did.
// Text only through textContent, never innerHTML.
(function () {
  const TOKEN_KEY = 'yizhan.memberToken';
  const LANG_KEY = 'yizhan.lang';
  const WORDS = {
    wait: ['正在开门…', 'Opening the door…'],
    ok: ['门已打开，欢迎', 'Door open. Welcome'],
    'bad-nonce': ['这不是驿站的进门码，请扫描屏幕上的二维码', 'This is not a station entry code; scan the code on the screen'],
    'expired-nonce': ['进门码已更新，请重新扫描屏幕上的二维码', 'The code has changed; scan the code on the screen again'],
    suspended: ['会员资格已暂停，请联系工作人员', 'Your membership is suspended; please ask the staff'],
    revoked: ['会员资格已暂停，请联系工作人员', 'Your membership is suspended; please ask the staff'],
    'station-offline': ['驿站暂时离线，请向摄像头出示通行码', 'The station is offline; show your pass to its camera'],
    'station-not-found': ['找不到这个驿站', 'This station is not known'],
    'room-full': ['驿站已满，请稍后再来', 'The station is full; please come back a little later'],
    closed: ['驿站现在不开放', 'The station is closed now'],
    expired: ['驿站没有及时响应，请再试一次', 'The station did not answer in time; try again'],
    failed: ['开门失败，请再试一次或出示通行码', 'The door did not open; try again or show your pass'],
    'too-many-requests': ['尝试太频繁，请稍等一分钟', 'Too many tries; wait a minute'],
    unauthorized: ['请输入会员码', 'Enter your member token'],
    'invalid-token': ['会员码无效，请重新输入', 'This member token is not valid; enter it again'],
    network: ['网络不通，请再试一次', 'No connection; try again']
  };
  let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  let stateKey = null;
  const parts = location.pathname.split('/');
  const stationId = parts[2] || '';
  const nonce = parts[3] || '';

  function applyLang() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-zh]').forEach(el => { el.textContent = el.dataset[lang]; });
    document.getElementById('lang').textContent = lang === 'en' ? '中文' : 'English';
    document.getElementById('station').textContent = (lang === 'en' ? 'Station: ' : '驿站：') + stationId;
    if (stateKey) {
      show(stateKey);
    }
  }

  function show(key) {
    stateKey = key;
    const w = WORDS[key] || WORDS.failed;
    const el = document.getElementById('state');
    el.className = 'state ' + (key === 'ok' ? 'ok' : key === 'wait' ? 'wait' : 'bad');
    const t = document.getElementById('state-text');
    t.removeAttribute('data-zh');
    t.textContent = w[lang === 'en' ? 1 : 0];
    document.getElementById('retry').hidden = key === 'ok' || key === 'wait' || key === 'bad-nonce';
  }

  function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
  }

  async function poll(token, commandId) {
    const until = Date.now() + 40000;
    while (Date.now() < until) {
      const r = await fetch('/api/v1/entry/' + encodeURIComponent(commandId), {
        headers: { Authorization: 'Bearer ' + token }, cache: 'no-store'
      });
      const body = await r.json();
      if (!r.ok) {
        return show((body.error && body.error.code) || 'failed');
      }
      if (body.status === 'succeeded') {
        return show('ok');
      }
      if (body.status === 'failed') {
        return show((body.error && WORDS[body.error.code]) ? body.error.code : 'failed');
      }
      if (body.status === 'expired') {
        return show('expired');
      }
      await sleep(250);
    }
    show('expired');
  }

  async function enter(token) {
    show('wait');
    document.getElementById('token-form').hidden = true;
    try {
      const r = await fetch('/api/v1/entry', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ stationId: stationId, nonce: nonce })
      });
      const body = await r.json();
      if (r.status === 401) {
        localStorage.removeItem(TOKEN_KEY);
        document.getElementById('token-form').hidden = false;
        document.getElementById('join').hidden = false;
        return show((body.error && body.error.code) || 'unauthorized');
      }
      if (!r.ok) {
        return show(r.status === 429 ? 'too-many-requests' : (body.error && body.error.code) || 'failed');
      }
      await poll(token, body.commandId);
    } catch (e) {
      show('network');
    }
  }

  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'zh' : 'en';
    localStorage.setItem(LANG_KEY, lang);
    applyLang();
  });
  document.getElementById('token-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const token = document.getElementById('token').value.trim();
    if (token) {
      localStorage.setItem(TOKEN_KEY, token);
      enter(token);
    }
  });
  document.getElementById('retry').addEventListener('click', () => {
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) {
      enter(token);
    } else {
      document.getElementById('token-form').hidden = false;
      document.getElementById('join').hidden = false;
    }
  });

  const params = new URLSearchParams(location.search);
  if (params.get('t')) {
    localStorage.setItem(TOKEN_KEY, params.get('t'));
    history.replaceState(null, '', location.pathname);
  }
  applyLang();
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) {
    enter(token);
  } else {
    show('unauthorized');
    document.getElementById('token-form').hidden = false;
    document.getElementById('join').hidden = false;
  }
})();
