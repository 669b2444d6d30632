// The phone's half of phone pairing (/P/<token>, which the shell turns into
// #/pair/<token>): no sign-in, the pairing token authorises it. The phone
// announces itself, then scans terminals' request QR codes and sends each
// request URL to the desktop page that showed the pairing QR, which fills
// it into its activate form at once.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import { pageHeader, problemBox, loadFailed } from '../ui.js';
import { loadCodec } from '../codec.js';
import { receiveView } from '../receive-view.js';

export const title = 'pair.title';

async function post(token, what, body) {
  const res = await fetch(`/api/v1/pairings/${encodeURIComponent(token)}/${what}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
    body: JSON.stringify(body || {}), credentials: 'omit', cache: 'no-store',
  });
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, problem);
  }
}

export async function render({ id: token }) {
  let codec;
  try {
    codec = await loadCodec();
  } catch (e) {
    return h('section', null, pageHeader(t('pair.title')), loadFailed(e));
  }
  const state = h('p', { class: 'notice', 'data-testid': 'pair-state' }, t('pair.connecting'));
  const sent = h('ul', { class: 'sent-list', 'data-testid': 'pair-sent' });
  const problem = h('div');
  const seen = new Set();
  try {
    await post(token, 'hello');
    replace(state, t('pair.connected'));
    state.dataset.state = 'connected';
  } catch (e) {
    state.dataset.state = 'failed';
    replace(state, e instanceof ApiError && (e.status === 404 || e.status === 410) ? t('pair.expired') : t('pair.failed'));
    return h('section', null, pageHeader(t('pair.title')), state, problemBox(e));
  }
  const view = receiveView({
    codec,
    autoStart: true,
    async onRequestURL(u) {
      if (seen.has(u.url)) return;
      seen.add(u.url);
      replace(problem);
      try {
        await post(token, 'requests', { request_url: u.url });
        sent.prepend(h('li', { 'data-testid': 'pair-sent-item' }, '✓ ', t('pair.sent'), ' ', h('code', null, u.device_code || u.request.slice(0, 20))));
      } catch (e) {
        seen.delete(u.url);
        replace(problem, problemBox(e));
      }
    },
    onText() { replace(problem, h('p', { class: 'muted' }, t('pair.notRequest'))); },
  });
  return h('section', null, pageHeader(t('pair.title')), state, h('p', { class: 'help' }, t('pair.help')), view.el, problem, sent);
}
