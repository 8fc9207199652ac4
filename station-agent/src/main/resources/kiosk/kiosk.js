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

  // The station's self-test, for the technician who installed it: shown for a while after a run.
  function selfTest(t) {
    const box = document.getElementById('selftest');
    if (!t || !Array.isArray(t.checks)) {
      box.hidden = true;
      return;
    }
    const n = t.checks.length;
    const failed = t.checks.filter(c => !c.ok).length;
    box.hidden = false;
    box.className = 'selftest ' + (t.ok ? 'passed' : 'failed');
    text('selftest-zh', t.ok ? '自检通过：' + n + ' 项全部正常' : '自检：' + n + ' 项中 ' + failed + ' 项未通过');
    text('selftest-en', t.ok ? 'Self-test passed: all ' + n + ' checks'
      : 'Self-test: ' + failed + ' of ' + n + ' checks failed');
    const items = t.checks.map(c => {
      const li = document.createElement('li');
      li.className = c.ok ? 'ok' : 'fail';
      li.textContent = (c.ok ? '✓ ' : '✗ ') + c.name + ': ' + c.detail;
      return li;
    });
    document.getElementById('selftest-checks').replaceChildren(...items);
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
    document.getElementById('enrol').hidden = !(s.face && s.face.enabled);
    selfTest(s.selfTest);
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
    } finally {
      // the next poll a second after this one ended: a slow answer never overlaps the next request
      setTimeout(poll, 1000);
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

  // Face enrolment with the door camera: the button starts it, then the steps are polled until done or refused.
  const ENROL_IDLE = ['登记后可以刷脸进门（通行码仍然有效）', 'Enrol once, then your face opens the door (your pass still works)'];
  const ENROL_WORDS = {
    'waiting-for-pass': ['请在摄像头前出示您的通行码', 'Show your pass to the camera'],
    'capturing': ['请看着摄像头，保持不动', 'Look at the camera and hold still'],
    'done': ['登记完成！下次可以刷脸进门', 'Done! Next time your face opens the door'],
    'no-consent': ['请先在手机会员页同意刷脸进门，再来登记', 'First agree to face entry on your phone (member page), then enrol here'],
    'no-pass': ['没有看到通行码，请再按一次按钮', 'No pass was shown; press the button again'],
    'no-face': ['没有拍到清楚的脸，请再试一次', 'Your face was not seen clearly; please try again'],
    'not-live': ['请本人看着摄像头，不要用照片', 'Look at the camera yourself, not a photo'],
    'face-off': ['本站暂未开通刷脸', 'Face entry is not available at this station'],
    'replaced': ['已重新开始登记', 'Enrolment started again'],
    'busy': ['登记暂时无法完成，请稍后再试', 'Enrolment cannot finish now; please try later']
  };
  const enrolButton = document.getElementById('enrol-start');
  let enrolTimer = null;

  function enrolSay(kind, words) {
    document.getElementById('enrol-step').className = 'step ' + kind;
    text('enrol-zh', words[0]);
    text('enrol-en', words[1]);
  }

  function enrolEnd(kind, words) {
    enrolSay(kind, words);
    clearTimeout(enrolTimer);
    enrolTimer = setTimeout(() => { enrolButton.hidden = false; enrolSay('idle', ENROL_IDLE); }, 8000);
  }

  function enrolShow(e) {
    if (e.step === 'done') {
      enrolEnd('done', ENROL_WORDS.done);
    } else if (e.step === 'refused') {
      enrolEnd('refused', ENROL_WORDS[e.reason] || WORDS[e.reason] || ENROL_WORDS.busy);
    } else if (e.step === 'capturing') {
      const w = e.hint && ENROL_WORDS[e.hint] ? ENROL_WORDS[e.hint] : ENROL_WORDS.capturing;
      enrolSay('busy', [w[0] + ' ' + e.frames + '/' + e.needed, w[1] + ' (' + e.frames + ' of ' + e.needed + ')']);
      return true;
    } else {
      enrolSay('busy', ENROL_WORDS['waiting-for-pass']);
      return true;
    }
    return false;
  }

  async function enrolPoll(id) {
    try {
      const r = await fetch('/kiosk/face/enrol/' + encodeURIComponent(id), { cache: 'no-store' });
      if (r.ok && enrolShow(await r.json())) {
        enrolTimer = setTimeout(() => enrolPoll(id), 500);
      } else if (!r.ok) {
        enrolEnd('refused', ENROL_WORDS.busy);
      }
    } catch (e) {
      enrolEnd('refused', ENROL_WORDS.busy);
    }
  }

  enrolButton.addEventListener('click', async () => {
    clearTimeout(enrolTimer);
    enrolButton.hidden = true;
    try {
      const r = await fetch('/kiosk/face/enrol/start', { method: 'POST', cache: 'no-store' });
      const body = await r.json();
      if (r.ok) {
        enrolShow(body);
        enrolTimer = setTimeout(() => enrolPoll(body.enrolment), 500);
      } else {
        enrolEnd('refused', ENROL_WORDS[body.error && body.error.code] || ENROL_WORDS.busy);
      }
    } catch (e) {
      enrolEnd('refused', ENROL_WORDS.busy);
    }
  });

  entryCode();
  poll();
})();
