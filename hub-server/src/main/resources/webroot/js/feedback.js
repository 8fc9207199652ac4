'use strict';
// Feedback ("劳动者说"): the kiosk's QR code opens /f/{stationId}. The rider picks what it is about, writes, and
// sends; the phone keeps each ticket's id and secret (localStorage) and shows the union's answer here later.
// A member token from joining (localStorage yizhan.memberToken) links the feedback to the member.
// Text only through textContent, never innerHTML.
(function () {
  const LANG_KEY = 'yizhan.lang';
  const TICKETS_KEY = 'yizhan.feedback';
  const TOKEN_KEY = 'yizhan.memberToken';
  const MAX_TICKETS = 20;
  const CATEGORIES = {
    charger: ['充电', 'Charging'], door: ['门禁', 'Door'], facility: ['设施（座椅、热水、卫生间）', 'Facilities (seats, hot water, toilet)'],
    cleanliness: ['卫生', 'Cleanliness'], service: ['服务', 'Service'], suggestion: ['建议', 'Suggestion'], other: ['其他', 'Other']
  };
  const WORDS = {
    station: ['驿站：', 'Station: '],
    unknownStation: ['找不到这个驿站，请重新扫描驿站屏幕上的二维码', 'This station is not known; scan the code on the station screen again'],
    pickCategory: ['请选择是关于什么的', 'Choose what it is about'],
    writeText: ['请写下情况', 'Please write what happened'],
    sending: ['正在提交…', 'Sending…'],
    sent: ['已提交，工单号 {id}。答复会显示在下面。', 'Sent. Ticket {id}. The answer will show below.'],
    tooMany: ['提交太频繁，请 {s} 秒后再试', 'Too many at once; try again in {s} s'],
    network: ['网络不通，请再试一次', 'No connection; try again'],
    failed: ['提交失败：{m}', 'Could not send: {m}'],
    ticket: ['工单 ', 'Ticket '],
    'status.new': ['已收到', 'Received'], 'status.triaged': ['处理中', 'Being handled'], 'status.answered': ['已答复', 'Answered'],
    due: ['答复期限：{t}', 'Answer due by {t}'],
    overdue: ['已超过答复期限，我们正在催办', 'Past the deadline; we are chasing it'],
    answer: ['工会答复', 'The union answers'],
    gone: ['这条反馈已无法查看', 'This feedback can no longer be read']
  };
  let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  const stationId = (() => {
    const raw = location.pathname.split('/')[2] || new URLSearchParams(location.search).get('s') || '';
    try { return decodeURIComponent(raw); } catch (e) { return raw; }
  })();
  let stationName = null;
  let lastMessage = null;
  let views = {};

  const $ = (id) => document.getElementById(id);
  function w(key, vars) {
    let s = (WORDS[key] || [key, key])[lang === 'en' ? 1 : 0];
    Object.keys(vars || {}).forEach((k) => { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function when(ms) {
    return new Date(ms).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function tickets() {
    try {
      const list = JSON.parse(localStorage.getItem(TICKETS_KEY) || '[]');
      return Array.isArray(list) ? list.filter((x) => x && typeof x.id === 'string' && typeof x.k === 'string') : [];
    } catch (e) {
      return [];
    }
  }
  function keep(list) {
    localStorage.setItem(TICKETS_KEY, JSON.stringify(list.slice(0, MAX_TICKETS)));
  }

  function message(key, vars, ok) {
    lastMessage = [key, vars, ok];
    const m = $('message');
    m.className = 'fb-message' + (ok ? ' ok' : '');
    m.textContent = key ? w(key, vars) : '';
  }

  function applyLang() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-zh]').forEach((e) => { e.textContent = e.dataset[lang]; });
    $('lang').textContent = lang === 'en' ? '中文' : 'English';
    document.title = (lang === 'en' ? "Workers' voice" : '劳动者说') + ' · ' + (stationName || stationId);
    $('station').textContent = w('station') + (stationName || stationId);
    document.querySelectorAll('#categories label').forEach((l) => {
      l.querySelector('span').textContent = CATEGORIES[l.dataset.category][lang === 'en' ? 1 : 0];
    });
    if (lastMessage) { message(lastMessage[0], lastMessage[1], lastMessage[2]); }
    renderTickets();
  }

  function buildCategories() {
    const box = $('categories');
    Object.keys(CATEGORIES).forEach((c) => {
      const label = el('label');
      label.dataset.category = c;
      const input = el('input');
      input.type = 'radio';
      input.name = 'category';
      input.value = c;
      input.addEventListener('change', () => {
        box.querySelectorAll('label').forEach((l) => { l.className = l.dataset.category === c ? 'on' : ''; });
      });
      label.appendChild(input);
      label.appendChild(el('span', null, CATEGORIES[c][0]));
      box.appendChild(label);
    });
  }

  function renderTickets() {
    const list = tickets();
    $('mine').hidden = list.length === 0;
    const ul = $('tickets');
    ul.textContent = '';
    list.forEach((t) => {
      const v = views[t.id];
      const li = el('li', 'fb-ticket');
      li.dataset.ticket = t.id;
      const head = el('div', 'fb-ticket-head');
      head.appendChild(el('span', 'fb-ticket-id', w('ticket') + t.id));
      if (v === 'gone') {
        li.appendChild(head);
        li.appendChild(el('p', 'fb-due', w('gone')));
        ul.appendChild(li);
        return;
      }
      if (!v) {
        li.appendChild(head);
        ul.appendChild(li);
        return;
      }
      li.dataset.status = v.status;
      if (v.answer) { li.className += ' answered'; }
      head.appendChild(el('span', null, (v.stationName || v.stationId) + ' · ' + when(v.createdAt)));
      head.appendChild(el('span', 'fb-status', w('status.' + v.status)));
      li.appendChild(head);
      li.appendChild(el('p', 'fb-text', v.text));
      if (v.answer) {
        const a = el('div', 'fb-answer');
        a.appendChild(el('span', 'fb-answer-label', w('answer') + ' · ' + when(v.answer.at)));
        a.appendChild(el('span', 'fb-answer-text', v.answer.text));
        li.appendChild(a);
      } else {
        li.appendChild(el('p', 'fb-due', v.overdue ? w('overdue') : w('due', { t: when(v.deadline) })));
      }
      ul.appendChild(li);
    });
  }

  async function loadTickets() {
    const list = tickets();
    await Promise.all(list.map(async (t) => {
      try {
        const r = await fetch('/api/v1/feedback/' + encodeURIComponent(t.id) + '?k=' + encodeURIComponent(t.k), { cache: 'no-store' });
        if (r.status === 404) {
          views[t.id] = 'gone';
        } else if (r.ok) {
          views[t.id] = (await r.json()).feedback;
        }
      } catch (e) {
        // keep what was shown; the next refresh tries again
      }
    }));
    renderTickets();
  }

  async function send(ev) {
    ev.preventDefault();
    const picked = document.querySelector('#categories input:checked');
    const text = $('text').value.trim();
    if (!picked) { return message('pickCategory'); }
    if (!text) { return message('writeText'); }
    const body = { stationId: stationId, category: picked.value, text: text };
    const contact = $('contact').value.trim();
    if (contact) { body.contact = contact; }
    $('send').disabled = true;
    message('sending');
    try {
      let r = await post(body, localStorage.getItem(TOKEN_KEY));
      if (r.status === 401) {
        localStorage.removeItem(TOKEN_KEY);
        r = await post(body, null);
      }
      const json = await r.json().catch(() => ({}));
      if (r.status === 429) {
        message('tooMany', { s: r.headers.get('Retry-After') || 60 });
      } else if (!r.ok) {
        message('failed', { m: (json.error && json.error.message) || r.status });
      } else {
        const list = tickets().filter((x) => x.id !== json.id);
        list.unshift({ id: json.id, k: json.secret, stationId: stationId, at: Date.now() });
        keep(list);
        views[json.id] = json.feedback;
        $('form').reset();
        document.querySelectorAll('#categories label').forEach((l) => { l.className = ''; });
        $('count').textContent = '0';
        message('sent', { id: json.id }, true);
        renderTickets();
        $('mine').scrollIntoView();
      }
    } catch (e) {
      message('network');
    } finally {
      $('send').disabled = false;
    }
  }

  function post(body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) { headers.Authorization = 'Bearer ' + token; }
    return fetch('/api/v1/feedback', { method: 'POST', headers: headers, body: JSON.stringify(body) });
  }

  async function loadStation() {
    try {
      const r = await fetch('/api/v1/feedback/form/' + encodeURIComponent(stationId), { cache: 'no-store' });
      if (r.status === 404) {
        $('form').hidden = true;
        message('unknownStation');
        $('message').hidden = false;
        $('mine').before($('message'));
        return;
      }
      if (r.ok) {
        stationName = (await r.json()).name;
        applyLang();
      }
    } catch (e) {
      message('network');
    }
  }

  buildCategories();
  $('lang').addEventListener('click', () => {
    lang = lang === 'en' ? 'zh' : 'en';
    localStorage.setItem(LANG_KEY, lang);
    applyLang();
  });
  $('text').addEventListener('input', () => { $('count').textContent = String($('text').value.length); });
  $('form').addEventListener('submit', send);
  $('refresh').addEventListener('click', loadTickets);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) { loadTickets(); } });
  setInterval(() => { if (!document.hidden) { loadTickets(); } }, 30000);
  applyLang();
  loadStation();
  loadTickets();
})();
