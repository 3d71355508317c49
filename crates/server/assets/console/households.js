// Newcomer households (staff): a list with search over the loaded page, a status filter,
// sorting and paging (`newcomers` with `first`/`after`); a household's page with its record;
// register and edit forms that show each refused value at its field (a change made by someone
// else meanwhile is said as such, with a reload); withdraw with a reason; and, each behind a
// confirmation that names what will happen, the personal-data report (a JSON file built in
// the browser from the answer) and erasure.

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatDay, formatNumber, formatMoment, daysSince } from './i18n.js';
import {
  html, Screen, Loading, ErrorMessage, useLoad, Field, FormError, Confirm, Facts, Pager,
  sortRows, splitList, toInt, inputError, ListControls, useList,
} from './ui.js';

const PAGE_SIZE = 20;
export const NEWCOMER_STATUSES = ['WAITING', 'MATCHED', 'COMPLETED', 'WITHDRAWN'];
const GENDERS = ['FEMALE', 'MALE', 'OTHER'];
const CEFR = ['A0', 'A1', 'A2', 'B1', 'B2', 'C1'];
const GOALS = ['WORK', 'STUDY', 'LANGUAGE', 'SOCIAL_NETWORK', 'PRACTICAL_MATTERS'];
const LEVELS = ['NATIVE', 'FLUENT', 'BASIC'];
const LIST = `query HouseholdList($city: String!, $status: NewcomerStatus, $after: String) {
  newcomers(citySlug: $city, status: $status, first: ${PAGE_SIZE}, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id name status householdSize waitingSince createdAt erasedAt }
  }
}`;
const RECORD = `id status statusReason name preferredName email phone erasedAt birthYear gender countryOfOrigin
  languages { code level } dutchLevel interests sector education goals householdAdults childrenAges householdSize
  arrivalDate neighbourhood needs shareContactWithGroup consentDate privacyNoticeVersion waitingSince version createdAt
  researchConsent { givenAt version }
  currentMatch { id status group { id name } }
  lastConfirmedAt baseline { networkSize workStatus dutchLevel wellbeing recordedOn }`;
const ONE = `query Household($id: ID!) { newcomer(id: $id) { ${RECORD} } }`;
const REGISTER = `mutation Register($input: RegisterNewcomerInput!) { registerNewcomer(input: $input) { id } }`;
const UPDATE = `mutation UpdateHousehold($id: ID!, $input: UpdateNewcomerInput!) { updateNewcomer(id: $id, input: $input) { id version } }`;
const WITHDRAW = `mutation WithdrawHousehold($id: ID!, $reason: String!) { withdrawNewcomer(id: $id, reason: $reason) { id status } }`;
const ERASE = `mutation EraseHousehold($id: ID!) { eraseNewcomer(id: $id) }`;
const REPORT = `query Report($id: ID!) { personalDataReport(newcomerId: $id) }`;
const CONFIRM = `mutation Confirm($id: ID!) { confirmStillWaiting(newcomerId: $id) { id } }`;
const CONSENT = `mutation ResearchConsent($id: ID!, $consent: Boolean!, $version: String) {
  setResearchConsent(newcomerId: $id, consent: $consent, version: $version) { id researchConsent { givenAt version } }
}`;
/** The version of the research information the programme hands out now (staff may name another). */
export const RESEARCH_INFORMATION = 'research-2026-01';
const BASELINE = `mutation Baseline($id: ID!, $input: BaselineInput!) { recordBaseline(newcomerId: $id, input: $input) { id } }`;
export const WORK_STATUSES = ['NONE', 'SEARCHING', 'VOLUNTEERING', 'EDUCATION', 'PART_TIME_WORK', 'FULL_TIME_WORK'];
const BASELINE_FIELDS = ['networkSize', 'workStatus', 'dutchLevel', 'wellbeing'];

/** The baseline at registration (or taken again): the household's network, work, Dutch and
 * well-being, to measure the year against. */
function BaselineForm({ id, baseline, onDone, onCancel }) {
  const [form, setForm] = useState({
    networkSize: baseline ? String(baseline.networkSize) : '',
    workStatus: baseline?.workStatus ?? 'NONE',
    dutchLevel: baseline?.dutchLevel ?? 'A0',
    wellbeing: baseline ? String(baseline.wellbeing) : '3',
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const networkSize = toInt(form.networkSize);
      if (Number.isNaN(networkSize)) throw inputError('networkSize');
      const wellbeing = toInt(form.wellbeing);
      if (Number.isNaN(wellbeing)) throw inputError('wellbeing');
      await gql(BASELINE, { id, input: { networkSize, workStatus: form.workStatus, dutchLevel: form.dutchLevel, wellbeing } });
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const field = (name, extra = {}) => html`<${Field} prefix="baseline" name=${name} label=${t(`baseline.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  return html`<form class="form" id="baseline-form" onSubmit=${submit} novalidate>
    <div class="field-row">
      ${field('networkSize', { inputmode: 'numeric', hint: t('baseline.networkSizeHint') })}
      ${field('workStatus', { kind: 'select', options: WORK_STATUSES.map((w) => [w, t(`work.${w}`)]) })}
      ${field('dutchLevel', { kind: 'select', options: CEFR.map((c) => [c, c]) })}
      ${field('wellbeing', { kind: 'select', options: ['1', '2', '3', '4', '5'].map((v) => [v, v]), hint: t('baseline.wellbeingHint') })}
    </div>
    <${FormError} error=${error} fields=${BASELINE_FIELDS} />
    <div class="actions">
      <button type="submit" class="button" id="baseline-submit" disabled=${busy}>${t('common.save')}</button>
      <button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

const FIELDS = ['name', 'preferredName', 'email', 'phone', 'birthYear', 'gender', 'countryOfOrigin', 'languages', 'dutchLevel',
  'interests', 'sector', 'education', 'goals', 'householdAdults', 'childrenAges', 'arrivalDate', 'neighbourhood', 'needs',
  'shareContactWithGroup', 'consentDate', 'privacyNoticeVersion'];
/** Optional texts: empty means "none" (null when registering, "" clears when editing). */
const OPTIONAL_TEXT = ['email', 'phone', 'sector', 'education', 'neighbourhood', 'needs'];

const nameOf = (n) => (n.erasedAt || n.name === null ? t('common.erased') : n.name);

export function Households({ citySlug, param, go }) {
  if (param === 'new') return html`<${HouseholdCreate} citySlug=${citySlug} go=${go} />`;
  if (param) return html`<${HouseholdPage} id=${param} />`;
  return html`<${HouseholdList} citySlug=${citySlug} />`;
}

function HouseholdList({ citySlug }) {
  const { loading, error, data, status, setStatus, search, setSearch, sort, setSort, pager, needle } =
    useList(gql, LIST, citySlug, 'waiting');
  const connection = data?.newcomers;
  const now = new Date();
  const [key, descending] = { waiting: ['days', true], name: ['name', false], size: ['householdSize', true] }[sort];
  const rows = connection
    ? sortRows(connection.nodes
      .map((n) => ({ ...n, days: n.status === 'WAITING' && n.waitingSince ? daysSince(n.waitingSince, now) : null }))
      .filter((n) => !needle || (n.name ?? '').toLocaleLowerCase().includes(needle)), key, descending)
    : [];
  return html`<${Screen} name="households" title=${t('households.title')} ready=${!loading}>
    <p><a class="button" href="#/households/new" id="new-household">${t('households.new')}</a></p>
    <${ListControls} prefix="households" search=${search} setSearch=${setSearch} status=${status} setStatus=${setStatus}
      statuses=${NEWCOMER_STATUSES.map((s) => [s, t(`newcomerStatus.${s}`)])}
      sort=${sort} setSort=${setSort} sorts=${[['waiting', t('list.sort.waiting')], ['name', t('list.sort.name')], ['size', t('list.sort.size')]]} pager=${pager} />
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${connection && html`
      ${rows.length === 0 ? html`<p class="empty">${t('list.none')}</p>` : html`
        <table class="table" id="households-table">
          <caption class="visually-hidden">${t('households.caption')}</caption>
          <thead><tr><th scope="col">${t('dashboard.col.household')}</th><th scope="col">${t('list.status')}</th><th scope="col" class="number">${t('dashboard.col.persons')}</th><th scope="col" class="number">${t('dashboard.col.waiting')}</th></tr></thead>
          <tbody>
            ${rows.map((n) => html`<tr data-id=${n.id} data-status=${n.status}>
              <th scope="row"><a class="household-name" href=${`#/households/${n.id}`}>${nameOf(n)}</a></th>
              <td>${t(`newcomerStatus.${n.status}`)}</td>
              <td class="number">${n.householdSize === null ? '' : formatNumber(n.householdSize)}</td>
              <td class="number">${n.days === null ? '' : t('dashboard.days', { count: n.days })}</td>
            </tr>`)}
          </tbody>
        </table>`}
      <${Pager} pager=${pager} pageInfo=${connection.pageInfo} shown=${connection.nodes.length} total=${connection.totalCount} idPrefix="households" />`}
  <//>`;
}

function formOf(n) {
  return {
    name: n?.name ?? '',
    preferredName: n?.preferredName ?? '',
    email: n?.email ?? '',
    phone: n?.phone ?? '',
    birthYear: n?.birthYear ? String(n.birthYear) : '',
    gender: n?.gender ?? 'FEMALE',
    countryOfOrigin: n?.countryOfOrigin ?? '',
    languages: (n?.languages ?? []).map((l) => `${l.code}:${l.level}`).join(', '),
    dutchLevel: n?.dutchLevel ?? 'A0',
    interests: (n?.interests ?? []).join(', '),
    sector: n?.sector ?? '',
    education: n?.education ?? '',
    goals: n?.goals ?? [],
    householdAdults: n?.householdAdults ? String(n.householdAdults) : '1',
    childrenAges: (n?.childrenAges ?? []).join(', '),
    arrivalDate: n?.arrivalDate ?? '',
    neighbourhood: n?.neighbourhood ?? '',
    needs: n?.needs ?? '',
    shareContactWithGroup: n?.shareContactWithGroup ?? false,
    consentDate: n?.consentDate ?? '',
    privacyNoticeVersion: n?.privacyNoticeVersion ?? '',
  };
}

/** The form's values as the API's input; a value the console can tell is wrong is named. */
function inputOf(form, creating) {
  const birthYear = toInt(form.birthYear);
  if (Number.isNaN(birthYear)) throw inputError('birthYear');
  const householdAdults = toInt(form.householdAdults);
  if (Number.isNaN(householdAdults)) throw inputError('householdAdults');
  const childrenAges = splitList(form.childrenAges).map(toInt);
  if (childrenAges.some(Number.isNaN)) throw inputError('childrenAges');
  const languages = splitList(form.languages).map((part) => {
    const [code, level = 'NATIVE'] = part.split(':').map((s) => s.trim());
    const upper = level.toUpperCase();
    if (!LEVELS.includes(upper)) throw inputError('languages');
    return { code: code.toLowerCase(), level: upper };
  });
  const input = {
    name: form.name.trim(),
    birthYear,
    gender: form.gender,
    countryOfOrigin: form.countryOfOrigin.trim().toUpperCase(),
    languages,
    dutchLevel: form.dutchLevel,
    interests: splitList(form.interests).map((s) => s.toLowerCase()),
    goals: form.goals,
    householdAdults,
    childrenAges,
    arrivalDate: form.arrivalDate || null,
    shareContactWithGroup: form.shareContactWithGroup,
    consentDate: form.consentDate || null,
    privacyNoticeVersion: form.privacyNoticeVersion.trim() || null,
  };
  if (form.preferredName.trim()) input.preferredName = form.preferredName.trim();
  for (const name of OPTIONAL_TEXT) {
    const value = form[name].trim();
    input[name] = creating ? value || null : value;
  }
  return input;
}

function HouseholdForm({ prefix, initial, creating, submitLabel, onSubmit, onCancel, onReload }) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const value = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(inputOf(form, creating));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const field = (name, extra = {}) => html`<${Field} prefix=${prefix} name=${name} label=${t(`household.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  const toggleGoal = (goal) => (e) => {
    const on = e.currentTarget.checked;
    setForm((f) => ({ ...f, goals: on ? [...f.goals, goal] : f.goals.filter((g) => g !== goal) }));
  };
  return html`<form class="form" id=${`${prefix}-form`} onSubmit=${submit} novalidate>
    <div class="field-row">
      ${field('name')}
      ${field('preferredName', { hint: t('household.preferredNameHint') })}
      ${field('email', { type: 'email' })}
      ${field('phone', { type: 'tel' })}
    </div>
    <div class="field-row">
      ${field('birthYear', { inputmode: 'numeric' })}
      ${field('gender', { kind: 'select', options: GENDERS.map((g) => [g, t(`gender.${g}`)]) })}
      ${field('countryOfOrigin', { hint: t('household.countryHint') })}
      ${field('arrivalDate', { type: 'date' })}
    </div>
    <div class="field-row">
      ${field('languages', { hint: t('household.languagesHint') })}
      ${field('dutchLevel', { kind: 'select', options: CEFR.map((l) => [l, l]) })}
      ${field('householdAdults', { inputmode: 'numeric' })}
      ${field('childrenAges', { hint: t('household.childrenHint') })}
    </div>
    <fieldset class="field" aria-describedby=${error && error.field === 'goals' ? `${prefix}-goals-error` : undefined}>
      <legend class="label">${t('household.goals')}</legend>
      <div class="checks">
        ${GOALS.map((g) => html`<label class="check"><input type="checkbox" id=${`${prefix}-goal-${g}`} checked=${form.goals.includes(g)} onChange=${toggleGoal(g)} /> ${t(`goal.${g}`)}</label>`)}
      </div>
      ${error && error.field === 'goals' && html`<p class="error-message" id=${`${prefix}-goals-error`}>${t('error.BAD_USER_INPUT')} ${error.message}</p>`}
    </fieldset>
    <div class="field-row">
      ${field('interests', { hint: t('form.listHint') })}
      ${field('sector')}
      ${field('education')}
      ${field('neighbourhood')}
    </div>
    ${field('needs', { kind: 'textarea' })}
    <div class="field-row">
      ${field('consentDate', { type: 'date' })}
      ${field('privacyNoticeVersion')}
    </div>
    ${field('shareContactWithGroup', { type: 'checkbox' })}
    <${FormError} error=${error} fields=${FIELDS} onReload=${onReload} />
    <div class="actions">
      <button type="submit" class="button" id=${`${prefix}-submit`} disabled=${busy}>${submitLabel}</button>
      ${onCancel && html`<button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>`}
    </div>
  </form>`;
}

function HouseholdCreate({ citySlug, go }) {
  const create = async (input) => {
    const { registerNewcomer } = await gql(REGISTER, { input: { ...input, citySlug } });
    go(`households/${registerNewcomer.id}`);
  };
  return html`<${Screen} name="household-new" title=${t('households.new')} ready=${true}>
    <p><a href="#/households">${t('households.back')}</a></p>
    <section class="panel"><${HouseholdForm} prefix="household-new" initial=${formOf(null)} creating=${true} submitLabel=${t('households.register')} onSubmit=${create} /></section>
  <//>`;
}

/** The report as a file: a data: URL on an <a download>, which the policy does not restrict
 * (no directive governs a download; nothing is fetched or navigated to). */
function reportHref(report) {
  return `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(report, null, 2))}`;
}

function HouseholdPage({ id }) {
  const { loading, error, data, reload } = useLoad(() => gql(ONE, { id }), [id]);
  const [message, setMessage] = useState('');
  const [mode, setMode] = useState(null); // 'edit' | 'withdraw' | 'report' | 'erase' | 'consent' | 'withdraw-consent'
  const [busy, setBusy] = useState(false);
  const [consentVersion, setConsentVersion] = useState(RESEARCH_INFORMATION);
  const [actionError, setActionError] = useState(null);
  const [reason, setReason] = useState('');
  const [report, setReport] = useState(null);
  const n = data?.newcomer;
  const open = (next) => {
    setMode(next);
    setActionError(null);
    setMessage('');
  };
  const done = (text) => {
    setMode(null);
    setBusy(false);
    setMessage(text);
    reload();
  };
  const act = async (operation, text) => {
    setBusy(true);
    setActionError(null);
    try {
      await operation();
      done(text);
    } catch (e) {
      setActionError(e);
      setBusy(false);
    }
  };
  const fetchReport = async () => {
    setBusy(true);
    setActionError(null);
    try {
      const answer = await gql(REPORT, { id });
      setReport(reportHref(answer.personalDataReport));
      setMode(null);
      setMessage(t('households.reportReady'));
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  const name = n ? nameOf(n) : '';
  const languages = n?.languages ? n.languages.map((l) => `${l.code} (${t(`level.${l.level}`)})`).join(', ') : '';
  return html`<${Screen} name="household-detail" title=${n ? name : t('households.household')} ready=${!loading || data !== null}>
    <p><a href="#/households">${t('households.back')}</a></p>
    <p role="status" class="status" aria-live="polite" id="household-status">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && !n && html`<p>${t('error.NOT_FOUND')}</p>`}
    ${n && html`
      <section class="panel" aria-labelledby="household-facts-title">
        <h2 id="household-facts-title">${t('households.record')}</h2>
        <${Facts} id="household-facts" rows=${[
          [t('list.status'), html`<span id="household-state" data-status=${n.status}>${t(`newcomerStatus.${n.status}`)}</span>`],
          [t('household.statusReason'), n.statusReason],
          [t('household.erasedAt'), n.erasedAt ? formatMoment(n.erasedAt) : null],
          [t('household.preferredName'), n.preferredName],
          [t('household.email'), n.email],
          [t('household.phone'), n.phone],
          [t('household.birthYear'), n.birthYear],
          [t('household.gender'), n.gender ? t(`gender.${n.gender}`) : null],
          [t('household.countryOfOrigin'), n.countryOfOrigin],
          [t('household.languages'), languages],
          [t('household.dutchLevel'), n.dutchLevel],
          [t('household.size'), n.householdSize === null ? null : t('household.sizeText', { count: n.householdSize, adults: n.householdAdults, children: (n.childrenAges ?? []).join(', ') || '—' })],
          [t('household.goals'), (n.goals ?? []).map((g) => t(`goal.${g}`)).join(', ')],
          [t('household.interests'), (n.interests ?? []).join(', ')],
          [t('household.sector'), n.sector],
          [t('household.education'), n.education],
          [t('household.arrivalDate'), n.arrivalDate ? formatDay(n.arrivalDate) : null],
          [t('household.neighbourhood'), n.neighbourhood],
          [t('household.needs'), n.needs],
          [t('household.shareContactWithGroup'), n.shareContactWithGroup ? t('common.yes') : t('common.no')],
          [t('household.consentDate'), n.consentDate ? formatDay(n.consentDate) : null],
          [t('household.researchConsent'), html`<span id="household-research-consent" data-given=${n.researchConsent ? 'true' : 'false'}>${n.researchConsent
            ? t('household.researchConsentGiven', { date: formatMoment(n.researchConsent.givenAt), version: n.researchConsent.version })
            : t('household.researchConsentNone')}</span>`],
          [t('household.waitingSince'), n.status === 'WAITING' && n.waitingSince ? formatMoment(n.waitingSince) : null],
          [t('household.lastConfirmedAt'), n.status === 'WAITING' && n.lastConfirmedAt ? formatMoment(n.lastConfirmedAt) : null],
          [t('household.baseline'), n.baseline ? t('household.baselineText', {
            date: formatDay(n.baseline.recordedOn), network: n.baseline.networkSize, work: t(`work.${n.baseline.workStatus}`),
            dutch: n.baseline.dutchLevel, wellbeing: n.baseline.wellbeing,
          }) : t('household.noBaseline')],
        ]} />
        ${n.currentMatch && html`<p><a href=${`#/match/${n.currentMatch.id}`}>${t('households.openMatch', { group: n.currentMatch.group.name })}</a></p>`}
        ${mode === null && html`<div class="actions">
          ${!n.erasedAt && html`<button type="button" class="button secondary" id="edit-household" onClick=${() => open('edit')}>${t('households.edit')}</button>`}
          ${n.status === 'WAITING' && html`<button type="button" class="button secondary" id="confirm-waiting" disabled=${busy} onClick=${() => act(() => gql(CONFIRM, { id }), t('households.confirmed'))}>${t('dashboard.reconfirm.action')}</button>`}
          ${!n.erasedAt && html`<button type="button" class="button secondary" id="baseline-household" onClick=${() => open('baseline')}>${t(n.baseline ? 'households.baselineAgain' : 'households.baselineRecord')}</button>`}
          ${n.status === 'WAITING' && html`<button type="button" class="button secondary" id="withdraw-household" onClick=${() => open('withdraw')}>${t('households.withdraw')}</button>`}
          ${!n.erasedAt && !n.researchConsent && html`<button type="button" class="button secondary" id="research-consent-household" onClick=${() => open('consent')}>${t('households.researchConsent')}</button>`}
          ${!n.erasedAt && n.researchConsent && html`<button type="button" class="button secondary" id="research-withdraw-household" onClick=${() => open('withdraw-consent')}>${t('households.researchWithdraw')}</button>`}
          <button type="button" class="button secondary" id="report-household" onClick=${() => open('report')}>${t('households.report')}</button>
          ${!n.erasedAt && html`<button type="button" class="button secondary" id="erase-household" onClick=${() => open('erase')}>${t('households.erase')}</button>`}
        </div>`}
        ${report && html`<p><a class="button" id="report-download" href=${report} download=${`personal-data-${n.id}.json`}>${t('households.reportDownload')}</a></p>`}
        ${mode === 'edit' && html`<${HouseholdForm} key=${n.version} prefix="household-edit" initial=${formOf(n)} creating=${false} submitLabel=${t('common.save')}
          onSubmit=${async (input) => { await gql(UPDATE, { id, input: { ...input, expectedVersion: n.version } }); done(t('households.saved')); }}
          onCancel=${() => setMode(null)} onReload=${() => { setMode(null); reload(); }} />`}
        ${mode === null && html`<${ErrorMessage} error=${actionError} id="household-action-error" />`}
        ${mode === 'baseline' && html`<${BaselineForm} id=${id} baseline=${n.baseline} onDone=${() => done(t('households.baselineSaved'))} onCancel=${() => setMode(null)} />`}
        ${mode === 'withdraw' && html`<form class="confirm" onSubmit=${(e) => { e.preventDefault(); act(() => gql(WITHDRAW, { id, reason: reason.trim() }), t('households.withdrawn')); }} novalidate>
          <p>${t('households.withdrawConfirm', { household: name })}</p>
          <${Field} prefix="withdraw" name="reason" label=${t('form.reason')} value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} error=${actionError} kind="textarea" />
          ${actionError && actionError.field !== 'reason' && html`<${ErrorMessage} error=${actionError} />`}
          <div class="actions">
            <button type="submit" class="button" id="confirm-withdraw" disabled=${busy}>${t('households.withdrawSubmit')}</button>
            <button type="button" class="button secondary" onClick=${() => setMode(null)}>${t('common.cancel')}</button>
          </div>
        </form>`}
        ${mode === 'consent' && html`<form class="confirm" id="research-consent-form" onSubmit=${(e) => { e.preventDefault(); act(() => gql(CONSENT, { id, consent: true, version: consentVersion.trim() || null }), t('households.researchConsentSaved')); }} novalidate>
          <p>${t('households.researchConsentExplain', { household: name })}</p>
          <${Field} prefix="research-consent" name="version" label=${t('households.researchConsentVersion')} hint=${t('households.researchConsentVersionHint')}
            value=${consentVersion} onInput=${(e) => setConsentVersion(e.currentTarget.value)} error=${actionError} />
          ${actionError && actionError.field !== 'version' && html`<${ErrorMessage} error=${actionError} />`}
          <div class="actions">
            <button type="submit" class="button" id="confirm-research-consent" disabled=${busy}>${t('households.researchConsentSubmit')}</button>
            <button type="button" class="button secondary" onClick=${() => setMode(null)}>${t('common.cancel')}</button>
          </div>
        </form>`}
        ${mode === 'withdraw-consent' && html`<${Confirm} id="confirm-research-withdraw" busy=${busy} error=${actionError}
          text=${t('households.researchWithdrawConfirm', { household: name })} confirmLabel=${t('households.researchWithdraw')}
          onConfirm=${() => act(() => gql(CONSENT, { id, consent: false, version: null }), t('households.researchWithdrawn'))} onCancel=${() => setMode(null)} />`}
        ${mode === 'report' && html`<${Confirm} id="confirm-report" busy=${busy} error=${actionError}
          text=${t('households.reportConfirm', { household: name })} confirmLabel=${t('households.reportSubmit')}
          onConfirm=${fetchReport} onCancel=${() => setMode(null)} />`}
        ${mode === 'erase' && html`<${Confirm} id="confirm-erase" busy=${busy} error=${actionError}
          text=${t('households.eraseConfirm', { household: name })} confirmLabel=${t('households.eraseSubmit', { household: name })}
          onConfirm=${() => act(() => gql(ERASE, { id }), t('households.erased'))} onCancel=${() => setMode(null)} />`}
      </section>`}
  <//>`;
}
