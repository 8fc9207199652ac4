// A station's claim code on the technician pages: shown in groups for reading aloud, and as a QR image fetched with
// the token (an <img> cannot send it) and shown as a data: URL (the CSP allows no blob:).
import { el, fmtTime, api, dataUrl } from './common.js';
import { t } from './i18n.js';

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
  const res = await api('GET', '/api/v1/stations/' + encodeURIComponent(stationId) + '/claim.png', undefined,
    { response: true });
  return dataUrl(await res.blob());
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
