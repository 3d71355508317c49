// The year together: the city's active matches (staff), a match page with its activities as
// a timeline and a form to log one, and the coordinator's view of their own group and its
// current match. Households are named by their preferred name here, which a coordinator
// may read too (the full name is for staff only).

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatDay, formatNumber, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages, errorText } from './ui.js';

const ACTIVE = `query Active($city: String!, $after: String) {
  matches(citySlug: $city, status: ACTIVE, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id startDate plannedEndDate newcomer { id preferredName } group { id name } }
  }
}`;
const MATCH = `query Match($id: ID!) {
  match(id: $id) {
    id status startDate plannedEndDate newcomer { id preferredName } group { id name }
    activities(first: 100) { totalCount nodes { id date kind durationMinutes participants notes } }
  }
}`;
const LOG = `mutation Log($id: ID!, $input: ActivityInput!) {
  logActivity(matchId: $id, input: $input) { id date kind }
}`;
const MY_GROUP = `query MyGroup {
  me { group { id name neighbourhood memberCount members { id name isCoordinator } currentMatch { id status } } }
}`;

export const ACTIVITY_KINDS = ['MEAL', 'LANGUAGE_PRACTICE', 'LETTERS_AND_ADMIN', 'WORK_AND_EDUCATION', 'SOCIAL_OUTING', 'OTHER'];

export function ActiveMatches({ citySlug }) {
  const { loading, error, data } = useLoad(
    () => allPages(async (after) => (await gql(ACTIVE, { city: citySlug, after })).matches),
    [citySlug],
  );
  return html`<${Screen} name="matches" title=${t('year.title')} ready=${!loading}>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && (data.nodes.length === 0 ? html`<p class="empty">${t('year.none')}</p>` : html`
      <table class="table" id="active-matches">
        <thead><tr><th scope="col">${t('year.col.pair')}</th><th scope="col">${t('year.col.start')}</th><th scope="col">${t('year.col.end')}</th></tr></thead>
        <tbody>
          ${data.nodes.map((m) => html`<tr data-match=${m.id}>
            <th scope="row"><a href=${`#/match/${m.id}`}>${t('dashboard.pair', { household: m.newcomer.preferredName ?? t('common.erased'), group: m.group.name })}</a></th>
            <td>${formatDay(m.startDate)}</td>
            <td>${formatDay(m.plannedEndDate)}</td>
          </tr>`)}
        </tbody>
      </table>`)}
  <//>`;
}

function LogActivity({ matchId, onLogged }) {
  const [form, setForm] = useState({ date: dayInAmsterdam(new Date()), kind: 'MEAL', durationMinutes: '90', participants: '4', notes: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const fieldError = (name) => (error && error.field === name ? html`<p class="error-message" id=${`activity-${name}-error`}>${errorText(error)}</p>` : null);
  const describedBy = (name) => (error && error.field === name ? `activity-${name}-error` : undefined);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input = {
        date: form.date,
        kind: form.kind,
        durationMinutes: Number.parseInt(form.durationMinutes, 10),
        participants: Number.parseInt(form.participants, 10),
        notes: form.notes.trim() || null,
      };
      // A number field left empty or not a number is named as the API would name it.
      for (const name of ['durationMinutes', 'participants']) {
        if (!Number.isFinite(input[name])) throw Object.assign(new Error(''), { code: 'BAD_USER_INPUT', field: name, message: '' });
      }
      await gql(LOG, { id: matchId, input });
      setForm({ ...form, notes: '' });
      onLogged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form activity-form" onSubmit=${submit} novalidate>
    <h3>${t('year.log')}</h3>
    <div class="field-row">
      <div class="field">
        <label for="activity-date">${t('year.date')}</label>
        <input id="activity-date" type="date" value=${form.date} onInput=${set('date')} aria-describedby=${describedBy('date')} />
        ${fieldError('date')}
      </div>
      <div class="field">
        <label for="activity-kind">${t('year.kind')}</label>
        <select id="activity-kind" value=${form.kind} onChange=${set('kind')}>
          ${ACTIVITY_KINDS.map((k) => html`<option value=${k}>${t(`activity.${k}`)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="activity-duration">${t('year.duration')}</label>
        <input id="activity-duration" type="text" inputmode="numeric" value=${form.durationMinutes} onInput=${set('durationMinutes')} aria-describedby=${describedBy('durationMinutes')} />
        ${fieldError('durationMinutes')}
      </div>
      <div class="field">
        <label for="activity-participants">${t('year.participants')}</label>
        <input id="activity-participants" type="text" inputmode="numeric" value=${form.participants} onInput=${set('participants')} aria-describedby=${describedBy('participants')} />
        ${fieldError('participants')}
      </div>
    </div>
    <div class="field">
      <label for="activity-notes">${t('year.notes')}</label>
      <textarea id="activity-notes" rows="3" value=${form.notes} onInput=${set('notes')}></textarea>
    </div>
    ${error && !['date', 'durationMinutes', 'participants'].includes(error.field) && html`<${ErrorMessage} error=${error} />`}
    <button type="submit" class="button" id="log-activity" disabled=${busy}>${t('year.logSubmit')}</button>
  </form>`;
}

export function MatchPage({ param }) {
  const { loading, error, data, reload } = useLoad(() => gql(MATCH, { id: param }), [param]);
  const [message, setMessage] = useState('');
  const match = data?.match;
  const title = match ? t('dashboard.pair', { household: match.newcomer.preferredName ?? t('common.erased'), group: match.group.name }) : t('year.match');
  // Newest first: a timeline reads from today backwards.
  const activities = match ? [...match.activities.nodes].sort((a, b) => b.date.localeCompare(a.date)) : [];
  return html`<${Screen} name="match" title=${title} ready=${!loading || data !== null}>
    <p role="status" class="status" aria-live="polite">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && !match && html`<p>${t('error.NOT_FOUND')}</p>`}
    ${match && html`
      <p>${t('year.period', { start: formatDay(match.startDate), end: formatDay(match.plannedEndDate) })}</p>
      <section class="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">${t('year.timeline', { count: match.activities.totalCount })}</h2>
        ${activities.length === 0 ? html`<p class="empty">${t('year.noActivities')}</p>` : html`
          <ol class="timeline" id="timeline">
            ${activities.map((a) => html`<li class="activity" data-id=${a.id}>
              <p class="activity-head"><time datetime=${a.date}>${formatDay(a.date)}</time> — <strong>${t(`activity.${a.kind}`)}</strong></p>
              <p>${t('year.activityFacts', { minutes: formatNumber(a.durationMinutes), count: a.participants })}</p>
              ${a.notes && html`<p class="activity-notes">${a.notes}</p>`}
            </li>`)}
          </ol>`}
      </section>
      ${match.status === 'ACTIVE' && html`<section class="panel"><${LogActivity} matchId=${match.id} onLogged=${() => { setMessage(t('year.logged')); reload(); }} /></section>`}`}
  <//>`;
}

export function CoordinatorHome() {
  const { loading, error, data } = useLoad(() => gql(MY_GROUP), []);
  const group = data?.me.group;
  return html`<${Screen} name="group" title=${group ? group.name : t('year.myGroup')} ready=${!loading}>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && !group && html`<p>${t('year.noGroup')}</p>`}
    ${group && html`
      <section class="panel" aria-labelledby="members-title">
        <h2 id="members-title">${t('year.members', { count: group.memberCount })}</h2>
        <ul class="plain-list" id="members">
          ${group.members.map((m) => html`<li>${m.name}${m.isCoordinator ? html` <span class="tag">${t('year.coordinator')}</span>` : ''}</li>`)}
        </ul>
      </section>
      <section class="panel" aria-labelledby="current-title">
        <h2 id="current-title">${t('year.current')}</h2>
        ${group.currentMatch && group.currentMatch.status === 'ACTIVE'
          ? html`<p><a href=${`#/match/${group.currentMatch.id}`} id="current-match">${t('year.openMatch')}</a></p>`
          : html`<p class="empty">${t('year.noCurrent')}</p>`}
      </section>`}
  <//>`;
}
