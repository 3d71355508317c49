// Accounts: the invitation page (#/invitation/TOKEN: choose a password, then signed in) and
// the users screen for ADMIN and CITY_ADMIN (list, invite, disable and enable, change the
// role, send a password link). A link for another person is shown to hand over, never sent
// by the console.

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatMoment } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, allPages, Field, FormError, Confirm } from './ui.js';

const ACCEPT = `mutation Accept($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token }
}`;
const USER = `id email role city { slug name } group { id name } disabledAt lastSignInAt invitationPending createdAt`;
const USERS = `query Users($city: String, $after: String) {
  users(citySlug: $city, first: 100, after: $after) { pageInfo { hasNextPage endCursor } totalCount nodes { ${USER} } }
}`;
const GROUPS = `query Groups($city: String!, $after: String) {
  welcomeGroups(citySlug: $city, first: 100, after: $after) { pageInfo { hasNextPage endCursor } totalCount nodes { id name } }
}`;
const INVITE = `mutation Invite($input: InviteUserInput!) { inviteUser(input: $input) { path expiresAt user { id email } } }`;
const RESET = `mutation Reset($id: ID!) { sendPasswordReset(userId: $id) { path expiresAt user { id email } } }`;
const DISABLE = `mutation Disable($id: ID!) { disableUser(id: $id) { id disabledAt } }`;
const ENABLE = `mutation Enable($id: ID!) { enableUser(id: $id) { id disabledAt } }`;
const CHANGE = `mutation Change($id: ID!, $role: Role!, $city: String, $group: ID) {
  changeUserRole(id: $id, role: $role, citySlug: $city, groupId: $group) { id role }
}`;

/** The roles each role may give (README's role table): a city's administrator not ADMIN or ANALYST. */
function rolesFor(role) {
  return role === 'ADMIN' ? ['CITY_ADMIN', 'COORDINATOR', 'PARTNER', 'ANALYST', 'ADMIN'] : ['CITY_ADMIN', 'COORDINATOR', 'PARTNER'];
}
const CITYLESS = ['ADMIN', 'ANALYST'];

export function Invitation({ token, onSignedIn }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    if (password !== repeat) {
      setError({ code: 'MISMATCH', field: 'repeat', message: '' });
      return;
    }
    setBusy(true);
    try {
      const data = await gql(ACCEPT, { token: token ?? '', password });
      // The link is used: it leaves the address bar and the history.
      window.history.replaceState(null, '', '#/signin');
      await onSignedIn(data.acceptInvitation.token);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<${Screen} name="invitation" title=${t('invitation.title')} ready=${true}>
    <p>${t('invitation.intro')}</p>
    <form class="form narrow" onSubmit=${submit} novalidate>
      <${Field} prefix="invitation" name="password" type="password" label=${t('invitation.password')} hint=${t('invitation.passwordHint')}
        value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} error=${error} />
      <${Field} prefix="invitation" name="repeat" type="password" label=${t('invitation.repeat')}
        value=${repeat} onInput=${(e) => setRepeat(e.currentTarget.value)} error=${error} />
      ${error && error.field === 'token' ? html`<p class="error-message" role="alert" id="invitation-token-error">${t('invitation.badLink')}</p>` : html`<${FormError} error=${error} fields=${['password', 'repeat']} />`}
      <button type="submit" class="button" id="invitation-submit" disabled=${busy}>${t('invitation.submit')}</button>
    </form>
  <//>`;
}

/** A link for someone else: the full address, to copy and hand over. */
function LinkToHandOver({ link, text }) {
  const address = `${window.location.origin}${link.path}`;
  return html`<div class="notice handover" role="status">
    <p>${text}</p>
    <label for="handover-link">${t('users.link', { date: formatMoment(link.expiresAt) })}</label>
    <input id="handover-link" type="text" readonly value=${address} onFocus=${(e) => e.currentTarget.select()} />
  </div>`;
}

function Invite({ user, citySlug, groups, onInvited }) {
  const roles = rolesFor(user.role);
  const [form, setForm] = useState({ email: '', role: 'COORDINATOR', groupId: groups[0]?.id ?? '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input = {
        email: form.email.trim(),
        role: form.role,
        citySlug: CITYLESS.includes(form.role) ? null : citySlug,
        groupId: form.role === 'COORDINATOR' ? form.groupId || null : null,
      };
      const data = await gql(INVITE, { input });
      setForm({ ...form, email: '' });
      onInvited(data.inviteUser);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const field = (name, props) => html`<${Field} prefix="invite" name=${name} label=${t(`users.${name}`)} value=${form[name]} onInput=${set(name)} error=${error} ...${props} />`;
  return html`<form class="form" id="invite-form" onSubmit=${submit} novalidate>
    <h2>${t('users.invite')}</h2>
    <div class="field-row">
      ${field('email', { type: 'email' })}
      ${field('role', { kind: 'select', options: roles.map((r) => [r, t(`role.${r}`)]) })}
      ${form.role === 'COORDINATOR' && field('groupId', { kind: 'select', options: [['', t('users.noGroup')], ...groups.map((g) => [g.id, g.name])] })}
    </div>
    <${FormError} error=${error} fields=${['email', 'role', 'groupId']} />
    <button type="submit" class="button" id="invite-submit" disabled=${busy}>${t('users.inviteSubmit')}</button>
  </form>`;
}

function ChangeRole({ me, account, citySlug, groups, onDone, onCancel }) {
  const [role, setRole] = useState(account.role);
  const [groupId, setGroupId] = useState(account.group?.id ?? groups[0]?.id ?? '');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql(CHANGE, { id: account.id, role, city: CITYLESS.includes(role) ? null : (account.city?.slug ?? citySlug), group: role === 'COORDINATOR' ? groupId || null : null });
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<form class="form inline-form" id="role-form" onSubmit=${submit} novalidate>
    <div class="field-row">
      <${Field} prefix="role" name="role" label=${t('users.newRole', { email: account.email })} kind="select" value=${role}
        options=${rolesFor(me.role).map((r) => [r, t(`role.${r}`)])} onInput=${(e) => setRole(e.currentTarget.value)} error=${error} />
      ${role === 'COORDINATOR' && html`<${Field} prefix="role" name="groupId" label=${t('users.groupId')} kind="select" value=${groupId}
        options=${[['', t('users.noGroup')], ...groups.map((g) => [g.id, g.name])]} onInput=${(e) => setGroupId(e.currentTarget.value)} error=${error} />`}
    </div>
    <${FormError} error=${error} fields=${['role', 'groupId']} />
    <div class="actions">
      <button type="submit" class="button small" id="role-submit" disabled=${busy}>${t('users.changeRoleSubmit')}</button>
      <button type="button" class="button secondary small" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

function stateOf(u) {
  if (u.disabledAt) return t('users.state.disabled', { date: formatMoment(u.disabledAt) });
  if (u.invitationPending) return t('users.state.invited');
  return u.lastSignInAt ? t('users.state.lastSignIn', { date: formatMoment(u.lastSignInAt) }) : t('users.state.never');
}

export function Users({ user, citySlug }) {
  const { loading, error, data, reload } = useLoad(async () => {
    const [users, groups] = await Promise.all([
      allPages(async (after) => (await gql(USERS, { city: citySlug, after })).users),
      citySlug ? allPages(async (after) => (await gql(GROUPS, { city: citySlug, after })).welcomeGroups) : Promise.resolve({ nodes: [] }),
    ]);
    return { users: users.nodes, groups: groups.nodes };
  }, [citySlug]);
  const [message, setMessage] = useState('');
  const [link, setLink] = useState(null);
  const [changing, setChanging] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [busy, setBusy] = useState(false);
  const act = async (query, account, text, handOver) => {
    setBusy(true);
    setActionError(null);
    try {
      const answer = await gql(query, { id: account.id });
      setConfirming(null);
      if (handOver) setLink({ link: answer.sendPasswordReset, text });
      else {
        setLink(null);
        setMessage(text);
      }
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Screen} name="users" title=${t('users.title')} ready=${!loading || data !== null}>
    <p role="status" class="status" aria-live="polite" id="users-status">${message}</p>
    ${link && html`<${LinkToHandOver} link=${link.link} text=${link.text} />`}
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    <${ErrorMessage} error=${actionError} />
    ${data && html`
      <section class="panel">
        <${Invite} user=${user} citySlug=${citySlug} groups=${data.groups}
          onInvited=${(invited) => { setMessage(''); setLink({ link: invited, text: t('users.invited', { email: invited.user.email }) }); reload(); }} />
      </section>
      <section class="panel" aria-labelledby="users-list-title">
        <h2 id="users-list-title">${t('users.list', { count: data.users.length })}</h2>
        ${confirming && html`<${Confirm} id="confirm-user" text=${t(`users.confirm.${confirming.kind}`, { email: confirming.account.email })}
          confirmLabel=${t(`users.${confirming.kind}`)} busy=${busy} error=${actionError}
          onConfirm=${() => (confirming.kind === 'disable'
            ? act(DISABLE, confirming.account, t('users.disabled', { email: confirming.account.email }))
            : act(RESET, confirming.account, t('users.resetSent', { email: confirming.account.email }), true))}
          onCancel=${() => setConfirming(null)} />`}
        ${changing && html`<${ChangeRole} me=${user} account=${changing} citySlug=${citySlug} groups=${data.groups}
          onDone=${() => { setMessage(t('users.roleChanged', { email: changing.email })); setChanging(null); reload(); }} onCancel=${() => setChanging(null)} />`}
        <table class="table" id="users-table">
          <thead><tr><th scope="col">${t('users.email')}</th><th scope="col">${t('users.role')}</th><th scope="col">${t('users.groupId')}</th><th scope="col">${t('users.state')}</th><th scope="col">${t('users.actions')}</th></tr></thead>
          <tbody>
            ${data.users.map((u) => html`<tr data-user=${u.id} data-email=${u.email} data-disabled=${u.disabledAt ? 'true' : undefined}>
              <th scope="row" class="user-email">${u.email}</th>
              <td class="user-role">${t(`role.${u.role}`)}${u.city ? ` (${u.city.name})` : ''}</td>
              <td>${u.group?.name ?? '—'}</td>
              <td class="user-state">${stateOf(u)}</td>
              <td><div class="actions">${u.id !== user.id && html`
                ${u.disabledAt
                  ? html`<button type="button" class="button secondary small user-enable" disabled=${busy} aria-label=${t('users.enableOne', { email: u.email })}
                      onClick=${() => act(ENABLE, u, t('users.enabled', { email: u.email }))}>${t('users.enable')}</button>`
                  : html`<button type="button" class="button secondary small user-disable" aria-label=${t('users.disableOne', { email: u.email })}
                      onClick=${() => { setChanging(null); setConfirming({ kind: 'disable', account: u }); }}>${t('users.disable')}</button>`}
                <button type="button" class="button secondary small user-reset" aria-label=${t('users.resetOne', { email: u.email })}
                  onClick=${() => { setChanging(null); setConfirming({ kind: 'reset', account: u }); }}>${t('users.reset')}</button>
                <button type="button" class="button secondary small user-role-change" aria-label=${t('users.changeRoleOne', { email: u.email })}
                  onClick=${() => { setConfirming(null); setChanging(u); }}>${t('users.changeRole')}</button>`}
              </div></td>
            </tr>`)}
          </tbody>
        </table>
      </section>`}
  <//>`;
}
