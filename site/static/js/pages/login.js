// Sign-in page.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { login, ApiError } from '../api.js';
import { form } from '../ui.js';

export const title = 'login.title';

export function render({ query, signedIn }) {
  const f = form({
    fields: [
      { name: 'username', label: t('login.username'), required: true, autocomplete: 'username', attrs: { autocapitalize: 'none', autofocus: true } },
      { name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password' },
    ],
    submitLabel: t('login.submit'),
    onSubmit: async (v) => {
      try {
        await login(v.username, v.password);
      } catch (e) {
        // The server's "wrong username or password" in the page's language.
        if (e instanceof ApiError && e.status === 401) throw new ApiError(401, { code: 'invalid_credentials' });
        throw e;
      }
      signedIn(query.get('next'));
    },
  });
  return h('section', { class: 'narrow card' },
    h('h1', null, t('login.title')),
    f.el,
    h('p', { class: 'muted small' }, t('login.firstTime')));
}
