// Find a station: asks the phone where it is, lists the open stations nearest first with the distance in a
// straight line and an estimate on foot, open now, free charger ports (each a link to "charge at port N") and
// how full the room is. Without a location it lists them anyway and says why there is no distance.
import { $, el } from './common.js';
import { t, known, onLanguage, initLanguage } from './i18n.js';
import { call, generalError, memberToken } from './rider.js';

let here = null;       // {lat, lon, accuracy} or null
let why = null;        // text key of the reason there is no location
let stations = [];
let loaded = false;

function distanceText(m) {
  return m < 1000 ? t('find.m', { n: Math.round(m) }) : t('find.km', { n: (m / 1000).toFixed(1) });
}

function fact(label, value, cls) {
  const f = el('span', 'fact' + (cls ? ' ' + cls : ''));
  f.append(el('span', null, label + ' '), el('b', null, value));
  return f;
}

function stationItem(s) {
  const li = el('li', 'station');
  li.dataset.station = s.id;
  li.append(el('h3', 'name', s.name));
  if (s.address) { li.append(el('div', 'addr', s.address)); }
  if (s.mobile) {
    const until = s.hereUntil ? new Date(s.hereUntil) : null;
    const m = el('div', 'mobile', until ? t('find.mobileUntil', { t: String(until.getHours()).padStart(2, '0') + ':'
      + String(until.getMinutes()).padStart(2, '0') }) : t('find.mobile'));
    m.dataset.hereUntil = s.hereUntil ? String(s.hereUntil) : '';
    li.append(m);
  }
  const facts = el('div', 'facts');
  if (s.distanceM !== null && s.distanceM !== undefined) {
    const d = el('span', 'distance', t('find.distance', { d: distanceText(s.distanceM) }) + ' · '
      + t('find.walk', { m: s.walkMinutes }));
    d.title = t('find.walkNote');
    facts.append(d);
  }
  const open = el('span', 'open-now ' + (s.openNow ? 'good' : 'bad'), s.openNow ? t('find.open') : t('find.closed'));
  open.dataset.open = String(s.openNow);
  facts.append(open);
  facts.append(el('span', 'hours muted', s.openingHours === '00:00-24:00' ? t('find.allDay')
    : t('find.hours', { h: s.openingHours })));
  li.append(facts);
  const nums = el('div', 'facts');
  const free = fact(t('find.freePorts'), s.ports > 0 ? s.freePorts + ' / ' + s.ports : t('find.noPorts'), 'free-ports');
  free.dataset.free = String(s.freePorts);
  nums.append(free);
  const o = s.occupancy || {};
  nums.append(fact(t('find.room'), o.count === null || o.count === undefined
    ? t('find.roomUnknown') + ' / ' + o.capacity : o.count + ' / ' + o.capacity, 'room'));
  li.append(nums);
  const ports = el('div', 'ports');
  (s.chargers || []).forEach((c) => {
    const title = t('find.portTitle', { n: c.port, s: known('port.', c.state) });
    let p;
    if (c.state === 'available' && s.openNow) {
      p = el('a', 'port available', '#' + c.port);
      p.href = '/c/' + encodeURIComponent(s.id) + '/' + encodeURIComponent(c.port);
      p.setAttribute('aria-label', t('find.chargeHere', { n: c.port }));
    } else {
      p = el('span', 'port ' + String(c.state), '#' + c.port);
      p.setAttribute('aria-label', title);
    }
    p.title = title;
    p.dataset.port = String(c.port);
    ports.append(p);
  });
  li.append(ports);
  if (s.lat !== null && s.lon !== null) {
    const links = el('div', 'links');
    const coords = s.lat.toFixed(5) + ',' + s.lon.toFixed(5);
    const walk = el('a', 'walk', t('find.walkThere'));
    walk.href = 'geo:' + coords + '?q=' + coords + '(' + encodeURIComponent(s.name) + ')';
    links.append(walk);
    // Amap/Gaode takes GCJ-02 (the hub converts); geo: above is WGS-84, as its standard says
    if (s.gcj02) {
      const amap = el('a', 'amap', t('find.amap'));
      amap.href = 'https://uri.amap.com/marker?position=' + s.gcj02.lon.toFixed(6) + ',' + s.gcj02.lat.toFixed(6)
        + '&name=' + encodeURIComponent(s.name) + '&src=yizhan&coordinate=gaode&callnative=1';
      amap.rel = 'noopener';
      links.append(amap);
    }
    links.append(el('span', 'coords muted', t('find.coords', { c: coords })));
    li.append(links);
  }
  return li;
}

function render() {
  const list = $('stations');
  list.replaceChildren(...stations.map(stationItem));
  $('empty').hidden = !loaded || stations.length > 0;
  const where = $('where');
  if (here) {
    where.textContent = t('find.located', { m: Math.max(1, Math.round(here.accuracy || 0)) });
  } else if (why) {
    where.textContent = t('find.noLocation');
  }
  $('why').hidden = !why;
  if (why) { $('why').textContent = t(why); }
}

async function load() {
  const path = '/api/v1/public/stations' + (here ? '?near=' + here.lat.toFixed(6) + ',' + here.lon.toFixed(6) : '');
  const r = await call('GET', path);
  const err = $('error');
  if (r.status !== 200) {
    err.hidden = false;
    err.textContent = generalError(r);
    return;
  }
  err.hidden = true;
  stations = r.body.stations || [];
  loaded = true;
  if (!here) {
    stations.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }
  render();
  document.body.dataset.loaded = here ? 'near' : 'all';
}

function locate() {
  if (!window.isSecureContext) { return Promise.resolve('find.why.insecure'); }
  if (!navigator.geolocation) { return Promise.resolve('find.why.unsupported'); }
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition((pos) => {
      here = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy };
      resolve(null);
    }, (e) => {
      resolve(e.code === 1 ? 'find.why.denied' : e.code === 3 ? 'find.why.timeout' : 'find.why.unavailable');
    }, { enableHighAccuracy: false, timeout: 12000, maximumAge: 60000 });
  });
}

if (!memberToken()) {
  $('nav-pass').setAttribute('data-i18n', 'r.nav.join');
  $('nav-pass').href = '/join.html';
}
initLanguage();
onLanguage(render);
locate().then((reason) => {
  why = reason;
  return load();
});
setInterval(load, 30000);
