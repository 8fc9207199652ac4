'use strict';
// Polls the agent's /status every second; text only through textContent, never innerHTML.
(function () {
  const SHOW_MS = 5000;
  const WORDS = {
    'ok': ['欢迎', 'Welcome'],
    'unreadable': ['这不是驿站通行码', 'This is not a Yizhan pass'],
    'unknown-key': ['通行码无法验证，请刷新后再试', 'This pass cannot be checked here; refresh it and try again'],
    'bad-signature': ['通行码无效', 'This pass is not valid'],
    'expired': ['通行码已过期，请刷新', 'Your pass has expired; refresh it'],
    'revoked': ['会员资格已暂停，请联系工作人员', 'Your membership is suspended; please ask the staff'],
    'replayed': ['通行码已使用，请等新码出现', 'This pass was already used; wait for a new one'],
    'room-full': ['驿站已满，请稍后再来', 'The station is full; please come back a little later'],
    'closed': ['驿站现在不开放', 'The station is closed now']
  };
  const IDLE = ['请在摄像头前出示通行码', 'Show your pass to the camera'];
  let lastAt = null;
  let hideTimer = null;

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function door(kind, words) {
    const el = document.getElementById('door');
    el.className = 'door ' + kind;
    text('door-zh', words[0]);
    text('door-en', words[1]);
  }

  function render(s) {
    text('station', (s.name || s.stationId || '驿站') + ' / Yizhan');
    const chargers = Array.isArray(s.chargers) ? s.chargers : [];
    const free = chargers.filter(c => c.state === 'available').length;
    text('chargers', free + ' / ' + chargers.length);
    if (s.occupancy) {
      text('occupancy', s.occupancy.count + ' / ' + s.occupancy.capacity);
    }
    text('link', s.uplink && s.uplink.connected ? '' : '离线运行，通行码仍可使用 / Offline: passes still work');
    const a = s.lastAccess;
    if (a && a.at !== lastAt) {
      const first = lastAt === null;
      lastAt = a.at;
      if (!first || Date.now() - a.at < SHOW_MS) {
        door(a.decision === 'granted' ? 'granted' : 'denied', WORDS[a.reason] || [a.reason, a.reason]);
        clearTimeout(hideTimer);
        hideTimer = setTimeout(() => door('idle', IDLE), SHOW_MS);
      }
    }
  }

  async function poll() {
    try {
      const r = await fetch('/status', { cache: 'no-store' });
      if (r.ok) {
        render(await r.json());
      }
    } catch (e) {
      text('link', '无法连接本机服务 / The station service does not answer');
    }
  }

  // The scan-to-enter code changes every 30 s: reload it just after each change (hidden without an entry key).
  const qr = document.getElementById('entry-qr');
  qr.addEventListener('load', () => { document.getElementById('entry').hidden = false; });
  qr.addEventListener('error', () => { document.getElementById('entry').hidden = true; });
  function entryCode() {
    qr.src = '/kiosk/entry.png?t=' + Date.now();
    setTimeout(entryCode, 30000 - (Date.now() % 30000) + 200);
  }

  // Join the union and feedback: fixed codes; a tile hides when its code cannot be drawn.
  ['join', 'feedback'].forEach(id => {
    const img = document.getElementById(id + '-qr');
    img.addEventListener('error', () => { document.getElementById(id).hidden = true; });
    if (img.complete && img.naturalWidth === 0) {
      document.getElementById(id).hidden = true;
    }
  });

  entryCode();
  poll();
  setInterval(poll, 1000);
})();
