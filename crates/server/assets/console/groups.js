// Welcome groups (staff): a list with search over the loaded page, a status filter, sorting
// and paging (`welcomeGroups` with `first`/`after`); a group's page with its details and
// members; forms that show each refused value at its field; add, edit and remove a member,
// hand over coordination, mark ready, withdraw with a reason, erase a member's personal data.
// A change made by someone else meanwhile (`expectedVersion`) is said as such, with a reload.

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatDay, formatNumber, dayInAmsterdam } from './i18n.js';
import { lacks } from './dashboard.js';
import { RESEARCH_INFORMATION } from './households.js';
import {
  html, Screen, Loading, ErrorMessage, useLoad, Field, FormError, Confirm, Facts, Pager,
  sortRows, splitList, toInt, inputError, ListControls, useList,
} from './ui.js';

const PAGE_SIZE = 20;
export const GROUP_STATUSES = ['FORMING', 'READY', 'MATCHED', 'COMPLETED', 'WITHDRAWN'];
const LIST = `query GroupList($city: String!, $status: GroupStatus, $after: String) {
  welcomeGroups(citySlug: $city, status: $status, first: ${PAGE_SIZE}, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    nodes { id name neighbourhood status capacity memberCount createdAt }
  }
}`;
const GROUP_FIELDS = `id name neighbourhood status statusReason capacity languages interests availabilityHoursPerMonth
  preferences memberCount allMembersHaveVog version createdAt currentMatch { id status }
  intakeHeldOn preparationAttendedOn cycle missingForReady { code memberIds }
  members { id name email phone birthYear languages interests sector isCoordinator vogReceivedOn erasedAt researchConsent { givenAt version } }`;
const GROUP = `query Group($id: ID!) { welcomeGroup(id: $id) { ${GROUP_FIELDS} } }`;
const CREATE = `mutation CreateGroup($input: CreateWelcomeGroupInput!) { createWelcomeGroup(input: $input) { id } }`;
const UPDATE = `mutation UpdateGroup($id: ID!, $input: UpdateWelcomeGroupInput!) { updateWelcomeGroup(id: $id, input: $input) { id version } }`;
const ADD = `mutation AddMember($id: ID!, $input: GroupMemberInput!) { addGroupMember(groupId: $id, input: $input) { id } }`;
const UPDATE_MEMBER = `mutation UpdateMember($id: ID!, $input: UpdateGroupMemberInput!) { updateGroupMember(id: $id, input: $input) { id } }`;
const REMOVE = `mutation RemoveMember($id: ID!) { removeGroupMember(id: $id) }`;
const ERASE = `mutation EraseMember($id: ID!) { eraseGroupMember(id: $id) }`;
const MEMBER_CONSENT = `mutation MemberResearchConsent($id: ID!, $consent: Boolean!, $version: String) {
  setMemberResearchConsent(memberId: $id, consent: $consent, version: $version) { id }
}`;
const HAND_OVER = `mutation HandOver($id: ID!, $member: ID!) { handOverCoordination(groupId: $id, memberId: $member) { id } }`;
const READY = `mutation Ready($id: ID!) { markGroupReady(id: $id) { id status } }`;
const NEW_CYCLE = `mutation NewCycle($id: ID!) { startNewCycle(groupId: $id) { id status cycle } }`;
const WITHDRAW = `mutation WithdrawGroup($id: ID!, $reason: String!) { withdrawWelcomeGroup(id: $id, reason: $reason) { id status } }`;

const list = (items) => (items && items.length > 0 ? items.join(', ') : '');

export function Groups({ citySlug, param, go }) {
  if (param === 'new') return html`<${GroupCreate} citySlug=${citySlug} go=${go} />`;
  if (param) return html`<${GroupPage} id=${param} />`;
  return html`<${GroupList} citySlug=${citySlug} />`;
}

function GroupList({ citySlug }) {
  const { loading, error, data, status, setStatus, search, setSearch, sort, setSort, pager, needle } =
    useList(gql, LIST, citySlug, 'name');
  const connection = data?.welcomeGroups;
  const [key, descending] = { name: ['name', false], members: ['memberCount', true], newest: ['createdAt', true] }[sort];
  const rows = connection
    ? sortRows(connection.nodes.filter((g) => !needle || `${g.name} ${g.neighbourhood ?? ''}`.toLocaleLowerCase().includes(needle)), key, descending)
    : [];
  return html`<${Screen} name="groups" title=${t('groups.title')} ready=${!loading}>
    <p><a class="button" href="#/groups/new" id="new-group">${t('groups.new')}</a></p>
    <${ListControls} prefix="groups" search=${search} setSearch=${setSearch} status=${status} setStatus=${setStatus}
      statuses=${GROUP_STATUSES.map((s) => [s, t(`groupStatus.${s}`)])}
      sort=${sort} setSort=${setSort} sorts=${[['name', t('list.sort.name')], ['members', t('list.sort.members')], ['newest', t('list.sort.newest')]]} pager=${pager} />
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${connection && html`
      ${rows.length === 0 ? html`<p class="empty">${t('list.none')}</p>` : html`
        <table class="table" id="groups-table">
          <caption class="visually-hidden">${t('groups.caption')}</caption>
          <thead><tr><th scope="col">${t('groups.col.name')}</th><th scope="col">${t('groups.col.neighbourhood')}</th><th scope="col">${t('list.status')}</th><th scope="col" class="number">${t('groups.col.members')}</th><th scope="col" class="number">${t('groups.col.capacity')}</th></tr></thead>
          <tbody>
            ${rows.map((g) => html`<tr data-id=${g.id} data-status=${g.status}>
              <th scope="row"><a class="group-name" href=${`#/groups/${g.id}`}>${g.name}</a></th>
              <td>${g.neighbourhood ?? ''}</td>
              <td>${t(`groupStatus.${g.status}`)}</td>
              <td class="number">${formatNumber(g.memberCount)}</td>
              <td class="number">${formatNumber(g.capacity)}</td>
            </tr>`)}
          </tbody>
        </table>`}
      <${Pager} pager=${pager} pageInfo=${connection.pageInfo} shown=${connection.nodes.length} total=${connection.totalCount} idPrefix="groups" />`}
  <//>`;
}

const GROUP_FORM_FIELDS = ['name', 'neighbourhood', 'capacity', 'languages', 'interests', 'availabilityHoursPerMonth', 'preferences', 'intakeHeldOn', 'preparationAttendedOn'];

function groupFormOf(group) {
  return {
    name: group?.name ?? '',
    neighbourhood: group?.neighbourhood ?? '',
    capacity: group ? String(group.capacity) : '4',
    languages: list(group?.languages ?? ['nl']),
    interests: list(group?.interests ?? []),
    availabilityHoursPerMonth: group?.availabilityHoursPerMonth === null || group?.availabilityHoursPerMonth === undefined ? '' : String(group.availabilityHoursPerMonth),
    preferences: group?.preferences ?? '',
    intakeHeldOn: group?.intakeHeldOn ?? '',
    preparationAttendedOn: group?.preparationAttendedOn ?? '',
  };
}

/** The create and the edit form of a group: the same fields, each error at its field. */
function GroupForm({ prefix, initial, submitLabel, onSubmit, onCancel, onReload }) {
  const [form, setForm] = useState(initial);
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
      const capacity = toInt(form.capacity);
      if (Number.isNaN(capacity)) throw inputError('capacity');
      const hours = form.availabilityHoursPerMonth.trim() === '' ? null : toInt(form.availabilityHoursPerMonth);
      if (Number.isNaN(hours)) throw inputError('availabilityHoursPerMonth');
      await onSubmit({
        name: form.name.trim(),
        neighbourhood: form.neighbourhood.trim(),
        capacity,
        languages: splitList(form.languages).map((l) => l.toLowerCase()),
        interests: splitList(form.interests).map((l) => l.toLowerCase()),
        availabilityHoursPerMonth: hours,
        preferences: form.preferences.trim(),
        intakeHeldOn: form.intakeHeldOn || null,
        preparationAttendedOn: form.preparationAttendedOn || null,
      });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const field = (name, extra = {}) => html`<${Field} prefix=${prefix} name=${name} label=${t(`group.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  return html`<form class="form" id=${`${prefix}-form`} onSubmit=${submit} novalidate>
    ${field('name')}
    <div class="field-row">
      ${field('neighbourhood')}
      ${field('capacity', { inputmode: 'numeric', hint: t('group.capacityHint') })}
      ${field('availabilityHoursPerMonth', { inputmode: 'numeric' })}
    </div>
    ${field('languages', { hint: t('form.codesHint') })}
    ${field('interests', { hint: t('form.listHint') })}
    ${field('preferences', { kind: 'textarea' })}
    <div class="field-row">
      ${field('intakeHeldOn', { type: 'date' })}
      ${field('preparationAttendedOn', { type: 'date' })}
    </div>
    <${FormError} error=${error} fields=${GROUP_FORM_FIELDS} onReload=${onReload} />
    <div class="actions">
      <button type="submit" class="button" id=${`${prefix}-submit`} disabled=${busy}>${submitLabel}</button>
      ${onCancel && html`<button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>`}
    </div>
  </form>`;
}

function GroupCreate({ citySlug, go }) {
  const create = async (input) => {
    const { createWelcomeGroup } = await gql(CREATE, {
      input: { ...input, citySlug, neighbourhood: input.neighbourhood || null, preferences: input.preferences || null },
    });
    go(`groups/${createWelcomeGroup.id}`);
  };
  return html`<${Screen} name="group-new" title=${t('groups.new')} ready=${true}>
    <p><a href="#/groups">${t('groups.back')}</a></p>
    <section class="panel"><${GroupForm} prefix="group-new" initial=${groupFormOf(null)} submitLabel=${t('groups.create')} onSubmit=${create} /></section>
  <//>`;
}

const MEMBER_FIELDS = ['name', 'email', 'phone', 'birthYear', 'languages', 'interests', 'sector', 'vogReceivedOn', 'isCoordinator'];

function memberFormOf(member) {
  return {
    name: member?.name ?? '',
    email: member?.email ?? '',
    phone: member?.phone ?? '',
    birthYear: member ? String(member.birthYear) : '',
    languages: list(member?.languages ?? ['nl']),
    interests: list(member?.interests ?? []),
    sector: member?.sector ?? '',
    vogReceivedOn: member?.vogReceivedOn ?? '',
    isCoordinator: false,
  };
}

/** Adds a member (`member` null) or changes one; the coordinator is chosen only when adding. */
function MemberForm({ prefix, member, withCoordinator, onSubmit, onCancel, onReload, submitLabel }) {
  const [form, setForm] = useState(memberFormOf(member));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const value = name === 'isCoordinator' ? e.currentTarget.checked : e.currentTarget.value;
    setForm((f) => ({ ...f, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const birthYear = toInt(form.birthYear);
      if (Number.isNaN(birthYear)) throw inputError('birthYear');
      await onSubmit({
        name: form.name.trim(),
        email: form.email.trim(),
        phone: form.phone.trim(),
        birthYear,
        languages: splitList(form.languages).map((l) => l.toLowerCase()),
        interests: splitList(form.interests).map((l) => l.toLowerCase()),
        sector: form.sector.trim(),
        vogReceivedOn: form.vogReceivedOn || null,
        isCoordinator: form.isCoordinator,
      });
      if (!member) setForm(memberFormOf(null));
      setBusy(false);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const field = (name, extra = {}) => html`<${Field} prefix=${prefix} name=${name} label=${t(`member.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  return html`<form class="form member-form" id=${`${prefix}-form`} onSubmit=${submit} novalidate>
    <div class="field-row">
      ${field('name')}
      ${field('email', { type: 'email' })}
      ${field('phone', { type: 'tel' })}
      ${field('birthYear', { inputmode: 'numeric' })}
    </div>
    <div class="field-row">
      ${field('languages', { hint: t('form.codesHint') })}
      ${field('interests', { hint: t('form.listHint') })}
      ${field('sector')}
      ${field('vogReceivedOn', { type: 'date' })}
    </div>
    ${withCoordinator && field('isCoordinator', { type: 'checkbox' })}
    <${FormError} error=${error} fields=${MEMBER_FIELDS} onReload=${onReload} />
    <div class="actions">
      <button type="submit" class="button" id=${`${prefix}-submit`} disabled=${busy}>${submitLabel}</button>
      ${onCancel && html`<button type="button" class="button secondary" onClick=${onCancel}>${t('common.cancel')}</button>`}
    </div>
  </form>`;
}

function GroupPage({ id }) {
  const { loading, error, data, reload } = useLoad(() => gql(GROUP, { id }), [id]);
  const [message, setMessage] = useState('');
  const [mode, setMode] = useState(null); // 'edit' | 'withdraw' | ['editMember'|'remove'|'erase'|'handOver', member]
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState(null);
  const [reason, setReason] = useState('');
  const group = data?.welcomeGroup;
  const done = (text) => {
    setMode(null);
    setBusy(false);
    setActionError(null);
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
  const open = (next) => {
    setMode(next);
    setActionError(null);
    setMessage('');
  };
  const reloadNow = () => {
    setMode(null);
    setActionError(null);
    reload();
  };
  const isOpen = group && ['FORMING', 'READY', 'MATCHED'].includes(group.status);
  const memberMode = Array.isArray(mode) ? mode : null;
  return html`<${Screen} name="group-detail" title=${group ? group.name : t('groups.group')} ready=${!loading || data !== null}>
    <p><a href="#/groups">${t('groups.back')}</a></p>
    <p role="status" class="status" aria-live="polite" id="group-status">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && !group && html`<p>${t('error.NOT_FOUND')}</p>`}
    ${group && html`
      <section class="panel" aria-labelledby="group-facts-title">
        <h2 id="group-facts-title">${t('groups.details')}</h2>
        <${Facts} id="group-facts" rows=${[
          [t('list.status'), html`<span id="group-state" data-status=${group.status}>${t(`groupStatus.${group.status}`)}</span>`],
          [t('group.statusReason'), group.statusReason],
          [t('group.neighbourhood'), group.neighbourhood],
          [t('group.capacity'), formatNumber(group.capacity)],
          [t('group.languages'), list(group.languages)],
          [t('group.interests'), list(group.interests)],
          [t('group.availabilityHoursPerMonth'), group.availabilityHoursPerMonth === null ? null : formatNumber(group.availabilityHoursPerMonth)],
          [t('group.preferences'), group.preferences],
          [t('group.vog'), group.allMembersHaveVog ? t('common.yes') : t('common.no')],
          [t('group.intakeHeldOn'), group.intakeHeldOn ? formatDay(group.intakeHeldOn) : null],
          [t('group.preparationAttendedOn'), group.preparationAttendedOn ? formatDay(group.preparationAttendedOn) : null],
          [t('group.cycle'), formatNumber(group.cycle)],
          ...(group.status === 'FORMING' ? [[t('group.missingForReady'), html`<span id="group-missing">${lacks(group)}</span>`]] : []),
          [t('group.registered'), formatDay(dayInAmsterdam(new Date(group.createdAt)))],
        ]} />
        ${group.currentMatch && html`<p><a href=${`#/match/${group.currentMatch.id}`}>${t('groups.openMatch')}</a></p>`}
        ${group.status === 'COMPLETED' && mode === null && html`<div class="actions">
          <button type="button" class="button" id="new-cycle" disabled=${busy} onClick=${() => act(() => gql(NEW_CYCLE, { id }), t('groups.newCycleDone'))}>${t('groups.newCycle')}</button>
        </div>`}
        ${isOpen && mode === null && html`<div class="actions">
          <button type="button" class="button secondary" id="edit-group" onClick=${() => open('edit')}>${t('groups.edit')}</button>
          ${group.status === 'FORMING' && html`<button type="button" class="button" id="mark-ready" disabled=${busy} onClick=${() => act(() => gql(READY, { id }), t('groups.readyDone'))}>${t('groups.markReady')}</button>`}
          ${['FORMING', 'READY'].includes(group.status) && html`<button type="button" class="button secondary" id="withdraw-group" onClick=${() => open('withdraw')}>${t('groups.withdraw')}</button>`}
        </div>`}
        ${mode === null && html`<${ErrorMessage} error=${actionError} id="group-action-error" />`}
        ${mode === 'edit' && html`<${GroupForm} key=${group.version} prefix="group-edit" initial=${groupFormOf(group)} submitLabel=${t('common.save')}
          onSubmit=${async (input) => { await gql(UPDATE, { id, input: { ...input, expectedVersion: group.version } }); done(t('groups.saved')); }}
          onCancel=${() => setMode(null)} onReload=${reloadNow} />`}
        ${mode === 'withdraw' && html`<form class="confirm" onSubmit=${(e) => { e.preventDefault(); act(() => gql(WITHDRAW, { id, reason: reason.trim() }), t('groups.withdrawn')); }} novalidate>
          <p id="withdraw-text">${t('groups.withdrawConfirm', { group: group.name })}</p>
          <${Field} prefix="withdraw" name="reason" label=${t('form.reason')} value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} error=${actionError} kind="textarea" />
          ${actionError && actionError.field !== 'reason' && html`<${ErrorMessage} error=${actionError} />`}
          <div class="actions">
            <button type="submit" class="button" id="confirm-withdraw" disabled=${busy}>${t('groups.withdrawSubmit')}</button>
            <button type="button" class="button secondary" onClick=${() => setMode(null)}>${t('common.cancel')}</button>
          </div>
        </form>`}
      </section>

      <section class="panel" aria-labelledby="group-members-title">
        <h2 id="group-members-title">${t('year.members', { count: group.memberCount })}</h2>
        ${group.members.length === 0 ? html`<p class="empty">${t('groups.noMembers')}</p>` : html`
          <table class="table" id="members-table">
            <thead><tr><th scope="col">${t('member.name')}</th><th scope="col">${t('member.email')}</th><th scope="col">${t('member.birthYear')}</th><th scope="col">${t('member.vogReceivedOn')}</th><th scope="col">${t('member.researchConsent')}</th><th scope="col">${t('groups.col.actions')}</th></tr></thead>
            <tbody>
              ${group.members.map((m) => html`<tr data-member=${m.id} class=${m.isCoordinator ? 'coordinator' : ''}>
                <th scope="row"><span class="member-name">${m.erasedAt ? t('common.erased') : m.name}</span>${m.isCoordinator ? html` <span class="tag">${t('year.coordinator')}</span>` : ''}</th>
                <td>${m.email ?? ''}</td>
                <td>${m.erasedAt ? '' : m.birthYear}</td>
                <td>${m.vogReceivedOn ? formatDay(m.vogReceivedOn) : t('groups.noVog')}</td>
                <td class="member-research" data-given=${m.researchConsent ? 'true' : 'false'}>${m.researchConsent ? t('member.researchConsentGiven', { version: m.researchConsent.version }) : t('member.researchConsentNone')}</td>
                <td>${isOpen && !m.erasedAt && html`<div class="actions compact">
                  <button type="button" class="button secondary small member-research-consent" aria-label=${t('member.actionFor', { action: t(m.researchConsent ? 'member.researchWithdraw' : 'member.researchGive'), name: m.name })} onClick=${() => open(['researchConsent', m])}>${t(m.researchConsent ? 'member.researchWithdraw' : 'member.researchGive')}</button>
                  <button type="button" class="button secondary small member-edit" aria-label=${t('member.actionFor', { action: t('member.edit'), name: m.name })} onClick=${() => open(['editMember', m])}>${t('member.edit')}</button>
                  ${!m.isCoordinator && html`<button type="button" class="button secondary small member-handover" aria-label=${t('member.actionFor', { action: t('member.handOver'), name: m.name })} onClick=${() => open(['handOver', m])}>${t('member.handOver')}</button>`}
                  <button type="button" class="button secondary small member-remove" aria-label=${t('member.actionFor', { action: t('member.remove'), name: m.name })} onClick=${() => open(['remove', m])}>${t('member.remove')}</button>
                  <button type="button" class="button secondary small member-erase" aria-label=${t('member.actionFor', { action: t('member.erase'), name: m.name })} onClick=${() => open(['erase', m])}>${t('member.erase')}</button>
                </div>`}</td>
              </tr>`)}
            </tbody>
          </table>`}
        ${memberMode && memberMode[0] === 'editMember' && html`<div class="panel inner" aria-labelledby="member-edit-title">
          <h3 id="member-edit-title">${t('member.editTitle', { name: memberMode[1].name })}</h3>
          <${MemberForm} key=${memberMode[1].id} prefix="member-edit" member=${memberMode[1]} submitLabel=${t('common.save')}
            onSubmit=${async (input) => {
              const { isCoordinator, ...rest } = input;
              await gql(UPDATE_MEMBER, { id: memberMode[1].id, input: { ...rest, vogReceivedOn: rest.vogReceivedOn, expectedVersion: group.version } });
              done(t('member.saved', { name: input.name }));
            }}
            onCancel=${() => setMode(null)} onReload=${reloadNow} />
        </div>`}
        ${memberMode && memberMode[0] === 'handOver' && html`<${Confirm} id="confirm-handover" busy=${busy} error=${actionError}
          text=${t('member.handOverConfirm', { name: memberMode[1].name, group: group.name })} confirmLabel=${t('member.handOverSubmit', { name: memberMode[1].name })}
          onConfirm=${() => act(() => gql(HAND_OVER, { id, member: memberMode[1].id }), t('member.handedOver', { name: memberMode[1].name }))} onCancel=${() => setMode(null)} />`}
        ${memberMode && memberMode[0] === 'remove' && html`<${Confirm} id="confirm-remove" busy=${busy} error=${actionError}
          text=${t('member.removeConfirm', { name: memberMode[1].name, group: group.name })} confirmLabel=${t('member.removeSubmit', { name: memberMode[1].name })}
          onConfirm=${() => act(() => gql(REMOVE, { id: memberMode[1].id }), t('member.removed', { name: memberMode[1].name }))} onCancel=${() => setMode(null)} />`}
        ${memberMode && memberMode[0] === 'researchConsent' && html`<${Confirm} id="confirm-member-research" busy=${busy} error=${actionError}
          text=${t(memberMode[1].researchConsent ? 'member.researchWithdrawConfirm' : 'member.researchGiveConfirm', { name: memberMode[1].name, version: RESEARCH_INFORMATION })}
          confirmLabel=${t(memberMode[1].researchConsent ? 'member.researchWithdraw' : 'member.researchGive')}
          onConfirm=${() => act(() => gql(MEMBER_CONSENT, { id: memberMode[1].id, consent: !memberMode[1].researchConsent, version: memberMode[1].researchConsent ? null : RESEARCH_INFORMATION }),
            t(memberMode[1].researchConsent ? 'member.researchWithdrawn' : 'member.researchGiven', { name: memberMode[1].name }))} onCancel=${() => setMode(null)} />`}
        ${memberMode && memberMode[0] === 'erase' && html`<${Confirm} id="confirm-erase-member" busy=${busy} error=${actionError}
          text=${t('member.eraseConfirm', { name: memberMode[1].name })} confirmLabel=${t('member.eraseSubmit', { name: memberMode[1].name })}
          onConfirm=${() => act(() => gql(ERASE, { id: memberMode[1].id }), t('member.erased'))} onCancel=${() => setMode(null)} />`}
      </section>

      ${isOpen && html`<section class="panel" aria-labelledby="add-member-title">
        <h2 id="add-member-title">${t('member.add')}</h2>
        <${MemberForm} prefix="member-add" member=${null} withCoordinator=${true} submitLabel=${t('member.addSubmit')}
          onSubmit=${async (input) => {
            await gql(ADD, { id, input: { ...input, phone: input.phone || null, sector: input.sector || null } });
            done(t('member.added', { name: input.name }));
          }} />
      </section>`}`}
  <//>`;
}
