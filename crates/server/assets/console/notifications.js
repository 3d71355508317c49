// Notifications: every person's own choices (#/settings: the language of their e-mails, and
// per kind their role receives: at once, in the daily digest, or not), and for ADMIN the
// webhook endpoints of partner apps (#/webhooks: register with the secret shown once, pause,
// remove, and the deliveries with their attempts, each can be sent again).

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t, formatMoment } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, Field, FormError, Confirm } from './ui.js';

const SETTINGS = `query MySettings { myNotificationSettings { language preferences { kind delivery } } }`;
const UPDATE = `mutation UpdateSettings($input: NotificationSettingsInput!) {
  updateMyNotificationSettings(input: $input) { language preferences { kind delivery } }
}`;
const MODES = ['IMMEDIATE', 'DIGEST', 'OFF'];
const KINDS = [
  'MATCHES_PROPOSED', 'MATCH_ACCEPTED', 'MATCH_REJECTED', 'MATCH_ENDED', 'MATCH_COMPLETED',
  'CHECK_IN_DUE', 'CHECK_IN_OVERDUE', 'MATCH_DUE_FOR_COMPLETION', 'RECONFIRMATION_DUE', 'SCRIPT_PUBLISHED',
];

export function NotificationSettings() {
  const { loading, error, data, reload } = useLoad(async () => (await gql(SETTINGS)).myNotificationSettings, []);
  const [form, setForm] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const current = form ?? (data && { language: data.language, modes: Object.fromEntries(data.preferences.map((p) => [p.kind, p.delivery])) });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setSaveError(null);
    setMessage('');
    try {
      const preferences = Object.entries(current.modes).map(([kind, delivery]) => ({ kind, delivery }));
      await gql(UPDATE, { input: { language: current.language, preferences } });
      setForm(null);
      setMessage(t('settings.saved'));
      reload();
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };
  const setMode = (kind, mode) => setForm({ ...current, modes: { ...current.modes, [kind]: mode } });
  return html`<${Screen} name="settings" title=${t('settings.title')} ready=${!loading || data !== null}>
    <p>${t('settings.intro')}</p>
    <p role="status" class="status" aria-live="polite" id="settings-status">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${current && html`<form class="form" id="settings-form" onSubmit=${submit} novalidate>
      <${Field} prefix="settings" name="language" label=${t('settings.language')} kind="select" value=${current.language}
        options=${[['nl', 'Nederlands'], ['en', 'English']]} onInput=${(e) => setForm({ ...current, language: e.currentTarget.value })} error=${saveError} />
      ${data.preferences.length === 0
        ? html`<p id="settings-none">${t('settings.none')}</p>`
        : html`<table class="table" id="settings-table">
          <caption>${t('settings.kinds')}</caption>
          <thead><tr><th scope="col">${t('settings.kind')}</th>${MODES.map((m) => html`<th scope="col">${t(`settings.mode.${m}`)}</th>`)}</tr></thead>
          <tbody>
            ${data.preferences.map((p) => html`<tr data-kind=${p.kind}>
              <th scope="row">${t(`kind.${p.kind}`)}</th>
              ${MODES.map((m) => html`<td><input type="radio" name=${`mode-${p.kind}`} value=${m} id=${`mode-${p.kind}-${m}`}
                aria-label=${`${t(`kind.${p.kind}`)}: ${t(`settings.mode.${m}`)}`}
                checked=${current.modes[p.kind] === m} onChange=${() => setMode(p.kind, m)} /></td>`)}
            </tr>`)}
          </tbody>
        </table>`}
      <${FormError} error=${saveError} fields=${['language']} />
      <button type="submit" class="button" id="settings-submit" disabled=${busy}>${t('common.save')}</button>
    </form>`}
  <//>`;
}

const ENDPOINT = `id url kinds citySlug active createdAt`;
const ENDPOINTS = `query Endpoints { webhookEndpoints { ${ENDPOINT} } cities { slug name } }`;
const DELIVERIES = `query Deliveries($endpoint: ID, $status: DeliveryStatus) {
  webhookDeliveries(endpointId: $endpoint, status: $status, first: 50) {
    totalCount nodes { id eventId endpointId kind status attempts lastStatusCode lastError lastAttemptAt nextAttemptAt sentAt createdAt }
  }
}`;
const CREATE = `mutation CreateEndpoint($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT} } } }`;
const PAUSE = `mutation PauseEndpoint($id: ID!, $active: Boolean!) { updateWebhookEndpoint(id: $id, input: { active: $active }) { ${ENDPOINT} } }`;
const DELETE = `mutation DeleteEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }`;
const REDELIVER = `mutation Redeliver($id: ID!) { redeliverWebhook(id: $id) { id status } }`;

function CreateEndpoint({ cities, onCreated }) {
  const [form, setForm] = useState({ url: '', city: '', kinds: ['MATCH_ACCEPTED'] });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const toggle = (kind) => setForm({ ...form, kinds: form.kinds.includes(kind) ? form.kinds.filter((k) => k !== kind) : [...form.kinds, kind] });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await gql(CREATE, { input: { url: form.url.trim(), kinds: KINDS.filter((k) => form.kinds.includes(k)), citySlug: form.city || null } });
      setForm({ url: '', city: '', kinds: ['MATCH_ACCEPTED'] });
      onCreated(data.createWebhookEndpoint);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const kindsError = error && error.field === 'kinds';
  return html`<form class="form" id="webhook-form" onSubmit=${submit} novalidate>
    <h2>${t('webhooks.add')}</h2>
    <div class="field-row">
      <${Field} prefix="webhook" name="url" type="url" label=${t('webhooks.url')} hint=${t('webhooks.urlHint')} value=${form.url}
        onInput=${(e) => setForm({ ...form, url: e.currentTarget.value })} error=${error} />
      <${Field} prefix="webhook" name="city" label=${t('webhooks.city')} kind="select" value=${form.city}
        options=${[['', t('webhooks.allCities')], ...cities.map((c) => [c.slug, c.name])]} onInput=${(e) => setForm({ ...form, city: e.currentTarget.value })} error=${error} />
    </div>
    <fieldset class="checkboxes" id="webhook-kinds" aria-invalid=${kindsError ? 'true' : undefined}>
      <legend>${t('webhooks.kinds')}</legend>
      ${KINDS.map((k) => html`<label><input type="checkbox" id=${`webhook-kind-${k}`} checked=${form.kinds.includes(k)} onChange=${() => toggle(k)} /> ${t(`kind.${k}`)}</label>`)}
      ${kindsError && html`<p class="error-message" id="webhook-kinds-error">${t('webhooks.kindsNeeded')}</p>`}
    </fieldset>
    <${FormError} error=${error} fields=${['url', 'city', 'kinds']} />
    <button type="submit" class="button" id="webhook-submit" disabled=${busy}>${t('webhooks.addSubmit')}</button>
  </form>`;
}

function Deliveries({ endpoints }) {
  const [status, setStatus] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const { loading, error, data, reload } = useLoad(
    async () => (await gql(DELIVERIES, { endpoint: endpoint || null, status: status || null })).webhookDeliveries,
    [status, endpoint],
  );
  const [actionError, setActionError] = useState(null);
  const [message, setMessage] = useState('');
  const again = async (d) => {
    setActionError(null);
    try {
      await gql(REDELIVER, { id: d.id });
      setMessage(t('webhooks.again', { kind: t(`kind.${d.kind}`) }));
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const urlOf = (id) => endpoints.find((e) => e.id === id)?.url ?? '—';
  return html`<section class="panel" aria-labelledby="deliveries-title" id="deliveries" data-ready=${loading ? undefined : 'true'}>
    <h2 id="deliveries-title">${t('webhooks.deliveries', { count: data?.totalCount ?? 0 })}</h2>
    <div class="field-row">
      <${Field} prefix="deliveries" name="status" label=${t('webhooks.status')} kind="select" value=${status}
        options=${[['', t('webhooks.anyStatus')], ...['PENDING', 'SENT', 'FAILED'].map((s) => [s, t(`delivery.${s}`)])]} onInput=${(e) => setStatus(e.currentTarget.value)} />
      <${Field} prefix="deliveries" name="endpoint" label=${t('webhooks.endpoint')} kind="select" value=${endpoint}
        options=${[['', t('webhooks.anyEndpoint')], ...endpoints.map((e) => [e.id, e.url])]} onInput=${(e) => setEndpoint(e.currentTarget.value)} />
    </div>
    <div class="actions"><button type="button" class="button secondary small" id="deliveries-reload" onClick=${reload}>${t('common.reload')}</button></div>
    <p role="status" class="status" aria-live="polite" id="deliveries-message">${message}</p>
    <${ErrorMessage} error=${error} />
    <${ErrorMessage} error=${actionError} />
    ${data && (data.nodes.length === 0
      ? html`<p id="deliveries-empty">${t('webhooks.noDeliveries')}</p>`
      : html`<table class="table" id="deliveries-table">
        <thead><tr>
          <th scope="col">${t('webhooks.kind')}</th><th scope="col">${t('webhooks.endpoint')}</th><th scope="col">${t('webhooks.status')}</th>
          <th scope="col">${t('webhooks.attempts')}</th><th scope="col">${t('webhooks.last')}</th><th scope="col">${t('webhooks.actions')}</th>
        </tr></thead>
        <tbody>
          ${data.nodes.map((d) => html`<tr data-delivery=${d.id} data-status=${d.status}>
            <th scope="row">${t(`kind.${d.kind}`)}<br /><small class="event-id">${d.eventId}</small></th>
            <td>${urlOf(d.endpointId)}</td>
            <td class="delivery-status">${t(`delivery.${d.status}`)}${d.status === 'SENT' && d.sentAt ? html`<br /><small>${formatMoment(d.sentAt)}</small>` : ''}
              ${d.status === 'PENDING' && d.nextAttemptAt ? html`<br /><small>${t('webhooks.next', { date: formatMoment(d.nextAttemptAt) })}</small>` : ''}</td>
            <td>${d.attempts}</td>
            <td class="delivery-last">${d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : ''} ${d.lastError ?? ''}</td>
            <td><button type="button" class="button secondary small delivery-again" aria-label=${t('webhooks.againOne', { kind: t(`kind.${d.kind}`) })}
              onClick=${() => again(d)}>${t('webhooks.sendAgain')}</button></td>
          </tr>`)}
        </tbody>
      </table>`)}
  </section>`;
}

export function Webhooks() {
  const { loading, error, data, reload } = useLoad(async () => gql(ENDPOINTS), []);
  const [created, setCreated] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const act = async (query, variables, text) => {
    setBusy(true);
    setActionError(null);
    try {
      await gql(query, variables);
      setConfirming(null);
      setMessage(text);
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Screen} name="webhooks" title=${t('webhooks.title')} ready=${!loading || data !== null}>
    <p>${t('webhooks.intro')}</p>
    <p role="status" class="status" aria-live="polite" id="webhooks-status">${message}</p>
    ${created && html`<div class="notice handover" role="status" id="webhook-secret">
      <p>${t('webhooks.created', { url: created.endpoint.url })}</p>
      <label for="webhook-secret-value">${t('webhooks.secret')}</label>
      <input id="webhook-secret-value" type="text" readonly value=${created.secret} onFocus=${(e) => e.currentTarget.select()} />
    </div>`}
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && html`
      <section class="panel"><${CreateEndpoint} cities=${data.cities} onCreated=${(c) => { setMessage(''); setCreated(c); reload(); }} /></section>
      <section class="panel" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">${t('webhooks.endpoints', { count: data.webhookEndpoints.length })}</h2>
        <${ErrorMessage} error=${actionError} />
        ${confirming && html`<${Confirm} id="confirm-webhook" text=${t('webhooks.confirmDelete', { url: confirming.url })}
          confirmLabel=${t('webhooks.delete')} busy=${busy} error=${actionError}
          onConfirm=${() => act(DELETE, { id: confirming.id }, t('webhooks.deleted', { url: confirming.url }))}
          onCancel=${() => setConfirming(null)} />`}
        ${data.webhookEndpoints.length === 0 ? html`<p id="endpoints-empty">${t('webhooks.none')}</p>` : html`<table class="table" id="endpoints-table">
          <thead><tr><th scope="col">${t('webhooks.url')}</th><th scope="col">${t('webhooks.kinds')}</th><th scope="col">${t('webhooks.city')}</th><th scope="col">${t('webhooks.state')}</th><th scope="col">${t('webhooks.actions')}</th></tr></thead>
          <tbody>
            ${data.webhookEndpoints.map((e) => html`<tr data-endpoint=${e.id} data-active=${e.active ? 'true' : 'false'}>
              <th scope="row" class="endpoint-url">${e.url}</th>
              <td>${e.kinds.map((k) => t(`kind.${k}`)).join(', ')}</td>
              <td>${e.citySlug ? (data.cities.find((c) => c.slug === e.citySlug)?.name ?? e.citySlug) : t('webhooks.allCities')}</td>
              <td class="endpoint-state">${e.active ? t('webhooks.active') : t('webhooks.paused')}</td>
              <td><div class="actions">
                <button type="button" class="button secondary small endpoint-pause" disabled=${busy}
                  aria-label=${t(e.active ? 'webhooks.pauseOne' : 'webhooks.resumeOne', { url: e.url })}
                  onClick=${() => act(PAUSE, { id: e.id, active: !e.active }, t(e.active ? 'webhooks.pausedOne' : 'webhooks.resumedOne', { url: e.url }))}>${t(e.active ? 'webhooks.pause' : 'webhooks.resume')}</button>
                <button type="button" class="button secondary small endpoint-delete" aria-label=${t('webhooks.deleteOne', { url: e.url })}
                  onClick=${() => setConfirming(e)}>${t('webhooks.delete')}</button>
              </div></td>
            </tr>`)}
          </tbody>
        </table>`}
      </section>
      <${Deliveries} endpoints=${data.webhookEndpoints} />`}
  <//>`;
}
