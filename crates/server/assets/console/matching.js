// Matching: a dry run (stores nothing but the run record), its proposals with each pair's
// explanation drawn as bars per criterion, the households left unmatched with the reason in
// words; then a real round, and a decision per proposal (accept with an introduction date,
// reject with a reason).

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, tOr, formatNumber, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages } from './ui.js';

const PAIR = `score explanation { criterion points } newcomer { id name } group { id name }`;
const RUN = `mutation Run($input: RunMatchingInput!) {
  runMatching(input: $input) {
    id status totalScore eligiblePairs newcomerCount groupCount matchedCount emptyReason durationMs scriptVersion
    pairs { ${PAIR} match { id } }
    unmatched { reason newcomer { id name } }
  }
}`;
const PROPOSED = `query Proposed($city: String!, $after: String) {
  matches(citySlug: $city, status: PROPOSED, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id ${PAIR} }
  }
}`;
const ACCEPT = `mutation Accept($id: ID!, $date: Date) { acceptMatch(id: $id, introductionDate: $date) { id status startDate } }`;
const REJECT = `mutation Reject($id: ID!, $reason: String!) { rejectMatch(id: $id, reason: $reason) { id status } }`;

function criterionName(criterion) {
  return tOr(`criterion.${criterion}`, criterion);
}

/** Bars per criterion; every bar on the screen shares one scale (`scale` points = full width). */
export function Explanation({ parts, scale }) {
  return html`<table class="explanation">
    <thead class="visually-hidden"><tr><th scope="col">${t('matching.criterion')}</th><th scope="col">${t('matching.points')}</th><th scope="col">${t('matching.bar')}</th></tr></thead>
    <tbody>
      ${parts.map((p) => {
        const share = scale > 0 ? Math.min(100, (Math.abs(p.points) / scale) * 100) : 0;
        // The width is set through the CSSOM (element.style), which style-src 'self' allows;
        // a style attribute in markup would be refused by the policy.
        return html`<tr data-criterion=${p.criterion}>
          <th scope="row" class="criterion">${criterionName(p.criterion)}</th>
          <td class="number points">${formatNumber(p.points, 1)}</td>
          <td class="bar-cell" aria-hidden="true"><span class=${p.points < 0 ? 'bar negative' : 'bar'} ref=${(el) => { if (el) el.style.width = `${share}%`; }}></span></td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function scaleOf(pairs) {
  return Math.max(0, ...pairs.flatMap((p) => p.explanation.map((e) => Math.abs(e.points))));
}

function RunResult({ run }) {
  const scale = scaleOf(run.pairs);
  return html`<section class="panel" aria-labelledby="run-title" data-run-status=${run.status}>
    <h2 id="run-title">${run.status === 'DRY_RUN' ? t('matching.dryResult') : t('matching.realResult')}</h2>
    <p class="run-summary">${t('matching.summary', { matched: run.matchedCount, newcomers: run.newcomerCount, groups: run.groupCount, total: formatNumber(run.totalScore, 1), version: run.scriptVersion })}</p>
    ${run.emptyReason && html`<p class="notice">${run.emptyReason}</p>`}
    ${run.pairs.length > 0 && html`
      <table class="table pairs" id="pairs-table">
        <caption class="visually-hidden">${t('matching.pairsCaption')}</caption>
        <thead><tr><th scope="col">${t('matching.col.household')}</th><th scope="col">${t('matching.col.group')}</th><th scope="col">${t('matching.col.score')}</th><th scope="col">${t('matching.col.why')}</th></tr></thead>
        <tbody>
          ${run.pairs.map((p) => html`<tr class="pair" data-newcomer=${p.newcomer.id}>
            <th scope="row" class="household-name">${p.newcomer.name ?? t('common.erased')}</th>
            <td>${p.group.name}</td>
            <td class="number">${formatNumber(p.score, 1)}</td>
            <td><details class="why"><summary>${t('matching.why', { household: p.newcomer.name ?? t('common.erased') })}</summary><${Explanation} parts=${p.explanation} scale=${scale} /></details></td>
          </tr>`)}
        </tbody>
      </table>`}
    <h3>${t('matching.unmatched', { count: run.unmatched.length })}</h3>
    ${run.unmatched.length === 0 ? html`<p class="empty">${t('matching.unmatchedNone')}</p>` : html`
      <ul class="plain-list unmatched">
        ${run.unmatched.map((u) => html`<li><span class="household-name">${u.newcomer.name ?? t('common.erased')}</span>: ${tOr(`matching.reason.${u.reason}`, u.reason)}</li>`)}
      </ul>`}
  </section>`;
}

function Decision({ match, onDecided }) {
  const [mode, setMode] = useState(null);
  const [date, setDate] = useState(dayInAmsterdam(new Date()));
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const idBase = `decide-${match.id}`;
  const act = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'accept') await gql(ACCEPT, { id: match.id, date: date || null });
      else await gql(REJECT, { id: match.id, reason });
      onDecided(mode, match);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const household = match.newcomer.name ?? t('common.erased');
  if (mode === null) {
    return html`<div class="actions">
      <button type="button" class="button" onClick=${() => setMode('accept')} aria-label=${t('matching.acceptFor', { household })}>${t('matching.accept')}</button>
      <button type="button" class="button secondary" onClick=${() => setMode('reject')} aria-label=${t('matching.rejectFor', { household })}>${t('matching.reject')}</button>
    </div>`;
  }
  return html`<form class="decision" onSubmit=${act}>
    ${mode === 'accept' ? html`<div class="field">
        <label for=${`${idBase}-date`}>${t('matching.introductionDate')}</label>
        <input id=${`${idBase}-date`} type="date" value=${date} onInput=${(e) => setDate(e.currentTarget.value)} />
      </div>` : html`<div class="field">
        <label for=${`${idBase}-reason`}>${t('matching.rejectReason')}</label>
        <input id=${`${idBase}-reason`} type="text" required value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
      </div>`}
    <${ErrorMessage} error=${error} />
    <div class="actions">
      <button type="submit" class="button" disabled=${busy}>${mode === 'accept' ? t('matching.confirmAccept') : t('matching.confirmReject')}</button>
      <button type="button" class="button secondary" onClick=${() => { setMode(null); setError(null); }}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

function Proposals({ citySlug, round, announce }) {
  const { loading, error, data, reload } = useLoad(
    () => allPages(async (after) => (await gql(PROPOSED, { city: citySlug, after })).matches),
    [citySlug, round],
  );
  const decided = (mode, match) => {
    announce(t(mode === 'accept' ? 'matching.accepted' : 'matching.rejected', { household: match.newcomer.name ?? t('common.erased'), group: match.group.name }));
    reload();
  };
  const matches = data?.nodes ?? [];
  const scale = scaleOf(matches);
  return html`<section class="panel" aria-labelledby="proposals-title" data-proposals-ready=${loading ? undefined : 'true'}>
    <h2 id="proposals-title">${t('matching.proposals')}</h2>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && (matches.length === 0 ? html`<p class="empty">${t('matching.proposalsNone')}</p>` : html`
      <table class="table proposals" id="proposals-table">
        <thead><tr><th scope="col">${t('matching.col.household')}</th><th scope="col">${t('matching.col.group')}</th><th scope="col">${t('matching.col.score')}</th><th scope="col">${t('matching.col.why')}</th><th scope="col">${t('matching.col.decision')}</th></tr></thead>
        <tbody>
          ${matches.map((m) => html`<tr class="proposal" key=${m.id} data-match=${m.id}>
            <th scope="row" class="household-name">${m.newcomer.name ?? t('common.erased')}</th>
            <td>${m.group.name}</td>
            <td class="number">${formatNumber(m.score, 1)}</td>
            <td><details class="why"><summary>${t('matching.why', { household: m.newcomer.name ?? t('common.erased') })}</summary><${Explanation} parts=${m.explanation} scale=${scale} /></details></td>
            <td><${Decision} match=${m} onDecided=${decided} /></td>
          </tr>`)}
        </tbody>
      </table>`)}
  </section>`;
}

export function Matching({ citySlug }) {
  const [run, setRun] = useState(null);
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState('');

  const start = async (dryRun) => {
    setBusy(dryRun ? 'dry' : 'real');
    setError(null);
    setMessage(t(dryRun ? 'matching.runningDry' : 'matching.runningReal'));
    try {
      const data = await gql(RUN, { input: { citySlug, dryRun } });
      setRun(data.runMatching);
      setMessage(t('matching.done', { count: data.runMatching.pairs.length }));
      if (!dryRun) setRound((r) => r + 1);
    } catch (e) {
      setError(e);
      setMessage('');
    } finally {
      setBusy(null);
    }
  };

  return html`<${Screen} name="matching" title=${t('matching.title')} ready=${true}>
    <p>${t('matching.intro')}</p>
    <div class="actions">
      <button type="button" class="button" id="dry-run" onClick=${() => start(true)} disabled=${busy !== null}>${t('matching.dryRun')}</button>
      <button type="button" class="button secondary" id="real-run" onClick=${() => start(false)} disabled=${busy !== null}>${t('matching.realRun')}</button>
    </div>
    <p role="status" class="status" aria-live="polite">${busy ? html`<span class="spinner" aria-hidden="true"></span> ` : ''}${message}</p>
    <${ErrorMessage} error=${error} />
    ${run && html`<${RunResult} run=${run} />`}
    <${Proposals} citySlug=${citySlug} round=${round} announce=${setMessage} />
  <//>`;
}
