// Shared pieces of the screens. Everything from the data goes into the page as text
// children or attribute values through Preact, which never parses them as markup; the
// console uses no innerHTML and no dangerouslySetInnerHTML anywhere.

import { h } from './vendor/preact.mjs';
import { useEffect, useState, useCallback, useRef } from './vendor/hooks.mjs';
import htm from './vendor/htm.mjs';
import { t, tOr } from './i18n.js';

export const html = htm.bind(h);

/** The words for an API error: the catalogue's text for its code, with the field at fault. */
export function errorText(error) {
  if (!error) return '';
  const code = error.code ?? 'INTERNAL';
  const base = tOr(`error.${code}`, t('error.INTERNAL'));
  if (code === 'BAD_USER_INPUT' || code === 'CONFLICT' || code === 'SCRIPT_ERROR') {
    // The server's message names the rule that failed; it is written in English.
    const field = error.field ? t('error.field', { field: error.field }) : '';
    return [base, field, error.message].filter(Boolean).join(' ');
  }
  return base;
}

export function ErrorMessage({ error, id }) {
  if (!error) return null;
  return html`<p class="error-message" role="alert" id=${id}>${errorText(error)}</p>`;
}

/** Loads with `load()` when `deps` change; `reload()` loads again. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true, error: null, data: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, error: null, data }),
      (error) => live && setState({ loading: false, error, data: null }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** A screen's frame: its heading (focused when the screen opens) and a readiness mark the
 * browser tests wait for. */
export function Screen({ name, title, ready, children }) {
  const heading = useRef(null);
  useEffect(() => {
    heading.current?.focus();
  }, [name]);
  return html`<section class="screen" data-screen=${name} data-ready=${ready ? 'true' : undefined} aria-busy=${ready ? 'false' : 'true'}>
    <h1 tabindex="-1" ref=${heading}>${title}</h1>
    ${children}
  </section>`;
}

export function Loading() {
  return html`<p class="loading">${t('common.loading')}</p>`;
}

/** Reads all pages of a connection (`first: 100` each), up to `maxPages`. */
export async function allPages(fetchPage, maxPages = 20) {
  const nodes = [];
  let after = null;
  let totalCount = 0;
  for (let page = 0; page < maxPages; page += 1) {
    const connection = await fetchPage(after);
    totalCount = connection.totalCount;
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { nodes, totalCount };
}
