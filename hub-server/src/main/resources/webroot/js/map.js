// The stations on a pannable, zoomable map (Leaflet, served by the hub from its webjar): tiles from the source
// the hub is configured with (OpenStreetMap-style or Tianditu in WGS-84, Amap/Gaode in GCJ-02, the stations then
// shifted onto them), or no tiles at all. Stations close together on screen are drawn as one numbered cluster,
// which zooms in when clicked. Each station marker is a link <a class="map-station online|offline|unknown"
// data-station=.. data-lat=.. data-lon=..> (the position drawn, after any shift); update() redraws the markers
// without moving the view the operator chose.
/* global L */
import { el, stationHref } from './common.js';
import { t } from './i18n.js';
import { toGcj02 } from './gcj02.js';

const CLUSTER_PX = 44;
const SINGLE_ZOOM = 15;

function stateOf(s) {
  return s.presence && ['online', 'offline'].includes(s.presence.state) ? s.presence.state : 'unknown';
}

export function stationMap(box, settings) {
  box.textContent = '';
  const canvas = el('div', 'map-canvas');
  const notes = el('div', 'map-notes');
  box.append(canvas, notes);
  const map = L.map(canvas, { worldCopyJump: true, zoomSnap: 0.5, attributionControl: true });
  map.attributionControl.setPrefix(false);
  const gcj = settings.coords === 'gcj02';
  let tilesLoaded = 0;
  let tilesFailed = 0;
  box.setAttribute('data-map', settings.tileUrl ? 'tiles' : 'plain');
  box.setAttribute('data-coords', gcj ? 'gcj02' : 'wgs84');
  if (settings.tileUrl) {
    const layer = L.tileLayer(settings.tileUrl, {
      subdomains: settings.subdomains || 'abc', maxZoom: 18, minZoom: 3, crossOrigin: false
    });
    // the attribution is the operator's text: shown as text, never as markup
    const a = document.createElement('span');
    a.textContent = settings.attribution || '';
    layer.getAttribution = () => a.innerHTML;
    layer.on('tileload', () => { tilesLoaded++; fallback(); });
    layer.on('tileerror', () => { tilesFailed++; fallback(); });
    layer.addTo(map);
  }
  let layerGroup = L.layerGroup().addTo(map);
  let list = [];
  let fitted = false;

  function fallback() {
    const failing = tilesFailed > 0 && tilesLoaded === 0;
    box.classList.toggle('tiles-failed', failing);
    const old = notes.querySelector('.map-fallback');
    if (failing && !old) { notes.appendChild(el('p', 'muted map-fallback', t('ov.tilesFailed'))); }
    if (!failing && old) { old.remove(); }
  }

  function position(s) {
    return gcj ? toGcj02(s.lat, s.lon) : [s.lat, s.lon];
  }

  function stationIcon(s, pos) {
    const state = stateOf(s);
    const a = el('a', 'map-station ' + state);
    a.href = stationHref(s.id);
    a.setAttribute('data-station', s.id);
    a.setAttribute('data-lat', pos[0].toFixed(7));
    a.setAttribute('data-lon', pos[1].toFixed(7));
    a.title = s.name + ' · ' + t('state.' + state) + (s.mobile ? ' · ' + t('ov.mobile') : '');
    const open = (s.alerts || []).filter((x) => !x.closedAt).length;
    a.append(el('span', 'map-dot' + (open ? ' alerting' : '') + (s.mobile ? ' mobile' : '')), el('span', 'map-label', s.name));
    return L.divIcon({ html: a, className: 'map-marker', iconSize: [18, 18], iconAnchor: [9, 9] });
  }

  function clusterIcon(members) {
    const b = el('button', 'map-cluster', String(members.length));
    b.type = 'button';
    b.setAttribute('data-count', String(members.length));
    if (members.some((m) => stateOf(m.s) === 'offline')) { b.classList.add('has-offline'); }
    b.title = t('ov.cluster', { n: members.length });
    return L.divIcon({ html: b, className: 'map-marker', iconSize: [32, 32], iconAnchor: [16, 16] });
  }

  function draw() {
    layerGroup.clearLayers();
    const placed = list.filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon))
      .map((s) => ({ s, pos: position(s) }));
    const cells = new Map();
    const zoom = map.getZoom();
    placed.forEach((m) => {
      const p = map.project(m.pos, zoom);
      const key = zoom >= map.getMaxZoom() ? m.s.id : Math.floor(p.x / CLUSTER_PX) + ':' + Math.floor(p.y / CLUSTER_PX);
      if (!cells.has(key)) { cells.set(key, []); }
      cells.get(key).push(m);
    });
    cells.forEach((members) => {
      if (members.length === 1) {
        const m = members[0];
        L.marker(m.pos, { icon: stationIcon(m.s, m.pos), keyboard: false }).addTo(layerGroup);
        return;
      }
      const lat = members.reduce((n, m) => n + m.pos[0], 0) / members.length;
      const lon = members.reduce((n, m) => n + m.pos[1], 0) / members.length;
      const marker = L.marker([lat, lon], { icon: clusterIcon(members), keyboard: false }).addTo(layerGroup);
      marker.on('click', () => map.fitBounds(L.latLngBounds(members.map((m) => m.pos)), { padding: [40, 40] }));
    });
    return placed;
  }

  function update(stations) {
    list = stations;
    const placed = draw();
    if (!fitted && placed.length) {
      fitted = true;
      if (placed.length === 1) {
        map.setView(placed[0].pos, SINGLE_ZOOM);
      } else {
        map.fitBounds(L.latLngBounds(placed.map((m) => m.pos)), { padding: [40, 40], maxZoom: 17 });
      }
    }
    if (!placed.length && !fitted) { map.setView([35.0, 105.0], 4); }
    const missing = stations.length - placed.length;
    const old = notes.querySelector('.no-coords');
    if (old) { old.remove(); }
    if (missing) { notes.appendChild(el('p', 'muted no-coords', t('ov.noCoords', { n: missing }))); }
  }

  map.on('zoomend', draw);
  return { update, map };
}
