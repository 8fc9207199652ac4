// Feedback ("劳动者说"): the kiosk's QR code opens /f/{stationId}. The rider picks what it is about, writes, and
// sends; the phone keeps each ticket's id and secret (localStorage) and shows the union's answer here later.
// A member token from joining links the feedback to the member.
// Text only through textContent, never innerHTML.
import { $, el } from './common.js';
import { t, locale, onLanguage, initLanguage } from './i18n.js';
import { call, forgetMember, memberToken } from './rider.js';

const TICKETS_KEY = 'yizhan.feedback';
const MAX_TICKETS = 20;
const CATEGORIES = ['charger', 'door', 'facility', 'cleanliness', 'service', 'suggestion', 'other'];
const stationId = (() => {
  const raw = location.pathname.split('/')[2] || new URLSearchParams(location.search).get('s') || '';
  try { return decodeURIComponent(raw); } catch (e) { return raw; }
})();
let stationName = null;
let lastMessage = null;
const views = {};

function when(ms) {
  return new Date(ms).toLocaleString(locale(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
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
  m.textContent = key ? t(key, vars) : '';
}

function showStation() {
  document.title = t('fb.title') + ' · ' + (stationName || stationId);
  $('station').textContent = t('fb.station', { s: stationName || stationId });
}

function buildCategories() {
  const box = $('categories');
  CATEGORIES.forEach((c) => {
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
    const text = el('span');
    text.setAttribute('data-i18n', 'fb.cat.' + c);
    label.appendChild(text);
    box.appendChild(label);
  });
}

function renderTickets() {
  const list = tickets();
  $('mine').hidden = list.length === 0;
  const ul = $('tickets');
  ul.textContent = '';
  list.forEach((ticket) => {
    const v = views[ticket.id];
    const li = el('li', 'fb-ticket');
    li.dataset.ticket = ticket.id;
    const head = el('div', 'fb-ticket-head');
    head.appendChild(el('span', 'fb-ticket-id', t('fb.ticket', { id: ticket.id })));
    if (v === 'gone') {
      li.appendChild(head);
      li.appendChild(el('p', 'fb-due', t('fb.gone')));
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
    head.appendChild(el('span', 'fb-status', t('fb.status.' + v.status)));
    li.appendChild(head);
    li.appendChild(el('p', 'fb-text', v.text));
    if (v.answer) {
      const a = el('div', 'fb-answer');
      a.appendChild(el('span', 'fb-answer-label', t('fb.answer') + ' · ' + when(v.answer.at)));
      a.appendChild(el('span', 'fb-answer-text', v.answer.text));
      li.appendChild(a);
    } else {
      li.appendChild(el('p', 'fb-due', v.overdue ? t('fb.overdue') : t('fb.due', { t: when(v.deadline) })));
    }
    ul.appendChild(li);
  });
}

async function loadTickets() {
  await Promise.all(tickets().map(async (ticket) => {
    const r = await call('GET', '/api/v1/feedback/' + encodeURIComponent(ticket.id) + '?k=' + encodeURIComponent(ticket.k));
    if (r.status === 404) {
      views[ticket.id] = 'gone';
    } else if (r.status === 200) {
      views[ticket.id] = r.body.feedback;
    }
    // otherwise keep what was shown; the next refresh tries again
  }));
  renderTickets();
}

async function send(ev) {
  ev.preventDefault();
  const picked = document.querySelector('#categories input:checked');
  const text = $('text').value.trim();
  if (!picked) { return message('fb.pickCategory'); }
  if (!text) { return message('fb.writeText'); }
  const body = { stationId, category: picked.value, text };
  const contact = $('contact').value.trim();
  if (contact) { body.contact = contact; }
  $('send').disabled = true;
  message('fb.sending');
  let r = await call('POST', '/api/v1/feedback', body);
  if (r.status === 401 && memberToken()) {
    // a member token this hub no longer knows: send it without
    forgetMember();
    r = await call('POST', '/api/v1/feedback', body);
  }
  if (r.status === 0) {
    message('fb.network');
  } else if (r.status === 429) {
    message('fb.tooMany', { s: r.headers.get('Retry-After') || 60 });
  } else if (r.status < 200 || r.status > 299) {
    message('fb.failed', { m: (r.body.error && r.body.error.message) || r.status });
  } else {
    const json = r.body;
    const list = tickets().filter((x) => x.id !== json.id);
    list.unshift({ id: json.id, k: json.secret, stationId, at: Date.now() });
    keep(list);
    views[json.id] = json.feedback;
    $('form').reset();
    document.querySelectorAll('#categories label').forEach((l) => { l.className = ''; });
    $('count').textContent = '0';
    message('fb.sent', { id: json.id }, true);
    renderTickets();
    $('mine').scrollIntoView();
  }
  $('send').disabled = false;
}

async function loadStation() {
  const r = await call('GET', '/api/v1/feedback/form/' + encodeURIComponent(stationId));
  if (r.status === 404) {
    $('form').hidden = true;
    message('fb.unknownStation');
    $('message').hidden = false;
    $('mine').before($('message'));
  } else if (r.status === 200) {
    stationName = r.body.name;
    showStation();
  } else if (r.status === 0) {
    message('fb.network');
  }
}

buildCategories();
$('text').addEventListener('input', () => { $('count').textContent = String($('text').value.length); });
$('form').addEventListener('submit', send);
$('refresh').addEventListener('click', loadTickets);
document.addEventListener('visibilitychange', () => { if (!document.hidden) { loadTickets(); } });
setInterval(() => { if (!document.hidden) { loadTickets(); } }, 30000);
onLanguage(() => {
  showStation();
  if (lastMessage) { message(lastMessage[0], lastMessage[1], lastMessage[2]); }
  renderTickets();
});
initLanguage();
loadStation();
loadTickets();
