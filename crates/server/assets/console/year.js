// The year together: the city's active matches (staff), a match page with its activities as
// a timeline, a form to log one and to correct one's own, the check-ins of months 3, 6 and
// 12 with the form of a month still missing, and (staff) ending early or completing; and the
// coordinator's view of their own group and its current match. Households are named by their preferred name here, which a coordinator
// may read too (the full name is for staff only).

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatDay, formatNumber, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages, errorText, Field, FormError, Confirm, toInt, inputError } from './ui.js';

const ACTIVE = `query Active($city: String!, $after: String) {
  matches(citySlug: $city, status: ACTIVE, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id startDate plannedEndDate newcomer { id preferredName } group { id name } }
  }
}`;
const MATCH = `query Match($id: ID!, $staff: Boolean!, $household: Boolean!) {
  match(id: $id) {
    id status startDate plannedEndDate endDate endReason @include(if: $staff) endReasonCode decisionSide newcomer { id preferredName } group { id name }
    activities(first: 100) { totalCount nodes { id date kind durationMinutes participants notes loggedById } }
    checkIns { id month newcomerSatisfaction groupSatisfaction dutchLevel workStatus networkSize notes }
    householdCheckIns @include(if: $household) { id month satisfaction wellbeing dutchLevel workStatus networkSize notes }
    communityBuilderId @include(if: $household)
  }
}`;
const HOUSEHOLD_CHECK_IN = `mutation HouseholdCheckIn($id: ID!, $input: HouseholdCheckInInput!) {
  recordHouseholdCheckIn(matchId: $id, input: $input) { id month }
}`;
const BUILDERS = `query Builders($city: String!) { users(citySlug: $city, role: COMMUNITY_BUILDER, first: 100) { nodes { id email disabledAt } } }`;
const ASSIGN = `mutation Assign($id: ID!, $user: ID) { assignCommunityBuilder(matchId: $id, userId: $user) { id communityBuilderId } }`;
const LOG = `mutation Log($id: ID!, $input: ActivityInput!) {
  logActivity(matchId: $id, input: $input) { id date kind }
}`;
const UPDATE = `mutation Correct($id: ID!, $input: ActivityInput!) {
  updateActivity(id: $id, input: $input) { id date kind }
}`;
const CHECK_IN = `mutation CheckIn($id: ID!, $input: CheckInInput!) {
  recordCheckIn(matchId: $id, input: $input) { id month }
}`;
const END = `mutation End($id: ID!, $reason: String!, $code: EndReason!, $side: DecisionSide!) {
  endMatch(id: $id, reason: $reason, reasonCode: $code, side: $side) { id status }
}`;
const COMPLETE = `mutation Complete($id: ID!) { completeMatch(id: $id) { id status } }`;
const MY_GROUP = `query MyGroup {
  me { group { id name neighbourhood memberCount members { id name isCoordinator } currentMatch { id status } } }
}`;

export const ACTIVITY_KINDS = ['MEAL', 'LANGUAGE_PRACTICE', 'LETTERS_AND_ADMIN', 'WORK_AND_EDUCATION', 'SOCIAL_OUTING', 'OTHER'];
const CHECK_IN_MONTHS = [3, 6, 12];
const CEFR = ['A0', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2'];
const WORK = ['NONE', 'SEARCHING', 'VOLUNTEERING', 'EDUCATION', 'PART_TIME_WORK', 'FULL_TIME_WORK'];
const END_REASONS = ['NEWCOMER_MOVED', 'GROUP_DISSOLVED', 'NO_CONNECTION', 'NEWCOMER_REQUEST', 'GROUP_REQUEST', 'OTHER'];
const SIDES = ['STAFF', 'HOUSEHOLD', 'GROUP'];

/** The day `months` after the ISO day `start` (as the server counts: the same day of the month, or the month's last). */
function addMonths(start, months) {
  const [y, m, d] = start.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  const day = new Date(Date.UTC(y, m - 1 + months, Math.min(d, last)));
  return day.toISOString().slice(0, 10);
}

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

/**
 * The form of one activity: logging a new one (ids `activity-…`, submit `log-activity`) or
 * correcting a logged one (`activity-edit-…`, submit `activity-edit-submit`).
 */
function ActivityForm({ prefix, initial, title, submitId, submitLabel, save, onSaved, onCancel }) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  // The input of `durationMinutes` is `…-duration`; its error is that id's `-error`.
  const idOf = (name) => `${prefix}-${name === 'durationMinutes' ? 'duration' : name}`;
  const fieldError = (name) => (error && error.field === name ? html`<p class="error-message" id=${`${idOf(name)}-error`}>${errorText(error)}</p>` : null);
  const describedBy = (name) => (error && error.field === name ? `${idOf(name)}-error` : undefined);
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
        if (!Number.isFinite(input[name])) throw inputError(name);
      }
      await save(input);
      setForm({ ...form, notes: '' });
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form activity-form" onSubmit=${submit} novalidate>
    <h3>${title}</h3>
    <div class="field-row">
      <div class="field">
        <label for=${`${prefix}-date`}>${t('year.date')}</label>
        <input id=${`${prefix}-date`} type="date" value=${form.date} onInput=${set('date')} aria-describedby=${describedBy('date')} />
        ${fieldError('date')}
      </div>
      <div class="field">
        <label for=${`${prefix}-kind`}>${t('year.kind')}</label>
        <select id=${`${prefix}-kind`} value=${form.kind} onChange=${set('kind')}>
          ${ACTIVITY_KINDS.map((k) => html`<option value=${k}>${t(`activity.${k}`)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for=${`${prefix}-duration`}>${t('year.duration')}</label>
        <input id=${`${prefix}-duration`} type="text" inputmode="numeric" value=${form.durationMinutes} onInput=${set('durationMinutes')} aria-describedby=${describedBy('durationMinutes')} />
        ${fieldError('durationMinutes')}
      </div>
      <div class="field">
        <label for=${`${prefix}-participants`}>${t('year.participants')}</label>
        <input id=${`${prefix}-participants`} type="text" inputmode="numeric" value=${form.participants} onInput=${set('participants')} aria-describedby=${describedBy('participants')} />
        ${fieldError('participants')}
      </div>
    </div>
    <div class="field">
      <label for=${`${prefix}-notes`}>${t('year.notes')}</label>
      <textarea id=${`${prefix}-notes`} rows="3" value=${form.notes} onInput=${set('notes')}></textarea>
    </div>
    ${error && !['date', 'durationMinutes', 'participants'].includes(error.field) && html`<${ErrorMessage} error=${error} />`}
    <div class="actions">
      <button type="submit" class="button" id=${submitId} disabled=${busy}>${submitLabel}</button>
      ${onCancel && html`<button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>`}
    </div>
  </form>`;
}

function LogActivity({ matchId, onLogged }) {
  return html`<${ActivityForm} prefix="activity" title=${t('year.log')} submitId="log-activity" submitLabel=${t('year.logSubmit')}
    initial=${{ date: dayInAmsterdam(new Date()), kind: 'MEAL', durationMinutes: '90', participants: '4', notes: '' }}
    save=${(input) => gql(LOG, { id: matchId, input })} onSaved=${onLogged} />`;
}

/** The "month" of the exit check-in after an early end. */
const EXIT = 0;

/** The check-ins still open to record on `match`, given the months recorded: 3, 6 and 12 while
 * ACTIVE (12 also once COMPLETED), the exit check-in once it ended early. */
function openMonths(match, recorded) {
  if (match.status === 'ENDED_EARLY') return recorded.has(EXIT) ? [] : [EXIT];
  return CHECK_IN_MONTHS.filter((m) => !recorded.has(m) && (match.status === 'ACTIVE' || (m === 12 && match.status === 'COMPLETED')));
}

/** A month's option: its due date (for the exit check-in, the day the match ended). */
function monthOption(match, m) {
  return m === EXIT
    ? [String(m), t('year.checkIn.exitDue', { date: formatDay(match.endDate) })]
    : [String(m), t('year.checkIn.monthDue', { month: m, date: formatDay(addMonths(match.startDate, m)) })];
}

const monthLabel = (m) => (m === EXIT ? t('year.checkIn.exit') : t('year.checkIn.monthN', { month: m }));

/** The two views of a check-in: the group's (its coordinator's answers) and the household's
 * own (asked without the group present by a community builder or staff; never the group's to
 * read). Each lists what is recorded and has the form of a check-in still missing. */
const VIEWS = {
  group: {
    rows: (match) => match.checkIns,
    scores: ['newcomerSatisfaction', 'groupSatisfaction'],
    hints: { newcomerSatisfaction: 'year.checkIn.newcomerHint' },
    mutation: CHECK_IN,
    prefix: 'checkin',
    list: 'checkins',
    labels: 'year.checkIn',
  },
  household: {
    rows: (match) => match.householdCheckIns ?? [],
    scores: ['satisfaction', 'wellbeing'],
    hints: {},
    intro: 'year.householdCheckIn.intro',
    mutation: HOUSEHOLD_CHECK_IN,
    prefix: 'household-checkin',
    list: 'household-checkins',
    labels: 'year.householdCheckIn',
  },
};

function CheckIns({ match, view, onRecorded }) {
  const v = VIEWS[view];
  const rows = v.rows(match);
  const open = openMonths(match, new Set(rows.map((c) => c.month)));
  const [form, setForm] = useState({
    month: String(open[0] ?? 3), [v.scores[0]]: '4', [v.scores[1]]: '4', dutchLevel: 'A2', workStatus: 'SEARCHING', networkSize: '5', notes: '',
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const scores = [1, 2, 3, 4, 5].map((n) => [String(n), t('year.checkIn.score', { score: n })]);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input = {
        month: toInt(form.month),
        [v.scores[0]]: toInt(form[v.scores[0]]),
        [v.scores[1]]: toInt(form[v.scores[1]]),
        dutchLevel: form.dutchLevel,
        workStatus: form.workStatus,
        networkSize: toInt(form.networkSize),
        notes: form.notes.trim() || null,
      };
      if (!Number.isFinite(input.networkSize)) throw inputError('networkSize');
      await gql(v.mutation, { id: match.id, input });
      onRecorded(input.month);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const label = (name) => t(`${v.labels}.${name}`);
  const field = (name, props) => html`<${Field} prefix=${v.prefix} name=${name} label=${label(name)} value=${form[name]} onInput=${set(name)} error=${error}
    hint=${v.hints[name] ? t(v.hints[name]) : undefined} ...${props} />`;
  const columns = ['month', ...v.scores, 'dutchLevel', 'workStatus', 'networkSize', 'notes'];
  return html`<section class="panel" aria-labelledby=${`${v.list}-title`}>
    <h2 id=${`${v.list}-title`}>${label('title')}</h2>
    ${v.intro && html`<p>${t(v.intro)}</p>`}
    ${rows.length === 0 ? html`<p class="empty">${t('year.checkIn.none')}</p>` : html`
      <table class="table" id=${`${v.list}-table`}>
        <caption>${label('caption')}</caption>
        <thead><tr>${columns.map((c) => html`<th scope="col">${label(c)}</th>`)}</tr></thead>
        <tbody>
          ${rows.map((c) => html`<tr data-month=${c.month}>
            <th scope="row">${monthLabel(c.month)}</th>
            <td>${formatNumber(c[v.scores[0]])}</td><td>${formatNumber(c[v.scores[1]])}</td>
            <td>${c.dutchLevel ?? '—'}</td><td>${t(`work.${c.workStatus}`)}</td><td>${formatNumber(c.networkSize)}</td>
            <td>${c.notes ?? '—'}</td>
          </tr>`)}
        </tbody>
      </table>`}
    ${open.length > 0 && match.startDate && html`<form class="form" id=${`${v.prefix}-form`} onSubmit=${submit} novalidate>
      <h3>${label('record')}</h3>
      <div class="field-row">
        ${field('month', { kind: 'select', options: open.map((m) => monthOption(match, m)) })}
        ${v.scores.map((name) => field(name, { kind: 'select', options: scores }))}
      </div>
      <div class="field-row">
        ${field('dutchLevel', { kind: 'select', options: CEFR.map((l) => [l, l]) })}
        ${field('workStatus', { kind: 'select', options: WORK.map((w) => [w, t(`work.${w}`)]) })}
        ${field('networkSize', { inputmode: 'numeric', hint: t('year.checkIn.networkHint') })}
      </div>
      ${field('notes', { kind: 'textarea', hint: t('year.checkIn.notesHint') })}
      <${FormError} error=${error} fields=${columns} />
      <button type="submit" class="button" id=${`${v.prefix}-submit`} disabled=${busy}>${t('year.checkIn.submit')}</button>
    </form>`}
  </section>`;
}

/** Staff: who supports the match (a community builder of the city), or nobody. */
function Support({ match, citySlug, onDone }) {
  const { data, error } = useLoad(() => gql(BUILDERS, { city: citySlug }), [citySlug]);
  const [choice, setChoice] = useState(match.communityBuilderId ?? '');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState(null);
  const builders = (data?.users.nodes ?? []).filter((u) => !u.disabledAt || u.id === match.communityBuilderId);
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setSaveError(null);
    try {
      await gql(ASSIGN, { id: match.id, user: choice || null });
      onDone(t(choice ? 'year.support.assigned' : 'year.support.unassigned'));
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="panel" aria-labelledby="support-title">
    <h2 id="support-title">${t('year.support.title')}</h2>
    <${ErrorMessage} error=${error} />
    <form class="form" id="support-form" onSubmit=${save} novalidate>
      <${Field} prefix="support" name="userId" label=${t('year.support.userId')} value=${choice} onInput=${(e) => setChoice(e.currentTarget.value)} error=${saveError}
        kind="select" options=${[['', t('year.support.nobody')], ...builders.map((u) => [u.id, u.email])]} />
      <${FormError} error=${saveError} fields=${['userId']} />
      <button type="submit" class="button secondary" id="support-submit" disabled=${busy}>${t('year.support.submit')}</button>
    </form>
  </section>`;
}

/** End early (with a reason in words and as a code, and who asked) and complete. */
function Closing({ match, title, onDone }) {
  const [ending, setEnding] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [completing, setCompleting] = useState(false);
  const [form, setForm] = useState({ reason: '', reasonCode: 'OTHER', side: 'STAFF' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const today = dayInAmsterdam(new Date());
  const due = match.plannedEndDate && match.plannedEndDate <= today;
  const run = async (action, message) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onDone(message);
    } catch (e) {
      setError(e);
      setConfirmEnd(false);
    } finally {
      setBusy(false);
    }
  };
  const end = () => run(() => gql(END, { id: match.id, reason: form.reason.trim(), code: form.reasonCode, side: form.side }), t('year.end.done', { match: title }));
  const complete = () => run(() => gql(COMPLETE, { id: match.id }), t('year.complete.done', { match: title }));
  const field = (name, props) => html`<${Field} prefix="end" name=${name} label=${t(`year.end.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${props} />`;
  return html`<section class="panel" aria-labelledby="closing-title">
    <h2 id="closing-title">${t('year.closing')}</h2>
    ${due
      ? (completing
        ? html`<${Confirm} id="confirm-complete" text=${t('year.complete.confirm', { match: title })} confirmLabel=${t('year.complete.button')} onConfirm=${complete} onCancel=${() => setCompleting(false)} busy=${busy} error=${ending ? null : error} />`
        : html`<p><button type="button" class="button" id="complete-match" onClick=${() => { setError(null); setCompleting(true); }}>${t('year.complete.button')}</button></p>`)
      : html`<p id="complete-hint">${t('year.complete.notYet', { date: formatDay(match.plannedEndDate) })}</p>`}
    ${!ending
      ? html`<p><button type="button" class="button secondary" id="end-match" onClick=${() => { setError(null); setEnding(true); }}>${t('year.end.button')}</button></p>`
      : html`<form class="form" id="end-form" onSubmit=${(e) => { e.preventDefault(); setConfirmEnd(true); }} novalidate>
        <h3>${t('year.end.title')}</h3>
        <div class="field-row">
          ${field('reasonCode', { kind: 'select', options: END_REASONS.map((r) => [r, t(`endReason.${r}`)]) })}
          ${field('side', { kind: 'select', options: SIDES.map((r) => [r, t(`side.${r}`)]) })}
        </div>
        ${field('reason', { kind: 'textarea', hint: t('year.end.reasonHint') })}
        ${confirmEnd
          ? html`<${Confirm} id="confirm-end" text=${t('year.end.confirm', { match: title })} confirmLabel=${t('year.end.confirmButton')} onConfirm=${end} onCancel=${() => setConfirmEnd(false)} busy=${busy} />`
          : html`<${FormError} error=${error} fields=${['reason', 'reasonCode', 'side']} />
            <div class="actions">
              <button type="submit" class="button" id="end-submit">${t('year.end.submit')}</button>
              <button type="button" class="button secondary" onClick=${() => { setEnding(false); setError(null); }}>${t('common.cancel')}</button>
            </div>`}
      </form>`}
  </section>`;
}

export function MatchPage({ param, user, citySlug }) {
  // The reason in words is for staff only: a coordinator's query leaves it out; the household's
  // own check-in answers are for staff and community builders, never the group.
  const staff = Boolean(user && (user.role === 'ADMIN' || user.role === 'CITY_ADMIN'));
  const household = staff || user?.role === 'COMMUNITY_BUILDER';
  const { loading, error, data, reload } = useLoad(() => gql(MATCH, { id: param, staff, household }), [param]);
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState(null);
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
      <p id="match-state" data-status=${match.status}>${t(`matchStatus.${match.status}`)}. ${t('year.period', { start: formatDay(match.startDate), end: formatDay(match.plannedEndDate) })}</p>
      ${match.status === 'ENDED_EARLY' && html`<p id="match-ended">${t('year.end.summary', { date: formatDay(match.endDate), code: match.endReasonCode ? t(`endReason.${match.endReasonCode}`) : '—', side: match.decisionSide ? t(`side.${match.decisionSide}`) : '—' })} ${match.endReason ?? ''}</p>`}
      <section class="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">${t('year.timeline', { count: match.activities.totalCount })}</h2>
        ${activities.length === 0 ? html`<p class="empty">${t('year.noActivities')}</p>` : html`
          <ol class="timeline" id="timeline">
            ${activities.map((a) => html`<li class="activity" data-id=${a.id}>
              <p class="activity-head"><time datetime=${a.date}>${formatDay(a.date)}</time> — <strong>${t(`activity.${a.kind}`)}</strong></p>
              <p>${t('year.activityFacts', { minutes: formatNumber(a.durationMinutes), count: a.participants })}</p>
              ${a.notes && html`<p class="activity-notes">${a.notes}</p>`}
              ${match.status === 'ACTIVE' && user && a.loggedById === user.id && (editing === a.id
                ? html`<${ActivityForm} prefix="activity-edit" title=${t('year.correct')} submitId="activity-edit-submit" submitLabel=${t('year.correctSubmit')}
                    initial=${{ date: a.date, kind: a.kind, durationMinutes: String(a.durationMinutes), participants: String(a.participants), notes: a.notes ?? '' }}
                    save=${(input) => gql(UPDATE, { id: a.id, input })}
                    onSaved=${() => { setEditing(null); setMessage(t('year.corrected')); reload(); }} onCancel=${() => setEditing(null)} />`
                : html`<button type="button" class="button secondary small activity-correct" aria-label=${t('year.correctOne', { date: formatDay(a.date), kind: t(`activity.${a.kind}`) })} onClick=${() => setEditing(a.id)}>${t('year.correct')}</button>`)}
            </li>`)}
          </ol>`}
      </section>
      ${match.status === 'ACTIVE' && html`<section class="panel"><${LogActivity} matchId=${match.id} onLogged=${() => { setMessage(t('year.logged')); reload(); }} /></section>`}
      <${CheckIns} key=${`${match.status}:${match.checkIns.length}`} match=${match} view="group" onRecorded=${(month) => { setMessage(month === EXIT ? t('year.checkIn.exitRecorded') : t('year.checkIn.recorded', { month })); reload(); }} />
      ${household && html`<${CheckIns} key=${`h:${match.status}:${(match.householdCheckIns ?? []).length}`} match=${match} view="household" onRecorded=${(month) => { setMessage(month === EXIT ? t('year.checkIn.exitRecorded') : t('year.checkIn.recorded', { month })); reload(); }} />`}
      ${staff && ['PROPOSED', 'ACTIVE'].includes(match.status) && citySlug && html`<${Support} match=${match} citySlug=${citySlug} onDone=${(text) => { setMessage(text); reload(); }} />`}
      ${staff && match.status === 'ACTIVE' && html`<${Closing} match=${match} title=${title} onDone=${(text) => { setMessage(text); reload(); }} />`}`}
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
