// Translations. Every visible string goes through t(); the dictionaries live
// in i18n/<lang>.js, one per language, with the same keys. The language
// comes from the stored choice, else from navigator.language.

import en from './i18n/en.js';
import zh from './i18n/zh.js';

export const dictionaries = { en, zh };
export const languages = [
  { code: 'en', name: 'English' },
  { code: 'zh', name: '中文' },
];

const storageKey = 'licet.lang';
let current = detect();
const listeners = new Set();

function detect() {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && dictionaries[saved]) return saved;
  } catch { /* storage may be disabled */ }
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const base = String(p).toLowerCase().split('-')[0];
    if (dictionaries[base]) return base;
  }
  return 'en';
}

/** The current language code ("en" or "zh"). */
export function lang() {
  return current;
}

/** Switches the language, remembers it, and notifies listeners. */
export function setLang(code) {
  if (!dictionaries[code] || code === current) return;
  current = code;
  try { localStorage.setItem(storageKey, code); } catch { /* ignore */ }
  document.documentElement.lang = code === 'zh' ? 'zh-CN' : code;
  for (const fn of listeners) fn(code);
}

/** Calls fn(code) after every language switch. */
export function onLangChange(fn) {
  listeners.add(fn);
}

/**
 * t('orders.seats') looks a key up in the current dictionary, falling back
 * to English and then to the key itself; {name} placeholders are filled
 * from params.
 */
export function t(key, params) {
  let s = dictionaries[current][key];
  if (s === undefined) s = en[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return s;
}

/** Whether the dictionary has key (for optional translations such as error codes). */
export function has(key) {
  return key in dictionaries[current] || key in en;
}

/** Formats an RFC 3339 time for people, in the current language. */
export function formatTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

/** Formats an RFC 3339 time as a date only. */
export function formatDate(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toLocaleDateString(current === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' });
}

document.documentElement.lang = current === 'zh' ? 'zh-CN' : current;
