// First-time setup: the one-time link /setup#TOKEN printed on the server's
// console creates the first admin account.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { setup } from '../api.js';
import { form, problemBox } from '../ui.js';
import { ApiError } from '../api.js';

export const title = 'setup.title';

export function render({ token, signedIn }) {
  const intro = h('p', null, t('setup.intro'));
  if (!token) {
    return h('section', { class: 'narrow card' }, h('h1', null, t('setup.title')),
      problemBox(new ApiError(400, { code: 'setup_token_missing', detail: t('setup.noToken') })));
  }
  const f = form({
    fields: [
      { name: 'username', label: t('login.username'), required: true, autocomplete: 'username', attrs: { autocapitalize: 'none', autofocus: true } },
      { name: 'password', label: t('setup.password'), type: 'password', required: true, autocomplete: 'new-password', help: t('setup.passwordHelp') },
      { name: 'password2', label: t('setup.password2'), type: 'password', required: true, autocomplete: 'new-password' },
    ],
    submitLabel: t('setup.submit'),
    onSubmit: async (v) => {
      if (v.password !== v.password2) {
        throw new ApiError(400, { code: 'validation_failed', errors: [{ field: 'password2', message: t('setup.mismatch') }] });
      }
      await setup(decodeURIComponent(token), v.username, v.password);
      signedIn('/products');
    },
  });
  return h('section', { class: 'narrow card' }, h('h1', null, t('setup.title')), intro, f.el);
}
