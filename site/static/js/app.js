// The portal's entry point: the top bar, the language switch, the session,
// and the hash router that loads each page's module when it is opened.
//
// URLs: "/#/orders/ID" and the like for pages; "/setup#TOKEN" for the
// one-time setup link; "/R/<BASE32>" for a terminal's request QR, which
// opens the activate page with the request filled in.

import { h, replace } from './dom.js';
import { t, lang, setLang, onLangChange, languages } from './i18n.js';
import { session, refreshSession, logout, onUnauthenticated, hasRole } from './api.js';
import { problemBox } from './ui.js';

// Each page is a module exporting render(ctx) -> Node | Promise<Node> and a
// title key; roles limits who sees it in the menu.
const pages = {
  login: { load: () => import('./pages/login.js'), public: true },
  setup: { load: () => import('./pages/setup.js'), public: true },
  pair: { load: () => import('./pages/pair.js'), public: true },
  scan: { load: () => import('./pages/scan.js'), nav: 'nav.scan' },
  products: { load: () => import('./pages/products.js'), nav: 'nav.products' },
  customers: { load: () => import('./pages/customers.js'), nav: 'nav.customers' },
  orders: { load: () => import('./pages/orders.js'), nav: 'nav.orders' },
  order: { load: () => import('./pages/order.js') },
  activate: { load: () => import('./pages/activate.js'), nav: 'nav.activate', roles: ['admin', 'operator'] },
  release: { load: () => import('./pages/release.js'), nav: 'nav.release', roles: ['admin', 'operator'] },
  licenses: { load: () => import('./pages/licenses.js'), nav: 'nav.licenses' },
  license: { load: () => import('./pages/license.js') },
  audit: { load: () => import('./pages/audit.js'), nav: 'nav.audit', roles: ['admin', 'auditor'] },
  settings: { load: () => import('./pages/settings.js'), nav: 'nav.settings' },
};
const navOrder = ['orders', 'activate', 'release', 'scan', 'licenses', 'products', 'customers', 'audit', 'settings'];

/** The current route: {page, id, query}. */
export function parseHash(hash) {
  const s = (hash || '').replace(/^#\/?/, '');
  const [p, qs = ''] = s.split('?');
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(qs);
  let page = parts[0] || '';
  let id = parts[1] || '';
  if (page === 'orders' && id) page = 'order';
  if (page === 'licenses' && id) page = 'license';
  return { page, id, query, path: s };
}

/** Goes to a hash route ("/orders/ID", "/activate?request=..."). */
export function navigate(route, { replace: rep = false } = {}) {
  const target = `#${route.startsWith('/') ? route : `/${route}`}`;
  if (rep) {
    history.replaceState(null, '', `/${target}`);
    render();
  } else if (location.hash === target && location.pathname === '/') {
    render();
  } else if (location.pathname !== '/') {
    history.pushState(null, '', `/${target}`);
    render();
  } else {
    location.hash = target;
  }
}

const main = () => document.getElementById('main');
let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  // Path-based entries: the setup link and a terminal's request URL.
  if (location.pathname === '/setup' || location.pathname === '/setup/') {
    return show(seq, 'setup', { token: location.hash.replace(/^#/, ''), query: new URLSearchParams() });
  }
  const r = location.pathname.match(/^\/[Rr]\/([^/]+)$/);
  if (r) {
    history.replaceState(null, '', `/#/activate?request=${encodeURIComponent(decodeURIComponent(r[1]))}`);
  }
  // A phone that scanned a pairing QR: /P/<token>.
  const p = location.pathname.match(/^\/[Pp]\/([^/]+)$/);
  if (p) {
    history.replaceState(null, '', `/#/pair/${encodeURIComponent(decodeURIComponent(p[1]))}`);
  }
  const route = parseHash(location.hash);
  if (route.page === 'pair') return show(seq, 'pair', route);
  if (!session.account && route.page !== 'login') {
    const next = route.path && route.page !== '' ? `?next=${encodeURIComponent(`/${route.path}`)}` : '';
    history.replaceState(null, '', `/#/login${next}`);
    return show(seq, 'login', { query: new URLSearchParams(next.slice(1)) });
  }
  if (route.page === '' || !pages[route.page] || (session.account && route.page === 'login')) {
    history.replaceState(null, '', '/#/orders');
    return show(seq, 'orders', { query: new URLSearchParams() });
  }
  return show(seq, route.page, route);
}

async function show(seq, name, ctx) {
  const spec = pages[name];
  updateChrome(name);
  const el = main();
  el.setAttribute('aria-busy', 'true');
  let node;
  try {
    const mod = await spec.load();
    if (seq !== renderSeq) return;
    document.title = `${t(mod.title || `nav.${name}`)} · Licet`;
    node = await mod.render({ ...ctx, navigate, signedIn });
  } catch (e) {
    node = h('section', null, problemBox(e));
  }
  if (seq !== renderSeq) return;
  replace(el, node);
  el.removeAttribute('aria-busy');
  el.dataset.page = name;
  const heading = el.querySelector('h1');
  if (heading && document.activeElement === document.body) heading.setAttribute('tabindex', '-1');
}

/** Called by the login and setup pages once a session exists. */
function signedIn(next) {
  if (location.pathname !== '/') history.replaceState(null, '', '/');
  navigate(next && next.startsWith('/') ? next : '/orders', { replace: true });
}

function updateChrome(current) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const out = document.getElementById('logout');
  const toggle = document.getElementById('menu-toggle');
  document.getElementById('skip-link').textContent = t('app.skip');
  out.textContent = t('nav.logout');
  nav.setAttribute('aria-label', t('nav.main'));
  toggle.textContent = t('nav.menu');
  const other = languages.find((l) => l.code !== lang());
  const langBtn = document.getElementById('lang-toggle');
  langBtn.textContent = other.name;
  langBtn.lang = other.code === 'zh' ? 'zh-CN' : other.code;
  langBtn.title = t('app.language');
  langBtn.setAttribute('aria-label', `${t('app.language')}: ${other.name}`);
  if (!session.account) {
    replace(nav);
    who.textContent = '';
    out.hidden = true;
    toggle.hidden = true;
    return;
  }
  const active = current === 'order' ? 'orders' : current === 'license' ? 'licenses' : current;
  replace(nav, navOrder
    .filter((p) => !pages[p].roles || hasRole(...pages[p].roles))
    .map((p) => h('a', { href: `/#/${p}`, class: p === active ? 'active' : '', 'aria-current': p === active ? 'page' : false }, t(pages[p].nav))));
  who.textContent = `${session.account.username} · ${t(`role.${session.account.role}`)}`;
  out.hidden = false;
  toggle.hidden = false;
  nav.classList.remove('open');
  toggle.setAttribute('aria-expanded', 'false');
}

async function start() {
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLang(languages.find((l) => l.code !== lang()).code);
  });
  onLangChange(() => render());
  document.getElementById('logout').addEventListener('click', async () => {
    try { await logout(); } finally { navigate('/login'); }
  });
  const toggle = document.getElementById('menu-toggle');
  toggle.addEventListener('click', () => {
    const nav = document.getElementById('nav');
    const open = !nav.classList.contains('open');
    nav.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  onUnauthenticated(() => {
    const route = parseHash(location.hash);
    if (route.page !== 'login') navigate(`/login?next=${encodeURIComponent(`/${route.path}`)}`);
  });
  window.addEventListener('hashchange', render);
  // The setup link and a phone's pairing page need no session: asking for
  // one would only log a 401.
  const sessionless = location.pathname === '/setup' || location.pathname === '/setup/'
    || /^\/[Pp]\//.test(location.pathname) || parseHash(location.hash).page === 'pair';
  if (!sessionless) {
    try {
      await refreshSession();
    } catch (e) {
      updateChrome('');
      replace(main(), h('section', null, problemBox(e)));
      return;
    }
  }
  render();
}

start();
