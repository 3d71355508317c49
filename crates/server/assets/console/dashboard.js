// The city dashboard: who waits longest, which groups are forming and what they still lack
// (the city's rules, as the API reports them), which are ready, which proposals await a
// decision, which check-ins are due (each view), which matches are due for completion, which
// households must confirm they still want a group, and which matched groups fell below the
// minimum. Several small queries, each under the complexity limit.

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatDay, daysSince, formatNumber, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages } from './ui.js';

const PAGE = `pageInfo { hasNextPage endCursor } totalCount`;
const WAITING = `query Waiting($city: String!, $after: String) {
  newcomers(citySlug: $city, status: WAITING, first: 100, after: $after) { ${PAGE} nodes { id name waitingSince householdSize } }
}`;
const GROUPS = `query Groups($city: String!, $status: GroupStatus!, $after: String) {
  welcomeGroups(citySlug: $city, status: $status, first: 100, after: $after) {
    ${PAGE} nodes { id name neighbourhood memberCount capacity missingForReady { code memberIds } }
  }
}`;
const PROPOSED = `query Proposed($city: String!, $after: String) {
  matches(citySlug: $city, status: PROPOSED, first: 100, after: $after) { ${PAGE} nodes { id score createdAt newcomer { id name } group { id name } } }
}`;
const DUE = `query Due($city: String!) {
  checkInsDue(citySlug: $city) { month view dueDate overdue match { id newcomer { id name } group { id name } } }
}`;
const RECONFIRM = `query Reconfirm($city: String!) { reconfirmationsDue(citySlug: $city) { id name lastConfirmedAt } }`;
const BELOW = `query Below($city: String!) { groupsBelowMinimum(citySlug: $city) { id name memberCount } }`;
const CONFIRM = `mutation Confirm($id: ID!) { confirmStillWaiting(newcomerId: $id) { id } }`;
const COMPLETION = `query Completion($city: String!) {
  matchesDueForCompletion(citySlug: $city) { id plannedEndDate newcomer { id name } group { id name } }
}`;

async function loadDashboard(city) {
  const [waiting, forming, ready, proposed, due, completion, reconfirm, below] = await Promise.all([
    allPages(async (after) => (await gql(WAITING, { city, after })).newcomers),
    allPages(async (after) => (await gql(GROUPS, { city, status: 'FORMING', after })).welcomeGroups),
    allPages(async (after) => (await gql(GROUPS, { city, status: 'READY', after })).welcomeGroups),
    allPages(async (after) => (await gql(PROPOSED, { city, after })).matches),
    gql(DUE, { city }),
    gql(COMPLETION, { city }),
    gql(RECONFIRM, { city }),
    gql(BELOW, { city }),
  ]);
  const now = new Date();
  // Longest first: the API lists by id (registration order), but an early end keeps a
  // household's waiting time, so order by waitingSince itself.
  const households = waiting.nodes
    .map((n) => ({ ...n, days: n.waitingSince ? daysSince(n.waitingSince, now) : 0 }))
    .sort((a, b) => b.days - a.days || a.name?.localeCompare(b.name ?? '') || 0);
  return { households, forming: forming.nodes, ready: ready.nodes, proposed: proposed.nodes, due: due.checkInsDue, completion: completion.matchesDueForCompletion, reconfirm: reconfirm.reconfirmationsDue, below: below.groupsBelowMinimum };
}

/** What a group still lacks to become READY, in words: the API's list under the city's rules. */
export function lacks(group) {
  const missing = (group.missingForReady ?? []).map((gap) => t(`missing.${gap.code}`, { count: gap.memberIds.length, members: group.memberCount }));
  return missing.length > 0 ? missing.join('; ') : t('dashboard.lacks.nothing');
}

/** "Still wants a group": staff record the household's answer; the list is read again. */
function ConfirmButton({ id, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await gql(CONFIRM, { id });
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<button type="button" class="button secondary confirm-waiting" disabled=${busy} onClick=${confirm}>${t('dashboard.reconfirm.action')}</button>
    <${ErrorMessage} error=${error} />`;
}

function Empty({ text }) {
  return html`<p class="empty">${text}</p>`;
}

export function Dashboard({ citySlug }) {
  const { loading, error, data, reload } = useLoad(() => loadDashboard(citySlug), [citySlug]);
  return html`<${Screen} name="dashboard" title=${t('dashboard.title')} ready=${!loading}>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && html`
      <div class="summary" role="list">
        <p role="listitem"><strong>${formatNumber(data.households.length)}</strong> ${t('dashboard.summary.waiting', { count: data.households.length })}</p>
        <p role="listitem"><strong>${formatNumber(data.forming.length)}</strong> ${t('dashboard.summary.forming', { count: data.forming.length })}</p>
        <p role="listitem"><strong>${formatNumber(data.ready.length)}</strong> ${t('dashboard.summary.ready', { count: data.ready.length })}</p>
        <p role="listitem"><strong>${formatNumber(data.proposed.length)}</strong> ${t('dashboard.summary.proposed', { count: data.proposed.length })}</p>
      </div>

      <section aria-labelledby="dash-waiting" class="panel">
        <h2 id="dash-waiting">${t('dashboard.waiting.title')}</h2>
        ${data.households.length === 0 ? html`<${Empty} text=${t('dashboard.waiting.none')} />` : html`
          <table class="table" id="waiting-table">
            <caption class="visually-hidden">${t('dashboard.waiting.caption')}</caption>
            <thead><tr><th scope="col">${t('dashboard.col.household')}</th><th scope="col">${t('dashboard.col.persons')}</th><th scope="col">${t('dashboard.col.waiting')}</th></tr></thead>
            <tbody>
              ${data.households.map((n) => html`<tr data-id=${n.id}>
                <th scope="row" class="household-name">${n.name ?? t('common.erased')}</th>
                <td class="number">${formatNumber(n.householdSize ?? 0)}</td>
                <td class="number days-waiting">${t('dashboard.days', { count: n.days })}</td>
              </tr>`)}
            </tbody>
          </table>
          <p><a href="#/matching">${t('dashboard.waiting.action')}</a></p>`}
      </section>

      <section aria-labelledby="dash-proposed" class="panel">
        <h2 id="dash-proposed">${t('dashboard.proposed.title')}</h2>
        ${data.proposed.length === 0 ? html`<${Empty} text=${t('dashboard.proposed.none')} />` : html`
          <ul class="plain-list">
            ${data.proposed.map((m) => html`<li>${t('dashboard.pair', { household: m.newcomer.name ?? t('common.erased'), group: m.group.name })}
              — ${t('dashboard.proposedOn', { date: formatDay(dayInAmsterdam(new Date(m.createdAt))) })}</li>`)}
          </ul>
          <p><a href="#/matching">${t('dashboard.proposed.action')}</a></p>`}
      </section>

      <section aria-labelledby="dash-forming" class="panel">
        <h2 id="dash-forming">${t('dashboard.forming.title')}</h2>
        ${data.forming.length === 0 ? html`<${Empty} text=${t('dashboard.forming.none')} />` : html`
          <table class="table">
            <thead><tr><th scope="col">${t('dashboard.col.group')}</th><th scope="col">${t('dashboard.col.members')}</th><th scope="col">${t('dashboard.col.lacks')}</th></tr></thead>
            <tbody>
              ${data.forming.map((g) => html`<tr><th scope="row">${g.name}</th><td class="number">${formatNumber(g.memberCount)}</td><td>${lacks(g)}</td></tr>`)}
            </tbody>
          </table>`}
      </section>

      <section aria-labelledby="dash-ready" class="panel">
        <h2 id="dash-ready">${t('dashboard.ready.title')}</h2>
        ${data.ready.length === 0 ? html`<${Empty} text=${t('dashboard.ready.none')} />` : html`
          <ul class="plain-list columns">
            ${data.ready.map((g) => html`<li>${g.name}${g.neighbourhood ? ` (${g.neighbourhood})` : ''} — ${t('dashboard.capacity', { count: g.capacity })}</li>`)}
          </ul>`}
      </section>

      <section aria-labelledby="dash-due" class="panel">
        <h2 id="dash-due">${t('dashboard.due.title')}</h2>
        ${data.due.length === 0 ? html`<${Empty} text=${t('dashboard.due.none')} />` : html`
          <ul class="plain-list">
            ${data.due.map((d) => html`<li class=${d.overdue ? 'overdue' : ''}>
              <a href=${`#/match/${d.match.id}`}>${t(d.month === 0 ? 'dashboard.exitCheckIn' : 'dashboard.checkIn', { month: d.month, household: d.match.newcomer.name ?? t('common.erased'), group: d.match.group.name, date: formatDay(d.dueDate) })}</a>
              — ${t(`checkInView.${d.view}`)}
              ${d.overdue && html` <strong class="tag warning">${t('dashboard.overdue')}</strong>`}
            </li>`)}
          </ul>`}
      </section>

      <section aria-labelledby="dash-reconfirm" class="panel">
        <h2 id="dash-reconfirm">${t('dashboard.reconfirm.title')}</h2>
        ${data.reconfirm.length === 0 ? html`<${Empty} text=${t('dashboard.reconfirm.none')} />` : html`
          <ul class="plain-list" id="reconfirm-list">
            ${data.reconfirm.map((n) => html`<li data-id=${n.id}>
              <a href=${`#/households/${n.id}`}>${n.name ?? t('common.erased')}</a>
              — ${t('dashboard.reconfirm.since', { date: formatDay(dayInAmsterdam(new Date(n.lastConfirmedAt))) })}
              <${ConfirmButton} id=${n.id} onDone=${reload} />
            </li>`)}
          </ul>`}
      </section>

      <section aria-labelledby="dash-below" class="panel">
        <h2 id="dash-below">${t('dashboard.below.title')}</h2>
        ${data.below.length === 0 ? html`<${Empty} text=${t('dashboard.below.none')} />` : html`
          <ul class="plain-list" id="below-list">
            ${data.below.map((g) => html`<li><a href=${`#/groups/${g.id}`}>${g.name}</a> — ${t('dashboard.below.members', { count: g.memberCount })}</li>`)}
          </ul>`}
      </section>

      <section aria-labelledby="dash-completion" class="panel">
        <h2 id="dash-completion">${t('dashboard.completion.title')}</h2>
        ${data.completion.length === 0 ? html`<${Empty} text=${t('dashboard.completion.none')} />` : html`
          <ul class="plain-list">
            ${data.completion.map((m) => html`<li><a href=${`#/match/${m.id}`}>${t('dashboard.completionLine', { household: m.newcomer.name ?? t('common.erased'), group: m.group.name, date: formatDay(m.plannedEndDate) })}</a></li>`)}
          </ul>`}
      </section>`}
  <//>`;
}
