// Find a station: asks the phone where it is, lists the open stations nearest first with the distance in a
// straight line and an estimate on foot, open now, free charger ports (each a link to "charge at port N") and
// how full the room is. Without a location it lists them anyway and says why there is no distance.
import { $, addTexts, applyLanguage, el, known, onLanguage, t } from '/js/common.js';
import { call, generalError, initRider, memberToken } from '/js/rider.js';

addTexts({
  zh: {
    'find.pageTitle': '驿站 · 找驿站', 'find.title': '驿站 · 户外劳动者之家', 'find.heading': '附近的驿站',
    'find.locating': '正在获取你的位置…', 'find.located': '按离你的远近排列（你的位置精确到约 {m} 米）',
    'find.noLocation': '没有你的位置，驿站按名称排列，不显示距离。',
    'find.why.insecure': '这个网页不是通过 https 打开的，手机不允许它读取位置。',
    'find.why.unsupported': '这个浏览器不能提供位置。',
    'find.why.denied': '你没有允许这个网页使用位置。可以在浏览器设置里打开位置权限，再刷新页面。',
    'find.why.unavailable': '手机暂时取不到位置（可能在室内或信号弱）。',
    'find.why.timeout': '获取位置太久没有结果。',
    'find.empty': '现在没有开放的驿站。',
    'find.distance': '直线 {d}', 'find.walk': '步行约 {m} 分钟',
    'find.walkNote': '步行时间按直线距离的 1.3 倍、每小时 4.5 公里估算',
    'find.open': '开放中', 'find.closed': '现在不开放', 'find.hours': '开放时间 {h}', 'find.allDay': '24 小时开放',
    'find.freePorts': '空闲充电口', 'find.room': '室内人数', 'find.roomUnknown': '人数未知',
    'find.noPorts': '没有充电口', 'find.portTitle': '{n} 号口：{s}', 'find.chargeHere': '在 {n} 号口充电',
    'find.walkThere': '导航过去', 'find.coords': '坐标 {c}', 'find.updated': '更新于 {t}',
    'find.legend': '绿色的充电口空闲，点一下就能在那里充电。', 'find.m': '{n} 米', 'find.km': '{n} 公里'
  },
  en: {
    'find.pageTitle': 'Yizhan · Find a station', 'find.title': 'Yizhan · a home for outdoor workers',
    'find.heading': 'Stations near you',
    'find.locating': 'Finding where you are…', 'find.located': 'Nearest first (your location is good to about {m} m)',
    'find.noLocation': 'Without your location the stations are listed by name, without distances.',
    'find.why.insecure': 'This page was not opened over https, so the phone does not let it read your location.',
    'find.why.unsupported': 'This browser cannot give a location.',
    'find.why.denied': 'You did not allow this page to use your location. Allow it in the browser settings and reload.',
    'find.why.unavailable': 'The phone cannot find its location just now (indoors or a weak signal?).',
    'find.why.timeout': 'Finding your location took too long.',
    'find.empty': 'No station is open just now.',
    'find.distance': '{d} in a straight line', 'find.walk': 'about {m} min on foot',
    'find.walkNote': 'Walking time taken as 1.3 × the straight line at 4.5 km/h',
    'find.open': 'Open now', 'find.closed': 'Closed now', 'find.hours': 'Open {h}', 'find.allDay': 'Open 24 hours',
    'find.freePorts': 'Free chargers', 'find.room': 'People inside', 'find.roomUnknown': 'unknown',
    'find.noPorts': 'No chargers', 'find.portTitle': 'Port {n}: {s}', 'find.chargeHere': 'Charge at port {n}',
    'find.walkThere': 'Walk there', 'find.coords': 'Coordinates {c}', 'find.updated': 'Updated {t}',
    'find.legend': 'Green ports are free: tap one to charge there.', 'find.m': '{n} m', 'find.km': '{n} km'
  }
});

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
    links.append(walk, el('span', 'coords muted', t('find.coords', { c: coords })));
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

initRider();
if (!memberToken()) {
  $('nav-pass').setAttribute('data-i18n', 'r.nav.join');
  $('nav-pass').href = '/join.html';
  applyLanguage();
}
onLanguage(render);
locate().then((reason) => {
  why = reason;
  return load();
});
setInterval(load, 30000);
