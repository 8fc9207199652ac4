// Riders' feedback ("劳动者说") for operators: filter by station, status and overdue; triage as urgent (answer today)
// or normal (within 3 days), answer it. Overdue items are highlighted and counted. Every datum goes in as text.
import { $, el, button, api, fmtTime } from './common.js';
import { t, known, onLanguage } from './i18n.js';
import { startShell } from './shell.js';

let items = [];
let counts = {};
const drafts = new Map();

function query() {
  const p = new URLSearchParams();
  if ($('f-station').value) { p.set('stationId', $('f-station').value); }
  if ($('f-status').value) { p.set('status', $('f-status').value); }
  if ($('f-overdue').checked) { p.set('overdue', 'true'); }
  return p.toString();
}

function render() {
  const list = $('feedback');
  list.textContent = '';
  $('counts').textContent = '';
  if (counts.total !== undefined) {
    $('counts').appendChild(el('span', 'pill', t('fd.counts', counts)));
    const od = el('span', 'pill' + (counts.overdue ? ' bad' : ''), t('fd.countsOverdue', { n: counts.overdue }));
    od.id = 'overdue-count';
    od.dataset.count = String(counts.overdue);
    $('counts').appendChild(od);
  }
  $('empty').hidden = items.length > 0;
  items.forEach((f) => list.appendChild(item(f)));
}

function item(f) {
  const li = el('li', 'fb-item ' + f.status + (f.priority === 'urgent' ? ' urgent' : '') + (f.overdue ? ' overdue' : ''));
  li.dataset.feedback = f.id;
  li.dataset.status = f.status;
  li.dataset.overdue = String(!!f.overdue);
  const head = el('div', 'fb-head');
  head.appendChild(el('span', 'fb-station-name', f.stationName || f.stationId));
  head.appendChild(el('span', 'fb-badge', known('cat.', f.category)));
  head.appendChild(el('span', 'fb-badge status', t('fd.status.' + f.status)));
  if (f.priority) { head.appendChild(el('span', 'fb-badge ' + f.priority, t('fd.' + f.priority))); }
  if (f.overdue) { head.appendChild(el('span', 'fb-badge overdue', t('fd.overdue'))); }
  li.appendChild(head);
  li.appendChild(el('p', 'fb-body', f.text));
  const meta = el('div', 'fb-meta');
  meta.appendChild(el('span', null, '#' + f.id));
  meta.appendChild(el('span', null, t('fd.received', { t: fmtTime(f.createdAt) })));
  if (!f.answer) { meta.appendChild(el('span', 'fb-due', t('fd.due', { t: fmtTime(f.deadline) }))); }
  if (f.contact) { meta.appendChild(el('span', 'fb-contact', t('fd.contact', { c: f.contact }))); }
  if (f.member) { meta.appendChild(el('span', null, t('fd.member', { m: f.member }))); }
  if (f.triage) { meta.appendChild(el('span', null, t('fd.triaged', { by: f.triage.by }))); }
  li.appendChild(meta);
  if (f.answer) {
    li.appendChild(el('p', 'fb-meta', t('fd.answered', { by: f.answer.by, t: fmtTime(f.answer.at) })));
    li.appendChild(el('p', 'fb-reply', f.answer.text));
    return li;
  }
  const actions = el('div', 'fb-actions');
  ['urgent', 'normal'].forEach((p) => {
    const b = button(t(p === 'urgent' ? 'fd.markUrgent' : 'fd.markNormal'), 'triage-' + p + (f.priority === p ? ' on' : ''),
      () => act(f.id, 'triage', { priority: p }));
    actions.appendChild(b);
  });
  const text = el('textarea', 'answer-text');
  text.maxLength = 1000;
  text.placeholder = t('fd.answerPlaceholder');
  text.value = drafts.get(f.id) || '';
  text.addEventListener('input', () => drafts.set(f.id, text.value));
  actions.appendChild(text);
  actions.appendChild(button(t('fd.answer'), 'answer', () => {
    if (!text.value.trim()) {
      $('message').textContent = t('fd.needText');
      return;
    }
    act(f.id, 'answer', { text: text.value }).then((ok) => { if (ok) { drafts.delete(f.id); } });
  }));
  li.appendChild(actions);
  return li;
}

async function act(id, what, body) {
  $('message').textContent = '';
  try {
    await api('POST', '/api/v1/feedback/' + encodeURIComponent(id) + '/' + what, body);
    await load();
    return true;
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
    return false;
  }
}

let loads = 0;

/** Loads the list for the filters; an answer to an older request (filters changed since) is dropped. */
async function load() {
  const mine = ++loads;
  try {
    const r = await api('GET', '/api/v1/feedback?' + query());
    if (mine !== loads) { return; }
    items = r.feedback || [];
    counts = r.counts || {};
    render();
  } catch (e) {
    if (e.status !== 401) { $('message').textContent = t('error', { m: e.message }); }
  }
}

async function stations() {
  const s = await api('GET', '/api/v1/stations');
  const sel = $('f-station');
  (s.stations || []).forEach((x) => {
    const o = el('option', null, x.name);
    o.value = x.id;
    sel.appendChild(o);
  });
  const wanted = new URLSearchParams(location.search).get('stationId');
  if (wanted) { sel.value = wanted; }
}

if (startShell()) {
  onLanguage(render);
  ['f-station', 'f-status', 'f-overdue'].forEach((id) => $(id).addEventListener('change', load));
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  stations().catch(() => {}).then(load);
  setInterval(() => { if (!document.hidden && !document.activeElement.matches('textarea')) { load(); } }, 30000);
}
