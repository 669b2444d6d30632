// Settings: API tokens for scripts, accounts (admin), and the vendor's root
// keys with rotation (admin).

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { api, get, hasRole, session, url } from '../api.js';
import { form, table, loadFailed, loading, problemBox, confirmDialog, toast, copyButton, badge } from '../ui.js';
import { compact } from './resource.js';

export const title = 'nav.settings';

const roles = ['admin', 'operator', 'auditor'];
// tokenRoles: the roles a token may have. The server gives an admin's
// tokens any role and everyone else's only their own.
const tokenRoles = (own) => (own === 'admin' ? roles : [own]);

function itemsOf(data) {
  return Array.isArray(data) ? data : (data && data.items) || [];
}

export function render() {
  return h('section', null,
    h('div', { class: 'page-header' }, h('h1', null, t('nav.settings'))),
    tokensSection(),
    hasRole('admin') ? accountsSection() : null,
    keysSection());
}

function tokensSection() {
  const list = h('div');
  const shown = h('div', { 'aria-live': 'polite' });
  async function reload() {
    replace(list, loading());
    try {
      const items = itemsOf(await get('/tokens'));
      replace(list, table([
        { label: t('tokens.name'), render: (x) => x.name },
        { label: t('tokens.prefix'), render: (x) => (x.prefix ? h('code', null, `${x.prefix}…`) : '') },
        { label: t('accounts.role'), render: (x) => (x.role ? t(`role.${x.role}`) : '') },
        { label: t('tokens.created'), render: (x) => formatTime(x.created_at) },
        { label: t('tokens.lastUsed'), render: (x) => (x.last_used_at ? formatTime(x.last_used_at) : t('tokens.never')) },
        { label: t('tokens.expires'), render: (x) => (x.expires_at ? formatTime(x.expires_at) : t('tokens.never')) },
        { label: '', class: 'row-actions', render: (x) => (x.revoked_at ? badge('revoked') : h('button', { type: 'button', class: 'danger small', onclick: () => remove(x) }, t('tokens.delete'))) },
      ], items, { empty: t('tokens.none') }));
    } catch (e) {
      replace(list, loadFailed(e));
    }
  }
  async function remove(x) {
    if (!(await confirmDialog(t('tokens.deleteConfirm', { name: x.name }), { confirmLabel: t('tokens.delete'), danger: true }))) return;
    try {
      await api('DELETE', `/tokens/${encodeURIComponent(x.id)}`);
      toast(t('tokens.deleted'));
      reload();
    } catch (e) {
      replace(shown, problemBox(e));
    }
  }
  const f = form({
    className: 'inline',
    fields: [
      { name: 'name', label: t('tokens.name'), required: true, placeholder: t('tokens.namePlaceholder') },
      { name: 'role', label: t('accounts.role'), type: 'select', value: session.account.role, options: tokenRoles(session.account.role).map((r) => ({ value: r, label: t(`role.${r}`) })), help: t('tokens.roleHelp') },
      { name: 'expires_days', label: t('tokens.expiresDays'), type: 'number', min: 1, max: 3650, help: t('tokens.expiresHelp') },
    ],
    submitLabel: t('tokens.create'),
    onSubmit: async (v) => {
      const res = await api('POST', '/tokens', compact(v));
      const secret = res.secret || '';
      replace(shown, h('div', { class: 'success', 'data-testid': 'new-token' },
        h('p', null, h('strong', null, t('tokens.shownOnce'))),
        h('p', null, h('code', { class: 'wrap secret' }, secret), ' ', copyButton(secret))));
      f.el.reset();
      reload();
    },
  });
  reload();
  return h('section', { class: 'card' }, h('h2', null, t('tokens.title')), h('p', { class: 'muted' }, t('tokens.intro')), shown, list, f.el);
}

function accountsSection() {
  const list = h('div');
  const msg = h('div', { 'aria-live': 'polite' });
  async function reload() {
    replace(list, loading());
    try {
      const items = itemsOf(await get('/accounts'));
      replace(list, table([
        { label: t('accounts.username'), render: (a) => h('strong', null, a.username) },
        { label: t('accounts.role'), render: (a) => roleSelect(a) },
        { label: t('common.status'), render: (a) => badge(a.disabled ? 'disabled' : a.locked_until && new Date(a.locked_until) > new Date() ? 'locked' : 'active') },
        { label: t('accounts.lastLogin'), render: (a) => (a.last_login_at ? formatTime(a.last_login_at) : '—') },
        { label: '', class: 'row-actions', render: (a) => (a.id === session.account.id ? h('span', { class: 'muted small' }, t('accounts.you')) : h('span', null,
          h('button', { type: 'button', class: 'secondary small', onclick: () => setPassword(a) }, t('accounts.setPassword')), ' ',
          a.disabled
            ? h('button', { type: 'button', class: 'secondary small', onclick: () => patch(a, { disabled: false }) }, t('accounts.enable'))
            : h('button', { type: 'button', class: 'danger small', onclick: () => disable(a) }, t('accounts.disable')))) },
      ], items));
    } catch (e) {
      replace(list, loadFailed(e));
    }
  }
  function roleSelect(a) {
    const sel = h('select', { 'aria-label': t('accounts.role'), disabled: a.id === session.account.id },
      roles.map((r) => h('option', { value: r, selected: r === a.role }, t(`role.${r}`))));
    sel.addEventListener('change', () => patch(a, { role: sel.value }));
    return sel;
  }
  async function patch(a, body) {
    try {
      await api('PATCH', `/accounts/${encodeURIComponent(a.id)}`, body);
      toast(t('accounts.updated'));
    } catch (e) {
      replace(msg, problemBox(e));
    }
    reload();
  }
  async function setPassword(a) {
    const pw = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': t('accounts.newPassword') });
    const err = h('div');
    const dlg = h('dialog', { class: 'dialog' },
      h('form', { method: 'dialog', class: 'form', onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('PATCH', `/accounts/${encodeURIComponent(a.id)}`, { password: pw.value });
          dlg.close(); dlg.remove(); toast(t('accounts.updated'));
        } catch (ex) {
          replace(err, problemBox(ex));
        }
      } },
      h('h2', null, t('accounts.setPasswordFor', { name: a.username })),
      h('div', { class: 'field' }, h('label', null, t('accounts.newPassword'), pw)),
      err,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { dlg.close(); dlg.remove(); } }, t('common.cancel')),
        h('button', { type: 'submit', class: 'primary' }, t('common.save')))));
    document.body.append(dlg);
    dlg.showModal();
  }
  async function disable(a) {
    if (!(await confirmDialog(t('accounts.disableConfirm', { name: a.username }), { confirmLabel: t('accounts.disable'), danger: true }))) return;
    patch(a, { disabled: true });
  }
  const f = form({
    className: 'inline',
    fields: [
      { name: 'username', label: t('accounts.username'), required: true, attrs: { autocapitalize: 'none' } },
      { name: 'password', label: t('accounts.password'), type: 'password', required: true, autocomplete: 'new-password' },
      { name: 'role', label: t('accounts.role'), type: 'select', value: 'operator', options: roles.map((r) => ({ value: r, label: t(`role.${r}`) })) },
    ],
    submitLabel: t('accounts.create'),
    onSubmit: async (v) => {
      await api('POST', '/accounts', v);
      toast(t('accounts.created'));
      f.el.reset();
      reload();
    },
  });
  reload();
  return h('section', { class: 'card' }, h('h2', null, t('accounts.title')), h('p', { class: 'muted' }, t('accounts.intro')), msg, list, h('h3', null, t('accounts.new')), f.el);
}

function keysSection() {
  const list = h('div');
  const msg = h('div', { 'aria-live': 'polite' });
  async function reload() {
    replace(list, loading());
    try {
      const items = itemsOf(await get('/keys'));
      replace(list, table([
        { label: t('keys.kid'), render: (k) => h('code', { class: 'wrap' }, k.key_id) },
        { label: t('keys.publicKey'), render: (k) => h('span', null, h('code', { class: 'wrap small' }, `${String(k.public_key).slice(0, 28)}…`), ' ', copyButton(k.public_key)) },
        { label: t('keys.created'), render: (k) => formatTime(k.created_at) },
        { label: t('common.status'), render: (k) => badge(k.active ? 'current' : 'retired') },
      ], items, { empty: t('keys.none') }));
    } catch (e) {
      replace(list, loadFailed(e));
    }
  }
  // Rotation asks for the passphrase that seals the root keys again.
  function rotate() {
    const f = form({
      fields: [{ name: 'passphrase', label: t('keys.passphrase'), type: 'password', required: true, autocomplete: 'current-password', help: t('keys.passphraseHelp') }],
      submitLabel: t('keys.rotate'),
      secondary: h('button', { type: 'button', class: 'secondary', onclick: () => { dlg.close(); dlg.remove(); } }, t('common.cancel')),
      onSubmit: async (v) => {
        await api('POST', '/keys/rotate', v);
        dlg.close();
        dlg.remove();
        toast(t('keys.rotated'));
        reload();
      },
    });
    const dlg = h('dialog', { class: 'dialog' }, h('h2', null, t('keys.rotate')), h('p', null, t('keys.rotateConfirm')), f.el);
    document.body.append(dlg);
    dlg.showModal();
  }
  reload();
  return h('section', { class: 'card' },
    h('h2', null, t('keys.title')),
    h('p', { class: 'muted' }, t('keys.intro')),
    msg, list,
    h('div', { class: 'actions' },
      h('a', { class: 'button secondary', href: url('/keys/trust'), download: 'licet.pub', 'data-testid': 'trust-file' }, t('keys.downloadTrust')),
      hasRole('admin') ? h('button', { type: 'button', class: 'danger', onclick: rotate }, t('keys.rotate')) : null));
}
