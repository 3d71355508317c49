// The script workbench: the city's scoring script in an editor with line numbers, checked
// while typing (validateScoringScript, debounced) with each problem marked at its line and
// column; a preview against the active script; publish with a note; the version history;
// the difference between any two versions; activating an older version (roll back) after a
// confirmation; and the script guide (fields and helpers) beside the editor.
//
// The editor is a plain <textarea> with a line-number gutter and the script coloured by a
// copy drawn behind it (highlight.js): CodeMirror 6 as published
// module files (state, view, language, lint and their dependencies) comes to well over the
// console's 300 KB budget without a bundler, and the console has no build step.

import { useEffect, useRef, useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatNumber, formatMoment } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, Field } from './ui.js';
import { Highlighted } from './highlight.js';

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

/**
 * The script guide's entries (scoring-scripts/README.md): each name with an example of its
 * use, both script code; what each means comes from the catalogue (`guide.<name>`).
 */
const GUIDE = {
  newcomer: [
    ['n.age', '34'], ['n.gender', '"female"'], ['n.languages', '["ar", "en", "nl"]'], ['n.dutch_level', '"A2"'],
    ['n.interests', '["cooking", "football"]'], ['n.sector', '"healthcare"'], ['n.goals', '["work", "language"]'],
    ['n.household_size', '4'], ['n.children_ages', '[9, 4]'], ['n.city', '"almere"'], ['n.neighbourhood', '"almere haven"'],
    ['n.waiting_days', '120'],
  ],
  group: [
    ['g.city', '"almere"'], ['g.neighbourhood', '"almere haven"'], ['g.capacity', '4'], ['g.size', '6'],
    ['g.languages', '["en", "nl", "tr"]'], ['g.interests', '["chess", "cooking"]'], ['g.member_ages', '[29, 35, 41, 58, 62]'],
    ['g.sectors', '["education", "healthcare"]'], ['g.availability_hours', '12'],
  ],
  helpers: [
    ['overlap', 'overlap(n.interests, g.interests)'], ['jaccard', 'jaccard(["a","b"], ["b","c"])'],
    ['shares_language', 'shares_language(n.languages, g.languages)'], ['has_any', 'has_any(n.goals, ["work", "study"])'],
    ['has_all', 'has_all(g.languages, ["nl", "en"])'], ['age_gap', 'age_gap(n.age, g.member_ages)'],
    ['count_between', 'count_between(n.children_ages, 0, 11)'], ['min_age', 'mean_age(g.member_ages)'],
    ['cefr_rank', 'cefr_rank(n.dutch_level) <= 1'], ['clamp', 'clamp(15 - gap, 0, 15)'],
  ],
};

/** The fields and helpers a script may use, beside the editor. */
function Guide() {
  const part = (key, rows, id) => html`<details class="guide-part" open=${key === 'newcomer'}>
    <summary>${t(`workbench.guide.${key}`)}</summary>
    <dl class="guide-list" id=${id}>
      ${rows.map(([name, example]) => html`<div class="guide-entry" data-name=${name}>
        <dt><code>${name}</code></dt>
        <dd>${t(`guide.${name}`)}<br /><span class="guide-example">${t('workbench.guide.example')}: <code>${example}</code></span></dd>
      </div>`)}
    </dl>
  </details>`;
  return html`<aside class="panel guide" aria-labelledby="guide-title" id="script-guide">
    <h2 id="guide-title">${t('workbench.guide.title')}</h2>
    <p>${t('workbench.guide.intro')}</p>
    ${part('newcomer', GUIDE.newcomer, 'guide-newcomer')}
    ${part('group', GUIDE.group, 'guide-group')}
    ${part('helpers', GUIDE.helpers, 'guide-helpers')}
  </aside>`;
}

/**
 * A line diff of two texts (our own small code): the longest common subsequence of their
 * lines, then each line as kept (' '), removed ('-') or added ('+'), with its line numbers.
 */
export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      lines.push({ op: ' ', old: i + 1, new: j + 1, text: a[i] });
      i += 1;
      j += 1;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      lines.push({ op: '+', old: null, new: j + 1, text: b[j] });
      j += 1;
    } else {
      lines.push({ op: '-', old: i + 1, new: null, text: a[i] });
      i += 1;
    }
  }
  return lines;
}

/** Kept lines more than `context` away from a change fold into one "n unchanged lines" row. */
function folded(lines, context = 2) {
  const near = lines.map(() => false);
  lines.forEach((l, k) => {
    if (l.op === ' ') return;
    for (let d = -context; d <= context; d += 1) if (lines[k + d]) near[k + d] = true;
  });
  const rows = [];
  let skipped = 0;
  lines.forEach((l, k) => {
    if (l.op === ' ' && !near[k]) {
      skipped += 1;
      return;
    }
    if (skipped > 0) rows.push({ skipped });
    skipped = 0;
    rows.push(l);
  });
  if (skipped > 0) rows.push({ skipped });
  return rows;
}

/** The difference between any two versions of the history. */
function Compare({ scripts }) {
  const versions = [...scripts].sort((x, y) => x.version - y.version);
  const newest = versions[versions.length - 1];
  const [from, setFrom] = useState(String(versions.length > 1 ? versions[versions.length - 2].version : newest.version));
  const [to, setTo] = useState(String(newest.version));
  const a = versions.find((s) => String(s.version) === from);
  const b = versions.find((s) => String(s.version) === to);
  const lines = a && b ? lineDiff(a.source, b.source) : [];
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  const options = versions.map((s) => [String(s.version), t('workbench.diff.versionN', { version: s.version })]);
  const names = { from, to };
  return html`<section class="compare" aria-labelledby="diff-title">
    <h3 id="diff-title">${t('workbench.diff.title')}</h3>
    <div class="field-row">
      <${Field} prefix="diff" name="from" label=${t('workbench.diff.from')} kind="select" value=${from} options=${options} onInput=${(e) => setFrom(e.currentTarget.value)} />
      <${Field} prefix="diff" name="to" label=${t('workbench.diff.to')} kind="select" value=${to} options=${options} onInput=${(e) => setTo(e.currentTarget.value)} />
    </div>
    <p id="diff-summary" role="status">${added + removed === 0 ? t('workbench.diff.same', names) : t('workbench.diff.summary', { ...names, added, removed })}</p>
    ${added + removed > 0 && html`<table class="diff" id="diff-table">
      <caption class="visually-hidden">${t('workbench.diff.caption', names)}</caption>
      <thead><tr>
        <th scope="col">${t('workbench.diff.oldLine', names)}</th><th scope="col">${t('workbench.diff.newLine', names)}</th>
        <th scope="col">${t('workbench.diff.change')}</th><th scope="col">${t('workbench.diff.text')}</th>
      </tr></thead>
      <tbody>
        ${folded(lines).map((l) => (l.skipped
          ? html`<tr class="diff-skipped"><td colspan="4">${t('workbench.diff.skipped', { count: l.skipped })}</td></tr>`
          : html`<tr class=${l.op === '+' ? 'diff-added' : l.op === '-' ? 'diff-removed' : 'diff-kept'}>
            <td class="number">${l.old ?? ''}</td><td class="number">${l.new ?? ''}</td>
            <td class="diff-op">${l.op === '+' ? html`<span aria-hidden="true">+</span><span class="visually-hidden">${t('workbench.diff.added')}</span>` : l.op === '-' ? html`<span aria-hidden="true">−</span><span class="visually-hidden">${t('workbench.diff.removed')}</span>` : ''}</td>
            <td class="diff-text"><code>${l.text}</code></td>
          </tr>`))}
      </tbody>
    </table>`}
  </section>`;
}

/** How long typing must pause before the script is checked. */
const DEBOUNCE_MS = 400;

function Editor({ source, onChange, problems }) {
  const gutter = useRef(null);
  const area = useRef(null);
  const colours = useRef(null);
  const lines = source.split('\n').length;
  const bad = new Set(problems.filter((p) => p.line).map((p) => p.line));
  const numbers = [];
  for (let n = 1; n <= lines; n += 1) {
    numbers.push(html`<span class=${bad.has(n) ? 'line error' : 'line'} data-line=${n}>${n}</span>`);
  }
  // The gutter and the coloured copy follow the textarea's scrolling (through the CSSOM,
  // which the style policy allows).
  const syncScroll = () => {
    if (!area.current) return;
    if (gutter.current) gutter.current.scrollTop = area.current.scrollTop;
    if (colours.current) {
      colours.current.scrollTop = area.current.scrollTop;
      colours.current.scrollLeft = area.current.scrollLeft;
    }
  };
  useEffect(syncScroll, [source]);
  return html`<div class="editor">
    <div class="gutter" aria-hidden="true" ref=${gutter}>${numbers}</div>
    <div class="code">
    <pre class="highlight" aria-hidden="true" ref=${colours}><${Highlighted} source=${source} /></pre>
    <textarea id="script-source" ref=${area} wrap="off" spellcheck="false" autocapitalize="off" autocomplete="off"
      aria-describedby="script-problems" aria-invalid=${problems.length > 0 ? 'true' : 'false'}
      value=${source} onInput=${(e) => onChange(e.currentTarget.value)} onScroll=${syncScroll}></textarea>
    </div>
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
    ${scripts.length > 0 && html`<${Compare} key=${scripts.length} scripts=${scripts} />`}
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
    <div class="bench-layout">
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
    <${Guide} />
    </div>
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
