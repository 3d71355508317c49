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

/** "a, b ,c" → ["a", "b", "c"] (empty parts dropped). */
export function splitList(text) {
  return String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** An integer typed in a text field, or NaN when it is not one. */
export function toInt(text) {
  return /^\s*-?\d+\s*$/.test(String(text ?? '')) ? Number.parseInt(text, 10) : Number.NaN;
}

/** An error as the API would give it, for an input the console can tell is wrong itself. */
export function inputError(field) {
  return Object.assign(new Error(''), { code: 'BAD_USER_INPUT', field, message: '' });
}

/**
 * One labelled input of a form whose `error` may name this field (`extensions.field`): the
 * error is then shown under it and tied to it with aria-describedby.
 */
export function Field({ prefix, name, label, hint, value, onInput, error, type = 'text', kind = 'input', options, rows = 3, inputmode }) {
  const id = `${prefix}-${name}`;
  const mine = error && error.field === name;
  const described = [hint ? `${id}-hint` : null, mine ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  let control;
  if (kind === 'select') {
    control = html`<select id=${id} value=${value} onChange=${onInput} aria-describedby=${described} aria-invalid=${mine ? 'true' : undefined}>
      ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
    </select>`;
  } else if (kind === 'textarea') {
    control = html`<textarea id=${id} rows=${rows} value=${value} onInput=${onInput} aria-describedby=${described} aria-invalid=${mine ? 'true' : undefined}></textarea>`;
  } else if (type === 'checkbox') {
    return html`<div class="field checkbox">
      <label for=${id}><input id=${id} type="checkbox" checked=${value} onChange=${onInput} aria-describedby=${described} /> ${label}</label>
      ${mine && html`<p class="error-message" id=${`${id}-error`}>${errorText(error)}</p>`}
    </div>`;
  } else {
    control = html`<input id=${id} type=${type} inputmode=${inputmode} value=${value} onInput=${onInput} aria-describedby=${described} aria-invalid=${mine ? 'true' : undefined} />`;
  }
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint && html`<span class="hint" id=${`${id}-hint`}>${hint}</span>`}
    ${control}
    ${mine && html`<p class="error-message" id=${`${id}-error`}>${errorText(error)}</p>`}
  </div>`;
}

/** The form-wide message: an error no field of `fields` names; a conflict offers a reload. */
export function FormError({ error, fields, onReload }) {
  if (!error || (error.field && fields.includes(error.field))) return null;
  if (error.code === 'CONFLICT' && onReload) {
    return html`<div class="error-message conflict" role="alert">
      <p>${t('error.CONFLICT')}</p>
      <button type="button" class="button secondary small" onClick=${onReload}>${t('common.reload')}</button>
    </div>`;
  }
  return html`<${ErrorMessage} error=${error} />`;
}

/** A confirmation that says what will happen; its confirm button takes focus. */
export function Confirm({ id, text, confirmLabel, onConfirm, onCancel, busy, error }) {
  const button = useRef(null);
  useEffect(() => {
    button.current?.focus();
  }, []);
  return html`<div class="confirm" role="group" aria-labelledby=${`${id}-text`}>
    <p id=${`${id}-text`}>${text}</p>
    <${ErrorMessage} error=${error} />
    <div class="actions">
      <button type="button" class="button" id=${id} ref=${button} onClick=${onConfirm} disabled=${busy}>${confirmLabel}</button>
      <button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </div>`;
}

/** A definition list of [label, value] pairs; empty values show a dash. */
export function Facts({ id, rows }) {
  return html`<dl class="facts" id=${id}>
    ${rows.map(([label, value]) => html`<div class="fact"><dt>${label}</dt><dd>${value === null || value === undefined || value === '' ? '—' : value}</dd></div>`)}
  </dl>`;
}

/** Server-side paging of a connection with `first`/`after`: a stack of cursors. */
export function usePager() {
  const [cursors, setCursors] = useState([null]);
  const page = cursors.length;
  return {
    after: cursors[cursors.length - 1],
    page,
    next: (endCursor) => setCursors((c) => [...c, endCursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors([null]),
  };
}

/** Previous/next buttons with "page N" for a connection's page. */
export function Pager({ pager, pageInfo, shown, total, idPrefix }) {
  return html`<nav class="pager" aria-label=${t('list.paging')}>
    <button type="button" class="button secondary small" id=${`${idPrefix}-previous`} disabled=${pager.page <= 1} onClick=${pager.previous}>${t('list.previous')}</button>
    <span class="pager-text">${t('list.page', { page: pager.page, shown, total })}</span>
    <button type="button" class="button secondary small" id=${`${idPrefix}-next`} disabled=${!pageInfo?.hasNextPage} onClick=${() => pager.next(pageInfo.endCursor)}>${t('list.next')}</button>
  </nav>`;
}

/** Sorts a copy of `rows` by `key` (text in the page's language, numbers as numbers). */
export function sortRows(rows, key, descending) {
  const value = (r) => r[key];
  const sorted = [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
  });
  return descending ? sorted.reverse() : sorted;
}

/**
 * The state of a list screen: status filter, search on the page, sort order and paging, and
 * the page of `query` (variables `city`, `status`, `after`) for them.
 */
export function useList(gqlFn, query, citySlug, initialSort) {
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState(initialSort);
  const pager = usePager();
  // The answer remembers what it was asked for: in the render right after a new page or
  // status is chosen (before the load starts) the previous answer is not this list's, and the
  // screen is not ready yet — its "next" would still be the previous page's.
  const key = JSON.stringify([citySlug, status, pager.after]);
  const loaded = useLoad(
    async () => ({ ...(await gqlFn(query, { city: citySlug, status: status || null, after: pager.after })), askedFor: key }),
    [citySlug, status, pager.after],
  );
  const loading = loaded.loading || (loaded.data !== null && loaded.data.askedFor !== key);
  const needle = search.trim().toLocaleLowerCase();
  return { ...loaded, loading, status, setStatus, search, setSearch, sort, setSort, pager, needle };
}

/**
 * The controls above a list screen: search on the loaded page, a status filter (choosing
 * another status starts again at the first page) and the sort order. Ids follow `prefix`
 * (`${prefix}-search`, `${prefix}-status`, `${prefix}-sort`).
 */
export function ListControls({ prefix, search, setSearch, status, setStatus, statuses, sort, setSort, sorts, pager }) {
  return html`<div class="filters">
    <${Field} prefix=${prefix} name="search" label=${t('list.search')} hint=${t('list.searchHint')} value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} type="search" />
    <${Field} prefix=${prefix} name="status" label=${t('list.status')} kind="select" value=${status}
      options=${[['', t('list.allStatuses')], ...statuses]}
      onInput=${(e) => { setStatus(e.currentTarget.value); pager.reset(); }} />
    <${Field} prefix=${prefix} name="sort" label=${t('list.sort')} kind="select" value=${sort}
      options=${sorts}
      onInput=${(e) => setSort(e.currentTarget.value)} />
  </div>`;
}
