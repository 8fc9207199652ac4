// Shared by the technician pages: their texts, the claim code shown in groups for reading aloud, and QR images
// fetched with the token (an <img> cannot send it) and shown as data: URLs (the CSP allows no blob:).

import { addTexts, el, t, token, fmtTime } from './common.js';

addTexts({
  zh: {
    'nav.tech': '安装调试', 'nav.import': '批量导入',
    'tech.claim': '认领码', 'tech.expires': '有效期至 {t}', 'tech.readAloud': '分组读出：{g}',
    'tech.commission': '调试此驿站', 'tech.provisioned': '已认领', 'tech.notProvisioned': '待认领',
    'profile.simulated': '模拟设备', 'profile.pi4b-standard': '树莓派 4B 标准版', 'profile.pi5-standard': '树莓派 5 标准版'
  },
  en: {
    'nav.tech': 'Install', 'nav.import': 'Import',
    'tech.claim': 'Claim code', 'tech.expires': 'valid until {t}', 'tech.readAloud': 'read aloud: {g}',
    'tech.commission': 'Commission this station', 'tech.provisioned': 'claimed', 'tech.notProvisioned': 'not claimed yet',
    'profile.simulated': 'simulated', 'profile.pi4b-standard': 'Raspberry Pi 4B standard',
    'profile.pi5-standard': 'Raspberry Pi 5 standard'
  }
});

/** The code as groups ("ABCDE-23456" → ["ABC","DE","234","56"]) short enough to read aloud and type. */
export function codeGroups(code) {
  const groups = [];
  String(code).split('-').forEach((half) => {
    groups.push(half.slice(0, 3));
    if (half.length > 3) { groups.push(half.slice(3)); }
  });
  return groups;
}

/** The claim code as large text, one span per group. */
export function codeElement(code) {
  const box = el('div', 'claim-code');
  box.setAttribute('data-code', code);
  // the dash between the halves stays, as the code is printed everywhere else
  String(code).split('-').forEach((half, i) => {
    if (i > 0) { box.appendChild(el('span', 'sep', '-')); }
    codeGroups(half).forEach((g) => box.appendChild(el('span', 'group', g)));
  });
  return box;
}

/** A data: URL of the station's claim QR code (PNG), fetched with the token. */
export async function claimQr(stationId) {
  const res = await fetch('/api/v1/stations/' + encodeURIComponent(stationId) + '/claim.png', {
    headers: { 'Authorization': 'Bearer ' + (token() || '') }
  });
  if (!res.ok) { throw new Error('QR ' + res.status); }
  const blob = await res.blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Fills img with the station's claim QR (alt text is the code). */
export function loadQr(img, stationId, code) {
  img.alt = code;
  img.setAttribute('data-station', stationId);
  return claimQr(stationId).then((url) => { img.src = url; img.setAttribute('data-loaded', 'true'); })
    .catch(() => { img.setAttribute('data-loaded', 'failed'); });
}

export function expiresText(ms) {
  return t('tech.expires', { t: fmtTime(ms) });
}
