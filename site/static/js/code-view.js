// Shows a typed code (a confirmation code, 80 characters in 16 groups) for
// a person to read out: large, monospaced, four groups to a line, with a
// copy button. Between groups sits a hyphen that is not shown but is
// copied with a selection, so a code selected by hand pastes as the
// canonical form.

import { h } from './dom.js';
import { t } from './i18n.js';
import { copyButton } from './ui.js';

/** codeBlock('XXXXX-XXXXX-...', {testid, label}) -> element; label names the code for screen readers. */
export function codeBlock(code, { testid = 'typed-code', label = '' } = {}) {
  const groups = String(code).split('-');
  return h('div', { class: 'code-block', role: 'group', 'aria-label': label || false },
    h('p', { class: 'code-big', translate: 'no', 'data-testid': testid, 'data-code': code },
      groups.map((g, i) => h('span', { class: 'code-group' },
        g, i < groups.length - 1 ? h('span', { class: 'code-sep' }, '-') : null))),
    h('div', { class: 'actions' }, copyButton(code),
      h('span', { class: 'muted small' }, t('code.groups', { groups: groups.length, chars: groups.join('').length }))));
}
