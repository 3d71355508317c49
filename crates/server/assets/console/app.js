// The console's shell: language, sign-in state, the navigation a role may use, and
// hash-based routing (#/dashboard, …), so that moving between screens never reloads the
// page — a reload would lose the token, which lives in memory only.

import { render } from './vendor/preact.mjs';
import { useEffect, useState, useCallback } from './vendor/hooks.mjs';
import { gql, setToken, forgetToken, whenSessionEnds } from './api.js';
import { LANGUAGES, currentLanguage, loadLanguage, preferredLanguage, t } from './i18n.js';
import { html } from './ui.js';
import { SignIn } from './signin.js';
import { Dashboard } from './dashboard.js';
import { Matching } from './matching.js';
import { Workbench } from './workbench.js';
import { ActiveMatches, MatchPage, CoordinatorHome } from './year.js';
import { Groups } from './groups.js';
import { Households } from './households.js';
import { Analysis } from './analyst.js';
import { Invitation, Users } from './accounts.js';
import { NotificationSettings, Webhooks } from './notifications.js';

const STAFF = ['ADMIN', 'CITY_ADMIN'];
/** The roles of no one city, who choose the city in the header. */
const ALL_CITIES = ['ADMIN', 'ANALYST'];
/** The screens of this version, and the roles that may open them (README's role table). */
const SCREENS = [
  { route: 'dashboard', roles: STAFF, component: Dashboard },
  { route: 'households', roles: STAFF, component: Households },
  { route: 'groups', roles: STAFF, component: Groups },
  { route: 'matching', roles: STAFF, component: Matching },
  { route: 'scripts', roles: STAFF, component: Workbench },
  { route: 'matches', roles: [...STAFF, 'COMMUNITY_BUILDER'], component: ActiveMatches },
  { route: 'group', roles: ['COORDINATOR'], component: CoordinatorHome },
  { route: 'analysis', roles: ['ANALYST', 'ADMIN'], component: Analysis },
  { route: 'users', roles: STAFF, component: Users },
  { route: 'webhooks', roles: ['ADMIN'], component: Webhooks },
  { route: 'settings', roles: ['ADMIN', 'CITY_ADMIN', 'COMMUNITY_BUILDER', 'COORDINATOR', 'ANALYST', 'PARTNER'], component: NotificationSettings },
  // Opened from a list (#/match/ID), not from the menu.
  { route: 'match', roles: [...STAFF, 'COORDINATOR', 'COMMUNITY_BUILDER'], component: MatchPage, hidden: true },
];

const ME = `query Me { me { id email role city { slug name } } }`;
const CITIES = `query Cities { cities { slug name } }`;

function routeOfHash() {
  const match = /^#\/([a-z-]+)/.exec(window.location.hash);
  return match ? match[1] : '';
}

/** What follows the route in the hash (#/match/ID → ID). */
function paramOfHash() {
  const match = /^#\/[a-z-]+\/([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  return match ? match[1] : null;
}

/** Opens a screen (`route`, or `route/param` for one item's page). */
function go(route) {
  if (window.location.hash !== `#/${route}`) window.location.hash = `#/${route}`;
}

function App() {
  const [, setLanguageRound] = useState(0);
  const [user, setUser] = useState(null);
  const [cities, setCities] = useState([]);
  const [citySlug, setCitySlug] = useState(null);
  const [route, setRoute] = useState(routeOfHash());
  const [param, setParam] = useState(paramOfHash());
  const [notice, setNotice] = useState(null);

  useEffect(() => {
    const onHash = () => {
      setRoute(routeOfHash());
      setParam(paramOfHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const signOut = useCallback((reason) => {
    forgetToken();
    setUser(null);
    setCities([]);
    setCitySlug(null);
    setNotice(reason);
    go('signin');
  }, []);

  useEffect(() => whenSessionEnds(() => signOut('session-ended')), [signOut]);

  const signedIn = useCallback(async (token) => {
    setToken(token);
    const { me } = await gql(ME);
    let slug = me.city?.slug ?? null;
    if (ALL_CITIES.includes(me.role)) {
      const data = await gql(CITIES);
      setCities(data.cities);
      slug = slug ?? data.cities[0]?.slug ?? null;
    }
    setNotice(null);
    setUser(me);
    setCitySlug(slug);
    const first = SCREENS.find((s) => s.roles.includes(me.role));
    go(first ? first.route : 'welcome');
  }, []);

  const switchLanguage = async (lang) => {
    await loadLanguage(lang);
    setLanguageRound((r) => r + 1);
  };

  const allowed = user ? SCREENS.filter((s) => s.roles.includes(user.role)) : [];
  let content;
  if (!user && route === 'invitation') {
    // The page of an invitation or password link: choose a password, then signed in.
    content = html`<${Invitation} token=${param} onSignedIn=${signedIn} />`;
  } else if (!user) {
    if (route !== 'signin') go('signin');
    content = html`<${SignIn} onSignedIn=${signedIn} notice=${notice} />`;
  } else {
    const screen = allowed.find((s) => s.route === route);
    if (screen) {
      const Component = screen.component;
      content = html`<${Component} key=${`${route}:${param}:${citySlug}`} user=${user} citySlug=${citySlug} param=${param} go=${go} />`;
    } else {
      content = html`<section class="screen" data-screen="welcome" data-ready="true">
        <h1>${t('welcome.title')}</h1>
        <p>${allowed.length > 0 ? t('welcome.choose') : t('welcome.noScreens', { role: t(`role.${user.role}`) })}</p>
      </section>`;
    }
  }

  const other = LANGUAGES.filter((l) => l !== currentLanguage());
  return html`
    <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>${t('nav.skip')}</a>
    <header class="site-header">
      <div class="brand"><span class="brand-name">samenhier</span> <span class="brand-sub">${t('app.subtitle')}</span></div>
      ${user && html`
        <nav aria-label=${t('nav.label')}>
          <ul class="nav-list">
            ${allowed.filter((s) => !s.hidden).map((s) => html`<li><a href=${`#/${s.route}`} aria-current=${route === s.route ? 'page' : undefined}>${t(`nav.${s.route}`)}</a></li>`)}
          </ul>
        </nav>`}
      <div class="header-tools">
        ${user && ALL_CITIES.includes(user.role) && html`
          <label class="city-choice">${t('nav.city')}
            <select value=${citySlug ?? ''} onChange=${(e) => setCitySlug(e.currentTarget.value)}>
              ${cities.map((c) => html`<option value=${c.slug}>${c.name}</option>`)}
            </select>
          </label>`}
        ${user && !ALL_CITIES.includes(user.role) && user.city && html`<span class="city-name">${user.city.name}</span>`}
        ${other.map((l) => html`<button type="button" class="link-button" lang=${l} onClick=${() => switchLanguage(l)}>${t(`language.${l}`)}</button>`)}
        ${user && html`<span class="user-email">${user.email} (${t(`role.${user.role}`)})</span>
          <button type="button" class="button secondary" onClick=${() => signOut('signed-out')}>${t('nav.signOut')}</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1">${content}</main>
  `;
}

async function start() {
  await loadLanguage(preferredLanguage());
  render(html`<${App} />`, document.getElementById('app'));
}

start().catch((error) => {
  // Without a catalogue there are no words to show; the console log says why.
  console.error('the console could not start', error);
});
