// The header of every operator and technician page, written once here: the title, the navigation with the
// current page marked, the live badge (shown once the page opens the live stream), the language switch and
// sign-out. A page has <header id="shell" class="top" data-page="alerts"> (data-title for another title key)
// and calls startShell() first.
import { el, token, signOut, logOut } from './common.js';
import { initLanguage } from './i18n.js';

const HREF = {
  overview: '/', alerts: '/alerts.html', feedback: '/feedback-desk.html', scorecard: '/scorecard.html',
  tech: '/tech.html', import: '/import.html', updates: '/updates.html'
};
// Technicians' pages show their own short navigation; every other staff page the operators' one.
const TECH_PAGES = ['tech', 'import', 'commission'];
const TECH_NAV = ['overview', 'tech', 'import'];
const OPERATOR_NAV = ['overview', 'alerts', 'feedback', 'scorecard', 'updates', 'tech'];

function render(header) {
  const page = header.getAttribute('data-page');
  const signedIn = Boolean(token());
  const h1 = el('h1');
  const home = el('a');
  home.href = '/';
  home.setAttribute('data-i18n', header.getAttribute('data-title') || 'brand');
  h1.appendChild(home);

  const nav = el('nav', 'top-nav');
  nav.id = 'nav';
  nav.hidden = !signedIn;
  (TECH_PAGES.includes(page) ? TECH_NAV : OPERATOR_NAV).forEach((name) => {
    const a = el('a', name === page ? 'current' : null);
    a.href = HREF[name];
    a.setAttribute('data-i18n', 'nav.' + name);
    nav.appendChild(a);
  });

  const right = el('div', 'top-right');
  const live = el('span', 'live off');
  live.id = 'live';
  live.hidden = true;
  const lang = el('button');
  lang.id = 'lang';
  lang.type = 'button';
  lang.setAttribute('aria-label', 'Language');
  const out = el('button');
  out.id = 'logout';
  out.type = 'button';
  out.hidden = !signedIn;
  out.setAttribute('data-i18n', 'logout');
  out.addEventListener('click', logOut);
  right.append(live, lang, out);

  header.replaceChildren(h1, nav, right);
}

/**
 * Renders the header, words the page in the current language and, when the page needs a signed-in user and
 * there is none, goes to the sign-in page and answers false.
 */
export function startShell(needsLogin = true) {
  render(document.getElementById('shell'));
  initLanguage();
  if (needsLogin && !token()) {
    signOut();
    return false;
  }
  return true;
}

/** Shows or hides the navigation and sign-out (the overview hides them while it shows the sign-in form). */
export function showSignedIn(on) {
  document.getElementById('nav').hidden = !on;
  document.getElementById('logout').hidden = !on;
}
