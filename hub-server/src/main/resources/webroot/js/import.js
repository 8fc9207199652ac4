// Technician: import many stations from a CSV file. Problems come back by row and column and nothing is
// created; otherwise the page shows a printable sheet (A4, one card per station: name, address, claim code as
// text and as QR).

import { $, el, api } from './common.js';
import { t, onLanguage } from './i18n.js';
import { startShell } from './shell.js';
import { codeElement, expiresText, loadQr } from './claim.js';

let created = null;

async function upload(ev) {
  ev.preventDefault();
  $('import-error').textContent = '';
  $('problems').textContent = '';
  const file = $('file').files[0];
  if (!file) { $('import-error').textContent = t('ip.noFile'); return; }
  $('upload').disabled = true;
  try {
    const json = await api('POST', '/api/v1/stations/import', file, { contentType: 'text/csv; charset=utf-8' });
    created = json.stations || [];
    renderSheet();
  } catch (e) {
    if (e.status === 401) { return; }
    if (e.status) { $('result').hidden = true; }
    $('import-error').textContent = Array.isArray(e.problems) ? t('ip.nothing')
      : e.status ? e.message : t('error', { m: e.message });
    (e.problems || []).forEach((p) => {
      const li = el('li', null, p.message);
      li.setAttribute('data-row', p.row);
      if (p.column) { li.setAttribute('data-column', p.column); }
      $('problems').appendChild(li);
    });
  } finally {
    $('upload').disabled = false;
  }
}

function renderSheet() {
  if (!created) { return; }
  $('result').hidden = false;
  $('result-title').textContent = t('ip.created', { n: created.length });
  const sheet = $('sheet');
  if (sheet.getAttribute('data-count') === String(created.length) && sheet.children.length === created.length) {
    sheet.querySelectorAll('.expires').forEach((e, i) => { e.textContent = expiresText(created[i].claimExpiresAt); });
    return;
  }
  sheet.textContent = '';
  const qrs = [];
  created.forEach((s) => {
    const card = el('div', 'claim-card');
    card.setAttribute('data-station', s.id);
    card.appendChild(el('div', 'name', s.name));
    card.appendChild(el('div', 'addr', s.address));
    card.appendChild(codeElement(s.claimCode));
    const img = el('img');
    card.appendChild(img);
    card.appendChild(el('div', 'expires', expiresText(s.claimExpiresAt)));
    sheet.appendChild(card);
    qrs.push(() => loadQr(img, s.id, s.claimCode));
  });
  sheet.setAttribute('data-count', String(created.length));
  // a few at a time: a federation's file may hold hundreds
  const next = () => { const job = qrs.shift(); return job ? job().then(next) : Promise.resolve(); };
  for (let i = 0; i < 4; i++) { next(); }
}

if (startShell()) {
  onLanguage(renderSheet);
  $('import-form').addEventListener('submit', upload);
  $('print').addEventListener('click', () => window.print());
}
