// The one translation mechanism of every page: zh-CN first, English on the switch (remembered on this device),
// texts from one dictionary per language (i18n/zh-CN.js, i18n/en.js). In HTML, data-i18n="key" sets an element's
// text, data-i18n-placeholder its placeholder, data-i18n-alt its alt text, and data-i18n-title on any element the
// document's title. A page waits only for the dictionary of the language it shows (a rider's phone on a weak link
// shows the page after half the words); the other one loads once the page is worded, so the switch is instant.
const FILES = { zh: './i18n/zh-CN.js', en: './i18n/en.js' };
const TEXTS = {};
const LANG_KEY = 'yizhan.lang';
const listeners = [];
let current = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';

async function load(which) {
  if (!TEXTS[which]) {
    TEXTS[which] = (await import(FILES[which])).default;
  }
  return TEXTS[which];
}

await load(current);

export function lang() {
  return current;
}

export function locale() {
  return current === 'zh' ? 'zh-CN' : 'en-GB';
}

/** Whether the dictionaries have a text for key. */
export function has(key) {
  return key in TEXTS[current];
}

/** The text of key in the current language (the key itself when missing), with {name} replaced from vars. */
export function t(key, vars) {
  let s = TEXTS[current][key] || key;
  if (vars) {
    Object.keys(vars).forEach((k) => { s = s.split('{' + k + '}').join(String(vars[k])); });
  }
  return s;
}

/** The text for prefix+value, or the raw value when there is none (newer stations may send new names). */
export function known(prefix, value) {
  return has(prefix + value) ? t(prefix + value) : String(value);
}

/** fn runs after each language switch, to word again what the page wrote with t(). */
export function onLanguage(fn) {
  listeners.push(fn);
}

/** Words the page's data-i18n* attributes in the current language, then runs the onLanguage functions. */
export function applyLanguage() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.getAttribute('data-i18n')); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach((e) => {
    e.setAttribute('placeholder', t(e.getAttribute('data-i18n-placeholder')));
  });
  document.querySelectorAll('[data-i18n-alt]').forEach((e) => { e.alt = t(e.getAttribute('data-i18n-alt')); });
  const title = document.querySelector('[data-i18n-title]');
  if (title) { document.title = t(title.getAttribute('data-i18n-title')); }
  listeners.forEach((fn) => fn());
  load(current === 'zh' ? 'en' : 'zh');
}

/** Wires the page's language switch (#lang), when it has one, and words the page. */
export function initLanguage() {
  const button = document.getElementById('lang');
  if (button) {
    button.setAttribute('data-i18n', 'lang.switch');
    button.addEventListener('click', async () => {
      const next = current === 'zh' ? 'en' : 'zh';
      await load(next);
      current = next;
      localStorage.setItem(LANG_KEY, current);
      applyLanguage();
    });
  }
  applyLanguage();
}
