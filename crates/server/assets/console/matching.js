// Matching: a dry run (stores nothing but the run record), its proposals with each pair's
// explanation drawn as bars per criterion, the households left unmatched with the reason in
// words, the round's quality and fairness report as a chart; then a real round, and a
// decision per proposal (accept with an introduction date, reject with a reason); and for one
// waiting household the recommended groups, with "propose this group".

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, tOr, formatNumber, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages, Field, inputError } from './ui.js';

const SUBGROUP = `group candidates matched matchRate meanScore belowFourFifths`;
const PAIR = `score explanation { criterion points } newcomer { id name } group { id name }`;
const RUN = `mutation Run($input: RunMatchingInput!) {
  runMatching(input: $input) {
    id status totalScore eligiblePairs newcomerCount groupCount matchedCount emptyReason durationMs scriptVersion
    pairs { ${PAIR} match { id } }
    unmatched { reason newcomer { id name } }
    quality { greedyTotalScore exactTotalScore rescoredOnRhai overallMatchRate
      byGender { ${SUBGROUP} } byHouseholdType { ${SUBGROUP} } byMainLanguage { ${SUBGROUP} } }
  }
}`;
const PROPOSED = `query Proposed($city: String!, $after: String) {
  matches(citySlug: $city, status: PROPOSED, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id ${PAIR} }
  }
}`;
const ACCEPT = `mutation Accept($id: ID!, $date: Date) { acceptMatch(id: $id, introductionDate: $date) { id status startDate } }`;
const WAITING = `query Waiting($city: String!, $after: String) {
  newcomers(citySlug: $city, status: WAITING, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id name waitingSince currentMatch { id } }
  }
}`;
const RECOMMEND = `query Recommend($id: ID!) {
  recommendations(newcomerId: $id, limit: 25) { eligible reason score explanation { criterion points } group { id name } }
}`;
const PROPOSE = `mutation Propose($newcomer: ID!, $group: ID!, $override: String) { proposeMatch(newcomerId: $newcomer, groupId: $group, overrideReason: $override) { id status } }`;
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

/** A bar whose width is `share` (0-100) per cent, set through the CSSOM as above. */
function Bar({ share, kind }) {
  return html`<span class=${kind ? `bar ${kind}` : 'bar'} ref=${(el) => { if (el) el.style.width = `${Math.max(0, Math.min(100, share))}%`; }}></span>`;
}

/** A subgroup's name in words: a gender, a household type, or a language code as it is. */
function subgroupName(kind, group) {
  if (kind === 'byGender') return tOr(`gender.${group.toUpperCase()}`, tOr(`subgroup.${group}`, group));
  if (kind === 'byHouseholdType') return tOr(`householdType.${group}`, group);
  return group;
}

/**
 * The quality and fairness report as a chart: the exact assignment's total beside a greedy
 * one's, and each subgroup's match rate as a bar with the four-fifths line of the overall
 * rate; a subgroup below it is said so in words, not by colour alone.
 */
function Quality({ quality }) {
  const top = Math.max(quality.exactTotalScore, quality.greedyTotalScore, 0);
  const gain = quality.greedyTotalScore > 0 ? ((quality.exactTotalScore - quality.greedyTotalScore) / quality.greedyTotalScore) * 100 : 0;
  const line = quality.overallMatchRate * 0.8 * 100;
  return html`<section class="quality" aria-labelledby="quality-title" id="quality">
    <h3 id="quality-title">${t('matching.quality.title')}</h3>
    <p>${t('matching.quality.intro', { rate: formatNumber(quality.overallMatchRate * 100, 0), line: formatNumber(line, 0) })}</p>
    <table class="chart" id="quality-totals">
      <caption>${t('matching.quality.totals', { gain: formatNumber(gain, 1) })}</caption>
      <thead class="visually-hidden"><tr><th scope="col">${t('matching.quality.assignment')}</th><th scope="col">${t('matching.quality.total')}</th><th scope="col">${t('matching.bar')}</th></tr></thead>
      <tbody>
        ${[['exact', quality.exactTotalScore], ['greedy', quality.greedyTotalScore]].map(([k, v]) => html`<tr data-assignment=${k}>
          <th scope="row">${t(`matching.quality.${k}`)}</th>
          <td class="number">${formatNumber(v, 1)}</td>
          <td class="bar-cell" aria-hidden="true"><${Bar} share=${top > 0 ? (v / top) * 100 : 0} kind=${k === 'greedy' ? 'muted' : ''} /></td>
        </tr>`)}
      </tbody>
    </table>
    ${quality.rescoredOnRhai && html`<p class="notice">${t('matching.quality.rescored')}</p>`}
    ${['byGender', 'byHouseholdType', 'byMainLanguage'].map((kind) => quality[kind].length > 0 && html`
      <table class="chart subgroups" id=${`quality-${kind}`}>
        <caption>${t(`matching.quality.${kind}`)}</caption>
        <thead><tr>
          <th scope="col">${t('matching.quality.subgroup')}</th><th scope="col">${t('matching.quality.matched')}</th>
          <th scope="col">${t('matching.quality.rate')}</th><th scope="col">${t('matching.quality.meanScore')}</th>
          <th scope="col"><span class="visually-hidden">${t('matching.bar')}</span></th>
        </tr></thead>
        <tbody>
          ${quality[kind].map((g) => html`<tr data-below=${g.belowFourFifths ? 'true' : undefined}>
            <th scope="row">${subgroupName(kind, g.group)}</th>
            <td class="number">${t('matching.quality.matchedOf', { matched: g.matched, candidates: g.candidates })}</td>
            <td class="number">${formatNumber(g.matchRate * 100, 0)}%${g.belowFourFifths ? html` <strong class="tag warning">${t('matching.quality.below')}</strong>` : ''}</td>
            <td class="number">${formatNumber(g.meanScore, 1)}</td>
            <td class="bar-cell rate-cell" aria-hidden="true"><${Bar} share=${g.matchRate * 100} kind=${g.belowFourFifths ? 'negative' : ''} /><span class="threshold" ref=${(el) => { if (el) el.style.left = `${Math.min(100, line)}%`; }}></span></td>
          </tr>`)}
        </tbody>
      </table>`)}
  </section>`;
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
    ${run.quality && html`<${Quality} quality=${run.quality} />`}
  </section>`;
}

/** For one waiting household: the groups the script recommends, and "propose this group". */
function ByHand({ citySlug, roundsRun, onProposed }) {
  const [chosen, setChosen] = useState('');
  const [round, setRound] = useState(0);
  const waiting = useLoad(() => allPages(async (after) => (await gql(WAITING, { city: citySlug, after })).newcomers), [citySlug, roundsRun, round]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(null);
  // A pair the script finds ineligible may still be proposed by staff, with the reason why
  // (e.g. an interpreter was arranged): the group whose override form is open, and its reason.
  const [overriding, setOverriding] = useState(null);
  const [overrideReason, setOverrideReason] = useState('');
  const recommended = useLoad(() => (chosen ? gql(RECOMMEND, { id: chosen }) : Promise.resolve(null)), [chosen, round]);
  // A household with a proposal already waits for that decision first.
  const households = (waiting.data?.nodes ?? []).filter((n) => !n.currentMatch);
  const household = households.find((n) => n.id === chosen);
  const list = recommended.data?.recommendations ?? [];
  const scale = scaleOf(list);
  const propose = async (group, override = null) => {
    setBusy(group.id);
    setError(null);
    try {
      await gql(PROPOSE, { newcomer: chosen, group: group.id, override });
      onProposed(household?.name ?? t('common.erased'), group.name);
      setOverriding(null);
      setOverrideReason('');
      setChosen('');
      setRound((r) => r + 1);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return html`<section class="panel" aria-labelledby="byhand-title" id="by-hand" data-recommendations-ready=${chosen && !recommended.loading ? 'true' : undefined}>
    <h2 id="byhand-title">${t('matching.byHand.title')}</h2>
    <p>${t('matching.byHand.intro')}</p>
    <${ErrorMessage} error=${waiting.error} />
    ${waiting.data && html`<${Field} prefix="byhand" name="household" label=${t('matching.byHand.household')} kind="select" value=${chosen}
      options=${[['', t('matching.byHand.choose')], ...households.map((n) => [n.id, n.name ?? t('common.erased')])]}
      onInput=${(e) => { setChosen(e.currentTarget.value); setError(null); }} />`}
    ${chosen && recommended.loading && html`<${Loading} />`}
    <${ErrorMessage} error=${recommended.error ?? error} />
    ${chosen && recommended.data && (list.length === 0 ? html`<p class="empty">${t('matching.byHand.none')}</p>` : html`
      <table class="table" id="recommendations-table">
        <caption>${t('matching.byHand.caption', { household: household?.name ?? t('common.erased') })}</caption>
        <thead><tr><th scope="col">${t('matching.col.group')}</th><th scope="col">${t('matching.col.score')}</th><th scope="col">${t('matching.col.why')}</th><th scope="col">${t('matching.col.decision')}</th></tr></thead>
        <tbody>
          ${list.map((r) => html`<tr class="recommendation" data-group=${r.group.id} data-eligible=${r.eligible ? 'true' : 'false'}>
            <th scope="row" class="group-name">${r.group.name}</th>
            <td class="number">${formatNumber(r.score, 1)}</td>
            <td>${r.eligible
              ? html`<details class="why"><summary>${t('matching.byHand.why', { group: r.group.name })}</summary><${Explanation} parts=${r.explanation} scale=${scale} /></details>`
              : html`<span class="not-eligible">${t('matching.byHand.notEligible')}${r.reason ? `: ${r.reason}` : ''}</span>`}</td>
            <td>${r.eligible
              ? html`<button type="button" class="button small propose" disabled=${busy !== null} onClick=${() => propose(r.group)}
                  aria-label=${t('matching.byHand.proposeOne', { group: r.group.name })}>${t('matching.byHand.propose')}</button>`
              : (overriding === r.group.id
                ? html`<form class="form override-form" id=${`override-${r.group.id}`} onSubmit=${(e) => {
                    e.preventDefault();
                    // Without a reason the API treats it as an ordinary proposal and refuses it
                    // for the script: the console asks for the reason at its field first.
                    if (!overrideReason.trim()) setError(inputError('overrideReason'));
                    else propose(r.group, overrideReason.trim());
                  }} novalidate>
                    <${Field} prefix=${`override-${r.group.id}`} name="overrideReason" label=${t('matching.byHand.overrideReason')} hint=${t('matching.byHand.overrideHint')}
                      kind="textarea" value=${overrideReason} onInput=${(e) => setOverrideReason(e.currentTarget.value)} error=${error} />
                    <div class="actions">
                      <button type="submit" class="button small override-submit" disabled=${busy !== null}>${t('matching.byHand.overrideSubmit')}</button>
                      <button type="button" class="button secondary small" onClick=${() => { setOverriding(null); setError(null); }}>${t('common.cancel')}</button>
                    </div>
                  </form>`
                : html`<button type="button" class="button secondary small override" disabled=${busy !== null} onClick=${() => { setOverriding(r.group.id); setOverrideReason(''); setError(null); }}
                    aria-label=${t('matching.byHand.overrideOne', { group: r.group.name })}>${t('matching.byHand.override')}</button>`)}</td>
          </tr>`)}
        </tbody>
      </table>`)}
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
    <${ByHand} citySlug=${citySlug} roundsRun=${round} onProposed=${(household, group) => { setMessage(t('matching.byHand.proposed', { household, group })); setRound((r) => r + 1); }} />
  <//>`;
}
