// Every text a person sees comes from a message catalogue (i18n/nl.json, i18n/en.json);
// this module picks the language, fills in placeholders and formats dates, numbers and
// plurals with Intl in that language's conventions, times in Europe/Amsterdam.

export const LANGUAGES = ['nl', 'en'];
const STORE_KEY = 'samenhier.console.language';
export const TIME_ZONE = 'Europe/Amsterdam';

let language = 'nl';
let messages = {};
let plurals = new Intl.PluralRules('nl');

/** The remembered choice (the language only; nothing else of the console is stored). */
export function preferredLanguage() {
  try {
    const stored = window.localStorage.getItem(STORE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch {
    // Storage may be off (private mode, policy): Dutch, the default, is then used.
  }
  return 'nl';
}

export async function loadLanguage(lang) {
  const response = await fetch(`/console/i18n/${lang}.json`, { credentials: 'omit' });
  if (!response.ok) throw new Error(`catalogue ${lang}: ${response.status}`);
  messages = await response.json();
  language = lang;
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
  try {
    window.localStorage.setItem(STORE_KEY, lang);
  } catch {
    // Not remembered then; the page still switches.
  }
}

export function currentLanguage() {
  return language;
}

/**
 * The message `key` with `{name}` placeholders filled in. A message that is an object is
 * chosen by plural category of `params.count` (`one`, `other`, …).
 */
export function t(key, params = {}) {
  let message = messages[key];
  if (message === undefined) {
    console.warn(`missing message: ${key}`);
    return key;
  }
  if (typeof message === 'object') {
    const category = plurals.select(Number(params.count ?? 0));
    message = message[category] ?? message.other;
  }
  return message.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

/** A text from the catalogue when there is one for `key`, else `fallback`. */
export function tOr(key, fallback) {
  return key in messages ? t(key) : fallback;
}

export function formatNumber(value, digits) {
  const options = digits === undefined ? { maximumFractionDigits: 2 } : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(language, options).format(value);
}

/** A `Date` (YYYY-MM-DD) of the API, which is already a day in the programme's zone. */
export function formatDay(isoDate) {
  if (!isoDate) return '';
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A `DateTime` (UTC) of the API, shown in Europe/Amsterdam. */
export function formatMoment(isoDateTime) {
  if (!isoDateTime) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(new Date(isoDateTime));
}

/** The calendar day (YYYY-MM-DD) of a moment in Europe/Amsterdam. */
export function dayInAmsterdam(moment) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(moment);
}

/** Whole days from the Amsterdam day of `isoDateTime` to today's Amsterdam day. */
export function daysSince(isoDateTime, now = new Date()) {
  const from = Date.parse(`${dayInAmsterdam(new Date(isoDateTime))}T00:00:00Z`);
  const to = Date.parse(`${dayInAmsterdam(now)}T00:00:00Z`);
  return Math.max(0, Math.round((to - from) / 86400000));
}
