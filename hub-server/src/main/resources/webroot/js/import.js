// Technician: import many stations from a CSV file. Problems come back by row and column and nothing is
// created; otherwise the page shows a printable sheet (A4, one card per station: name, address, claim code as
// text and as QR).

import { $, addTexts, el, initFrame, onLanguage, t, token, signOut } from './common.js';
import { codeElement, expiresText, loadQr } from './tech-common.js';

addTexts({
  zh: {
    'ip.title': '驿站 · 批量导入', 'ip.heading': '从 CSV 文件导入驿站',
    'ip.help': '第一行为表头：name,address,lat,lon,profile,ports,capacity。请以 "CSV UTF-8" 格式保存。最多 2000 个驿站。',
    'ip.file': 'CSV 文件', 'ip.upload': '上传并导入', 'ip.print': '打印认领码', 'ip.noFile': '请先选择文件',
    'ip.created': '已导入 {n} 个驿站，请打印认领码', 'ip.nothing': '文件有问题，未导入任何驿站：'
  },
  en: {
    'ip.title': 'Yizhan · Import stations', 'ip.heading': 'Import stations from a CSV file',
    'ip.help': 'The first row is the header: name,address,lat,lon,profile,ports,capacity. Save as "CSV UTF-8". At most 2000 stations.',
    'ip.file': 'CSV file', 'ip.upload': 'Upload and import', 'ip.print': 'Print claim codes', 'ip.noFile': 'Choose a file first',
    'ip.created': '{n} stations imported; print their claim codes', 'ip.nothing': 'The file has problems; nothing was imported:'
  }
});

let created = null;

async function upload(ev) {
  ev.preventDefault();
  $('import-error').textContent = '';
  $('problems').textContent = '';
  const file = $('file').files[0];
  if (!file) { $('import-error').textContent = t('ip.noFile'); return; }
  $('upload').disabled = true;
  try {
    const res = await fetch('/api/v1/stations/import', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + (token() || ''), 'Content-Type': 'text/csv; charset=utf-8', 'Accept': 'application/json' },
      body: file
    });
    const json = await res.json().catch(() => ({}));
    if (res.status === 401) { signOut(); return; }
    if (!res.ok) {
      const e = json.error || {};
      $('import-error').textContent = Array.isArray(e.problems) ? t('ip.nothing') : (e.message || res.statusText);
      (e.problems || []).forEach((p) => {
        const li = el('li', null, p.message);
        li.setAttribute('data-row', p.row);
        if (p.column) { li.setAttribute('data-column', p.column); }
        $('problems').appendChild(li);
      });
      $('result').hidden = true;
      return;
    }
    created = json.stations || [];
    renderSheet();
  } catch (e) {
    $('import-error').textContent = t('error', { m: e.message });
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

if (initFrame(true)) {
  onLanguage(renderSheet);
  $('import-form').addEventListener('submit', upload);
  $('print').addEventListener('click', () => window.print());
}
