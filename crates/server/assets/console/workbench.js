// The script workbench: the city's scoring script in an editor with line numbers, checked
// while typing (validateScoringScript, debounced) with each problem marked at its line and
// column; a preview against the active script; publish with a note; the version history;
// and activating an older version (roll back) after a confirmation.
//
// The editor is a plain <textarea> with a line-number gutter: CodeMirror 6 as published
// module files (state, view, language, lint and their dependencies) comes to well over the
// console's 300 KB budget without a bundler, and the console has no build step.

import { useEffect, useRef, useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatNumber, formatMoment } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad } from './ui.js';

const SCRIPTS = `query Scripts($city: String!) {
  scoringScripts(citySlug: $city) { id version sha256 note active createdAt source }
}`;
const VALIDATE = `mutation Validate($city: String!, $source: String!) {
  validateScoringScript(citySlug: $city, source: $source) { ok errors { message line column } samplePairsScored criteria }
}`;
const PREVIEW = `mutation Preview($city: String!, $source: String!) {
  previewScoringScript(citySlug: $city, source: $source) {
    currentTotalScore candidateTotalScore currentMatches candidateMatches
    changes { newcomer { id name } groupBefore { id name } groupAfter { id name } scoreBefore scoreAfter scoreChange }
  }
}`;
const PUBLISH = `mutation Publish($city: String!, $source: String!, $note: String) {
  publishScoringScript(citySlug: $city, source: $source, note: $note) { version active }
}`;
const ACTIVATE = `mutation Activate($city: String!, $version: Int!) {
  activateScoringScript(citySlug: $city, version: $version) { version active }
}`;

/** How long typing must pause before the script is checked. */
const DEBOUNCE_MS = 400;

function Editor({ source, onChange, problems }) {
  const gutter = useRef(null);
  const area = useRef(null);
  const lines = source.split('\n').length;
  const bad = new Set(problems.filter((p) => p.line).map((p) => p.line));
  const numbers = [];
  for (let n = 1; n <= lines; n += 1) {
    numbers.push(html`<span class=${bad.has(n) ? 'line error' : 'line'} data-line=${n}>${n}</span>`);
  }
  const syncScroll = () => {
    if (gutter.current && area.current) gutter.current.scrollTop = area.current.scrollTop;
  };
  useEffect(syncScroll, [source]);
  return html`<div class="editor">
    <div class="gutter" aria-hidden="true" ref=${gutter}>${numbers}</div>
    <textarea id="script-source" ref=${area} wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off"
      aria-describedby="script-problems" aria-invalid=${problems.length > 0 ? 'true' : 'false'}
      value=${source} onInput=${(e) => onChange(e.currentTarget.value)} onScroll=${syncScroll}></textarea>
  </div>`;
}

/** Puts the caret at a problem's line and column. */
function focusAt(source, line, column) {
  const area = document.getElementById('script-source');
  if (!area) return;
  const rows = source.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, rows.length); i += 1) offset += rows[i].length + 1;
  offset += Math.max(0, (column ?? 1) - 1);
  area.focus();
  area.setSelectionRange(offset, offset);
}

function Problems({ state, source }) {
  if (state.checking) return html`<div id="script-problems" class="problems" role="status">${t('workbench.checking')}</div>`;
  if (!state.result) return html`<div id="script-problems" class="problems" role="status"></div>`;
  const { ok, errors, samplePairsScored, criteria } = state.result;
  if (ok) {
    return html`<div id="script-problems" class="problems ok" role="status">${t('workbench.valid', { count: samplePairsScored, criteria: criteria.join(', ') })}</div>`;
  }
  return html`<div id="script-problems" class="problems" role="status">
    <p>${t('workbench.problems', { count: errors.length })}</p>
    <ul>
      ${errors.map((e) => html`<li class="problem" data-line=${e.line ?? ''} data-column=${e.column ?? ''}>
        ${e.line ? html`<button type="button" class="link-button" onClick=${() => focusAt(source, e.line, e.column)}>${t('workbench.at', { line: e.line, column: e.column ?? 1 })}</button>: ` : ''}${e.message}
      </li>`)}
    </ul>
  </div>`;
}

function Preview({ preview }) {
  return html`<section class="panel" aria-labelledby="preview-title" id="preview">
    <h3 id="preview-title">${t('workbench.previewTitle')}</h3>
    <table class="table compact">
      <thead><tr><th scope="col"><span class="visually-hidden">${t('workbench.measure')}</span></th><th scope="col">${t('workbench.active')}</th><th scope="col">${t('workbench.candidate')}</th></tr></thead>
      <tbody>
        <tr><th scope="row">${t('workbench.matches')}</th><td class="number">${formatNumber(preview.currentMatches)}</td><td class="number">${formatNumber(preview.candidateMatches)}</td></tr>
        <tr><th scope="row">${t('workbench.totalScore')}</th><td class="number">${formatNumber(preview.currentTotalScore, 1)}</td><td class="number">${formatNumber(preview.candidateTotalScore, 1)}</td></tr>
      </tbody>
    </table>
    <p class="preview-changed">${t('workbench.changed', { count: preview.changes.length })}</p>
    ${preview.changes.length > 0 && html`<table class="table" id="preview-changes">
      <thead><tr><th scope="col">${t('matching.col.household')}</th><th scope="col">${t('workbench.before')}</th><th scope="col">${t('workbench.after')}</th><th scope="col">${t('workbench.scoreChange')}</th></tr></thead>
      <tbody>
        ${preview.changes.map((c) => html`<tr>
          <th scope="row">${c.newcomer.name ?? t('common.erased')}</th>
          <td>${c.groupBefore?.name ?? t('workbench.noGroup')}</td>
          <td>${c.groupAfter?.name ?? t('workbench.noGroup')}</td>
          <td class="number">${formatNumber(c.scoreChange, 1)}</td>
        </tr>`)}
      </tbody>
    </table>`}
  </section>`;
}

function History({ scripts, citySlug, onActivated }) {
  const [confirming, setConfirming] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const confirmButton = useRef(null);
  useEffect(() => {
    if (confirming !== null) confirmButton.current?.focus();
  }, [confirming]);
  const activate = async () => {
    setBusy(true);
    setError(null);
    try {
      await gql(ACTIVATE, { city: citySlug, version: confirming });
      const version = confirming;
      setConfirming(null);
      onActivated(version);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="panel" aria-labelledby="history-title">
    <h2 id="history-title">${t('workbench.history')}</h2>
    <table class="table" id="history-table">
      <thead><tr><th scope="col">${t('workbench.version')}</th><th scope="col">${t('workbench.publishedAt')}</th><th scope="col">${t('workbench.note')}</th><th scope="col">${t('workbench.state')}</th></tr></thead>
      <tbody>
        ${scripts.map((s) => html`<tr data-version=${s.version} class=${s.active ? 'active-version' : ''}>
          <th scope="row">${s.version}</th>
          <td>${formatMoment(s.createdAt)}</td>
          <td>${s.note ?? ''}</td>
          <td>${s.active ? html`<strong class="tag">${t('workbench.isActive')}</strong>` : html`<button type="button" class="button secondary small" onClick=${() => setConfirming(s.version)}>${t('workbench.activate', { version: s.version })}</button>`}</td>
        </tr>`)}
      </tbody>
    </table>
    ${confirming !== null && html`<div class="confirm" role="group" aria-labelledby="confirm-text">
      <p id="confirm-text">${t('workbench.confirmActivate', { version: confirming })}</p>
      <${ErrorMessage} error=${error} />
      <div class="actions">
        <button type="button" class="button" ref=${confirmButton} onClick=${activate} disabled=${busy} id="confirm-activate">${t('workbench.confirm', { version: confirming })}</button>
        <button type="button" class="button secondary" onClick=${() => setConfirming(null)}>${t('common.cancel')}</button>
      </div>
    </div>`}
  </section>`;
}

function Bench({ citySlug, scripts, reload, announce }) {
  const active = scripts.find((s) => s.active);
  const [source, setSource] = useState(active?.source ?? '');
  const [check, setCheck] = useState({ checking: false, result: null });
  const [preview, setPreview] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(null);
  const sequence = useRef(0);

  useEffect(() => {
    // Debounced: one check per pause in typing; an answer to an older text is dropped.
    const mine = ++sequence.current;
    setCheck((c) => ({ ...c, checking: true }));
    const timer = setTimeout(async () => {
      try {
        const data = await gql(VALIDATE, { city: citySlug, source });
        if (mine === sequence.current) setCheck({ checking: false, result: data.validateScoringScript });
      } catch (e) {
        if (mine === sequence.current) {
          setCheck({ checking: false, result: null });
          setError(e);
        }
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [source, citySlug]);

  const edit = (text) => {
    setSource(text);
    setPreview(null);
  };
  const problems = check.result && !check.result.ok ? check.result.errors : [];
  const valid = !check.checking && check.result?.ok === true;

  const runPreview = async () => {
    setBusy('preview');
    setError(null);
    try {
      const data = await gql(PREVIEW, { city: citySlug, source });
      setPreview(data.previewScoringScript);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const publish = async (event) => {
    event.preventDefault();
    setBusy('publish');
    setError(null);
    try {
      const data = await gql(PUBLISH, { city: citySlug, source, note: note.trim() || null });
      setNote('');
      setPreview(null);
      announce(t('workbench.published', { version: data.publishScoringScript.version }));
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return html`
    <section class="panel" aria-labelledby="editor-title">
      <h2 id="editor-title">${t('workbench.editor')}</h2>
      <p>${t('workbench.intro', { version: active?.version ?? '—' })}</p>
      <label for="script-source" class="label">${t('workbench.source')}</label>
      <${Editor} source=${source} onChange=${edit} problems=${problems} />
      <${Problems} state=${check} source=${source} />
      <div class="actions">
        <button type="button" class="button secondary" id="preview-button" onClick=${runPreview} disabled=${!valid || busy !== null}>${t('workbench.preview')}</button>
      </div>
      ${preview && html`<${Preview} preview=${preview} />`}
      <form class="form publish" onSubmit=${publish}>
        <div class="field">
          <label for="publish-note">${t('workbench.noteLabel')}</label>
          <input id="publish-note" type="text" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button" id="publish-button" disabled=${!valid || busy !== null}>${t('workbench.publish')}</button>
      </form>
      <${ErrorMessage} error=${error} />
    </section>
    <${History} scripts=${scripts} citySlug=${citySlug} onActivated=${(v) => { announce(t('workbench.activated', { version: v })); reload(); }} />`;
}

export function Workbench({ citySlug }) {
  const { loading, error, data, reload } = useLoad(() => gql(SCRIPTS, { city: citySlug }), [citySlug]);
  const [message, setMessage] = useState('');
  // The editor keeps what is typed across reloads of the history (after a publish or an
  // activation); it is filled from the active script when the screen opens.
  return html`<${Screen} name="scripts" title=${t('workbench.title')} ready=${!loading || data !== null}>
    <p role="status" class="status" aria-live="polite">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && html`<${Bench} citySlug=${citySlug} scripts=${data.scoringScripts} reload=${reload} announce=${setMessage} />`}
  <//>`;
}
