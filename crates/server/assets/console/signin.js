// Sign-in with e-mail and password (`login`). The token it returns is handed to the shell,
// which keeps it in memory only.

import { useState } from './vendor/hooks.mjs';
import { gql } from './api.js';
import { t } from './i18n.js';
import { html, Screen, ErrorMessage } from './ui.js';

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token expiresAt }
}`;

export function SignIn({ onSignedIn, notice }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { login } = await gql(LOGIN, { email: email.trim(), password });
      setPassword('');
      await onSignedIn(login.token);
    } catch (e) {
      // For login, UNAUTHENTICATED means a wrong e-mail address or password (the answer
      // never tells which, nor whether the account exists).
      setError(e.code === 'UNAUTHENTICATED' ? { code: 'LOGIN_FAILED' } : e);
      setBusy(false);
    }
  };

  return html`<${Screen} name="signin" title=${t('signin.title')} ready=${true}>
    ${notice && html`<p class="notice" role="status" data-notice=${notice}>${t(`signin.notice.${notice}`)}</p>`}
    <form class="form narrow" onSubmit=${submit} novalidate>
      <div class="field">
        <label for="signin-email">${t('signin.email')}</label>
        <input id="signin-email" name="email" type="email" autocomplete="username" required
          value=${email} onInput=${(e) => setEmail(e.currentTarget.value)}
          aria-describedby=${error ? 'signin-error' : undefined} />
      </div>
      <div class="field">
        <label for="signin-password">${t('signin.password')}</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.currentTarget.value)}
          aria-describedby=${error ? 'signin-error' : undefined} />
      </div>
      <${ErrorMessage} error=${error} id="signin-error" />
      <button type="submit" class="button" disabled=${busy}>${busy ? t('signin.busy') : t('signin.submit')}</button>
    </form>
  <//>`;
}
