// Analysis (ANALYST, ADMIN): the export catalogue with a download per dataset and format and
// what each column means, under the adopted export policy; the export policies (for ADMIN:
// propose one with levels fixed by hand, compare the previews, adopt); the city's statistics
// and the criterion outcomes as charts; the programme report over a period, as charts and as
// CSV. For an
// ANALYST the API suppresses counts below 5 ("<5") and figures from fewer records (null):
// a suppressed figure is drawn as no bar and said in words.

import { useState } from './vendor/hooks.mjs';
import { gql, download } from './api.js';
import { t, tOr, formatNumber, formatDay, formatMoment, dayInAmsterdam } from './i18n.js';
import { html, Screen, Loading, ErrorMessage, useLoad, Field, FormError, Confirm, errorText } from './ui.js';

const CATALOG = `query Catalog {
  exportCatalog { keyId k policy { version adoptedAt } formats datasets { name path description columns { name kind description } } }
}`;
const COUNTS = `dataset rows withheld`;
const POLICIES = `query Policies {
  exportPolicies { version state k keyId note levels { part column level } countries preview { ${COUNTS} } released { ${COUNTS} } proposedAt adoptedAt retiredAt }
}`;
const PROPOSE = `mutation Propose($k: Int, $keep: [ExportLevelInput!], $share: Float, $note: String) {
  proposeExportPolicy(k: $k, keep: $keep, maxWithheld: $share, note: $note) { version }
}`;
const PROJECTS = `query Projects {
  researchProjects { id name agreementReference purpose startsOn endsOn keyId datasets { dataset columns path } researchers { id email } downloads { id dataset format rows at } }
}`;
const RESEARCH_SETUP = `query ResearchSetup {
  researchDatasets { name description columns { name description } }
  users(role: ANALYST, first: 100) { nodes { id email disabledAt } }
}`;
const REGISTER_PROJECT = `mutation RegisterProject($input: ResearchProjectInput!) { registerResearchProject(input: $input) { id name } }`;
const ADOPT = `mutation Adopt($version: Int!) { adoptExportPolicy(version: $version) { version } }`;
/** The quasi-identifiers a policy recodes and how many levels each has (generalise.rs). */
const QUASI_IDENTIFIERS = [
  ['age_band', 4], ['gender', 2], ['origin', 4], ['household_adults', 3], ['household_children', 3],
  ['arrival_period', 4], ['dutch_level', 3], ['goals', 3], ['language_count', 3], ['event_period', 3],
  ['member_count', 3], ['members_age_band', 3],
];
const COUNT = `value suppressed display`;
const OUTCOME = `matches { ${COUNT} } matchesWithCheckIns { ${COUNT} } meanNewcomerSatisfaction meanGroupSatisfaction meanNetworkSize meanDutchProgress endedEarlyRate`;
const STATS = `query Stats($city: String!) {
  cityStatistics(citySlug: $city) {
    waitingNewcomers { ${COUNT} } medianWaitingDays readyGroups { ${COUNT} } activeMatches { ${COUNT} }
    completedMatches { ${COUNT} } endedEarlyMatches { ${COUNT} }
    endedEarlyByReason { reason count { ${COUNT} } }
    activitiesPerMonth { month kind count { ${COUNT} } }
    checkIns { month count { ${COUNT} } meanNewcomerSatisfaction meanGroupSatisfaction meanNetworkSize }
  }
  criterionOutcomes(citySlug: $city) { scriptVersion criterion threshold high { ${OUTCOME} } low { ${OUTCOME} } }
}`;

/** A bar of `share` per cent (set through the CSSOM; the policy refuses style attributes). */
function Bar({ share, kind }) {
  return html`<span class=${kind ? `bar ${kind}` : 'bar'} ref=${(el) => { if (el) el.style.width = `${Math.max(0, Math.min(100, share))}%`; }}></span>`;
}

/** Rows of [label, value or null, text]: a bar chart as a table, a suppressed value as words. */
function BarChart({ id, caption, rows, max, valueTitle }) {
  const top = max ?? Math.max(0, ...rows.map((r) => r[1] ?? 0));
  return html`<table class="chart" id=${id}>
    <caption>${caption}</caption>
    <thead class="visually-hidden"><tr><th scope="col">${t('analysis.item')}</th><th scope="col">${valueTitle ?? t('analysis.value')}</th><th scope="col">${t('matching.bar')}</th></tr></thead>
    <tbody>
      ${rows.map(([label, value, text, kind]) => html`<tr>
        <th scope="row">${label}</th>
        <td class="number">${text}</td>
        <td class="bar-cell" aria-hidden="true">${value !== null && value !== undefined && html`<${Bar} share=${top > 0 ? (value / top) * 100 : 0} kind=${kind} />`}</td>
      </tr>`)}
    </tbody>
  </table>`;
}

/** Saves a downloaded file: a link made here and clicked once, so nothing is opened. */
function save(file) {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** One download at a time from a path with the token: saved, and said in the status line. */
function useDownload() {
  const [busy, setBusy] = useState(null);
  const [failed, setFailed] = useState(null);
  const [done, setDone] = useState('');
  const fetchFile = async (path) => {
    setBusy(path);
    setFailed(null);
    try {
      const file = await download(path);
      save(file);
      setDone(file.rows === null ? t('analysis.downloadedFile', { name: file.name }) : t('analysis.downloaded', { name: file.name, count: Number(file.rows) }));
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(null);
    }
  };
  return { busy, failed, done, fetchFile };
}

const count = (c) => (c.suppressed ? null : c.value);
const orDash = (value, digits = 1) => (value === null || value === undefined ? t('analysis.suppressed') : formatNumber(value, digits));

function Exports({ citySlug, revision }) {
  const { loading, error, data } = useLoad(() => gql(CATALOG), [revision]);
  const { busy, failed, done, fetchFile } = useDownload();
  const get = (dataset, format) => fetchFile(`${dataset.path}?format=${encodeURIComponent(format)}&city=${encodeURIComponent(citySlug)}`);
  const catalog = data?.exportCatalog;
  return html`<section class="panel" aria-labelledby="exports-title" id="exports" data-catalog-ready=${catalog ? 'true' : undefined}>
    <h2 id="exports-title">${t('analysis.exports')}</h2>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${catalog && !catalog.policy && html`<p class="notice" id="exports-no-policy">${t('policy.none')}</p>`}
    ${catalog?.policy && html`
      <p id="exports-policy">${t('analysis.exportsIntro', { k: catalog.k, key: catalog.keyId, version: catalog.policy.version, date: formatMoment(catalog.policy.adoptedAt) })}</p>
      <p role="status" class="status" id="export-status" aria-live="polite">${done}</p>
      <${ErrorMessage} error=${failed} />
      ${catalog.datasets.map((d) => html`<article class="dataset" data-dataset=${d.name} aria-labelledby=${`dataset-${d.name}`}>
        <h3 id=${`dataset-${d.name}`}>${tOr(`analysis.dataset.${d.name}`, d.name)}</h3>
        <p>${d.description}</p>
        <div class="actions">
          ${catalog.formats.map((f) => html`<button type="button" class="button secondary small download" data-format=${f} disabled=${busy !== null}
            onClick=${() => get(d, f)}>${t('analysis.download', { format: tOr(`analysis.format.${f}`, f), dataset: tOr(`analysis.dataset.${d.name}`, d.name) })}</button>`)}
        </div>
        <details class="columns">
          <summary>${t('analysis.columns', { count: d.columns.length, dataset: tOr(`analysis.dataset.${d.name}`, d.name) })}</summary>
          <table class="table compact">
            <thead><tr><th scope="col">${t('analysis.column')}</th><th scope="col">${t('analysis.kind')}</th><th scope="col">${t('analysis.meaning')}</th></tr></thead>
            <tbody>
              ${d.columns.map((c) => html`<tr><th scope="row"><code>${c.name}</code></th><td>${tOr(`analysis.columnKind.${c.kind}`, c.kind)}</td><td>${c.description}</td></tr>`)}
            </tbody>
          </table>
        </details>
      </article>`)}`}
  </section>`;
}

function Statistics({ stats }) {
  const states = [
    [t('analysis.waiting'), stats.waitingNewcomers], [t('analysis.readyGroups'), stats.readyGroups],
    [t('analysis.active'), stats.activeMatches], [t('analysis.completed'), stats.completedMatches],
    [t('analysis.endedEarly'), stats.endedEarlyMatches],
  ];
  // Activities: all kinds of a month together (the API gives a count per kind and month).
  // A kind suppressed in a month ("<5") makes that month's total a lower bound.
  const months = new Map();
  let monthSuppressed = false;
  for (const a of stats.activitiesPerMonth) {
    const m = months.get(a.month) ?? { sum: 0, suppressed: false };
    if (a.count.suppressed) {
      monthSuppressed = true;
      m.suppressed = true;
    }
    m.sum += a.count.value ?? 0;
    months.set(a.month, m);
  }
  const monthText = (m) => {
    if (!m.suppressed) return formatNumber(m.sum);
    return m.sum > 0 ? t('analysis.atLeast', { count: m.sum }) : t('analysis.suppressed');
  };
  return html`<section class="panel" aria-labelledby="stats-title" id="statistics">
    <h2 id="stats-title">${t('analysis.statistics')}</h2>
    <p id="median-waiting">${stats.medianWaitingDays === null ? t('analysis.medianSuppressed') : t('analysis.median', { days: formatNumber(stats.medianWaitingDays, 0) })}</p>
    <${BarChart} id="chart-states" caption=${t('analysis.states')} rows=${states.map(([label, c]) => [label, count(c), c.display])} valueTitle=${t('analysis.number')} />
    ${stats.endedEarlyByReason.length > 0 && html`<${BarChart} id="chart-reasons" caption=${t('analysis.reasons')} valueTitle=${t('analysis.number')}
      rows=${stats.endedEarlyByReason.map((r) => [tOr(`endReason.${r.reason}`, r.reason), count(r.count), r.count.display, 'negative'])} />`}
    ${months.size > 0 && html`<${BarChart} id="chart-activities" caption=${t('analysis.activities')} valueTitle=${t('analysis.number')}
      rows=${[...months.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([month, m]) => [month, m.suppressed && m.sum === 0 ? null : m.sum, monthText(m)])} />`}
    ${monthSuppressed && html`<p class="hint">${t('analysis.activitiesSuppressed')}</p>`}
    ${stats.checkIns.length > 0 && html`<${BarChart} id="chart-checkins" caption=${t('analysis.checkIns')} max=${5} valueTitle=${t('analysis.satisfaction')}
      rows=${stats.checkIns.flatMap((c) => [
        [t('analysis.checkInNewcomer', { month: c.month, count: c.count.display }), c.meanNewcomerSatisfaction, orDash(c.meanNewcomerSatisfaction)],
        [t('analysis.checkInGroup', { month: c.month, count: c.count.display }), c.meanGroupSatisfaction, orDash(c.meanGroupSatisfaction), 'muted'],
      ])} />`}
  </section>`;
}

function Outcomes({ outcomes }) {
  return html`<section class="panel" aria-labelledby="outcomes-title" id="outcomes">
    <h2 id="outcomes-title">${t('analysis.outcomes')}</h2>
    <p>${t('analysis.outcomesIntro')}</p>
    ${outcomes.length === 0 ? html`<p class="empty">${t('analysis.outcomesNone')}</p>` : outcomes.map((o) => {
      const name = tOr(`criterion.${o.criterion}`, o.criterion);
      const side = (key, s) => t(`analysis.${key}`, { count: s.matches.display, threshold: formatNumber(o.threshold, 1) });
      const version = o.scriptVersion === null ? 'hand' : `v${o.scriptVersion}`;
      return html`<div class="outcome" data-criterion=${o.criterion} data-script-version=${version}>
        <h3>${o.scriptVersion === null ? t('analysis.outcomeByHand') : t('analysis.outcomeVersion', { version: o.scriptVersion })}</h3>
        <${BarChart} id=${`outcome-${version}-${o.criterion}-satisfaction`} caption=${t('analysis.outcomeSatisfaction', { criterion: name })} max=${5} valueTitle=${t('analysis.satisfaction')}
          rows=${[[side('high', o.high), o.high.meanNewcomerSatisfaction, orDash(o.high.meanNewcomerSatisfaction)], [side('low', o.low), o.low.meanNewcomerSatisfaction, orDash(o.low.meanNewcomerSatisfaction), 'muted']]} />
        <${BarChart} id=${`outcome-${version}-${o.criterion}-ended`} caption=${t('analysis.outcomeEnded', { criterion: name })} max=${1} valueTitle=${t('analysis.share')}
          rows=${[[side('high', o.high), o.high.endedEarlyRate, o.high.endedEarlyRate === null ? t('analysis.suppressed') : `${formatNumber(o.high.endedEarlyRate * 100, 0)}%`, 'negative'],
            [side('low', o.low), o.low.endedEarlyRate, o.low.endedEarlyRate === null ? t('analysis.suppressed') : `${formatNumber(o.low.endedEarlyRate * 100, 0)}%`, 'muted']]} />
      </div>`;
    })}
  </section>`;
}

const FIGURES = `citySlug proposed { ${COUNT} } started { ${COUNT} } activeAtEnd { ${COUNT} } completed { ${COUNT} }
  endedEarly { ${COUNT} } endedEarlyByReason { reason count { ${COUNT} } } waitingNow { ${COUNT} } medianWaitingDays
  checkIns { month view count { ${COUNT} } meanSatisfaction meanNetworkSize } activitiesByKind { kind count { ${COUNT} } }`;
const REPORT = `query Report($from: Date!, $to: Date!) { programmeReport(from: $from, to: $to) { from to cities { ${FIGURES} } total { ${FIGURES} } } }`;
const MATCH_FIGURES = ['proposed', 'started', 'activeAtEnd', 'completed', 'endedEarly'];

/** The programme report over a period (`programmeReport`): the total as charts, each city as a
 * row, and the same as CSV for a spreadsheet. */
function Report({ cities }) {
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' });
  const [period, setPeriod] = useState({ from: `${today.slice(0, 4)}-01-01`, to: today });
  const [asked, setAsked] = useState(period);
  const { loading, error, data } = useLoad(() => gql(REPORT, asked), [asked.from, asked.to]);
  const { failed, done, fetchFile } = useDownload();
  const csv = () => fetchFile(`/reports/programme.csv?from=${encodeURIComponent(asked.from)}&to=${encodeURIComponent(asked.to)}`);
  const r = data?.programmeReport;
  const cityName = (slug) => cities.find((c) => c.slug === slug)?.name ?? slug;
  const shown = (c) => (c.suppressed ? c.display : formatNumber(c.value));
  return html`<section class="panel" aria-labelledby="report-title" id="report" data-ready=${loading ? undefined : 'true'}>
    <h2 id="report-title">${t('report.title')}</h2>
    <p>${t('report.intro')}</p>
    <form class="form inline-form" id="report-form" onSubmit=${(e) => { e.preventDefault(); setAsked(period); }} novalidate>
      <div class="field-row">
        <${Field} prefix="report" name="from" type="date" label=${t('report.from')} value=${period.from} onInput=${(e) => setPeriod({ ...period, from: e.currentTarget.value })} error=${error} />
        <${Field} prefix="report" name="to" type="date" label=${t('report.to')} value=${period.to} onInput=${(e) => setPeriod({ ...period, to: e.currentTarget.value })} error=${error} />
      </div>
      <div class="actions">
        <button type="submit" class="button" id="report-submit">${t('report.make')}</button>
        <button type="button" class="button secondary" id="report-csv" onClick=${csv} disabled=${!r}>${t('report.csv')}</button>
      </div>
    </form>
    ${loading && html`<${Loading} />`}
    ${error && !['from', 'to'].includes(error.field) && html`<${ErrorMessage} error=${error} />`}
    <p role="status" class="status" aria-live="polite" id="report-status">${done}</p>
    <${ErrorMessage} error=${failed} />
    ${r && html`
      <${BarChart} id="report-matches" caption=${t('report.matches', { from: formatDay(r.from), to: formatDay(r.to) })}
        rows=${MATCH_FIGURES.map((f) => [t(`report.figure.${f}`), count(r.total[f]), shown(r.total[f])])} />
      <table class="table" id="report-cities">
        <caption>${t('report.byCity')}</caption>
        <thead><tr><th scope="col">${t('report.city')}</th>${MATCH_FIGURES.map((f) => html`<th scope="col" class="number">${t(`report.figure.${f}`)}</th>`)}
          <th scope="col" class="number">${t('report.figure.waitingNow')}</th><th scope="col" class="number">${t('report.figure.medianWaitingDays')}</th></tr></thead>
        <tbody>
          ${[...r.cities, r.total].map((c) => html`<tr data-city=${c.citySlug ?? 'all'}>
            <th scope="row">${c.citySlug ? cityName(c.citySlug) : t('report.total')}</th>
            ${MATCH_FIGURES.map((f) => html`<td class="number">${shown(c[f])}</td>`)}
            <td class="number">${shown(c.waitingNow)}</td><td class="number">${orDash(c.medianWaitingDays, 0)}</td>
          </tr>`)}
        </tbody>
      </table>
      <${BarChart} id="report-activities" caption=${t('report.activities')}
        rows=${r.total.activitiesByKind.map((a) => [tOr(`activity.${a.kind}`, a.kind), count(a.count), shown(a.count)])} />
      <table class="table" id="report-check-ins">
        <caption>${t('report.checkIns')}</caption>
        <thead><tr><th scope="col">${t('report.checkIn')}</th><th scope="col" class="number">${t('report.count')}</th>
          <th scope="col" class="number">${t('report.satisfaction')}</th><th scope="col" class="number">${t('report.network')}</th></tr></thead>
        <tbody>
          ${r.total.checkIns.map((c) => html`<tr>
            <th scope="row">${t(c.month === 0 ? 'report.exitCheckIn' : 'report.monthCheckIn', { month: c.month })} — ${t(`report.view.${c.view}`)}</th>
            <td class="number">${shown(c.count)}</td><td class="number">${orDash(c.meanSatisfaction)}</td><td class="number">${orDash(c.meanNetworkSize)}</td>
          </tr>`)}
        </tbody>
      </table>`}
  </section>`;
}

const CITIES = `query Cities { cities { slug name } }`;

/** Rows and withheld rows per dataset. */
function Counts({ id, caption, counts }) {
  return html`<table class="table compact" id=${id}>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${t('policy.dataset')}</th><th scope="col" class="number">${t('policy.rows')}</th><th scope="col" class="number">${t('policy.withheld')}</th></tr></thead>
    <tbody>${counts.map((c) => html`<tr data-dataset=${c.dataset}><th scope="row">${tOr(`analysis.dataset.${c.dataset}`, c.dataset)}</th><td class="number">${formatNumber(c.rows)}</td><td class="number">${formatNumber(c.withheld)}</td></tr>`)}</tbody>
  </table>`;
}

function Policy({ policy, admin, onAdopted }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const adopt = async () => {
    setBusy(true);
    setError(null);
    try {
      await gql(ADOPT, { version: policy.version });
      setAsking(false);
      onAdopted(policy.version);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const v = policy.version;
  return html`<article class="policy" data-version=${v} data-state=${policy.state} aria-labelledby=${`policy-${v}`}>
    <h3 id=${`policy-${v}`}>${t('policy.heading', { version: v, state: t(`policy.state.${policy.state}`) })}</h3>
    <p>${t('policy.facts', { k: policy.k, key: policy.keyId, date: formatMoment(policy.adoptedAt ?? policy.proposedAt) })}</p>
    ${policy.note && html`<p class="hint">${policy.note}</p>`}
    <table class="table compact" id=${`policy-${v}-levels`}>
      <caption>${t('policy.levels')}</caption>
      <thead><tr><th scope="col">${t('policy.column')}</th><th scope="col">${t('policy.level')}</th></tr></thead>
      <tbody>${policy.levels.map((l) => html`<tr data-column=${l.column}><th scope="row"><code>${l.column}</code> ${t(`policy.qi.${l.column}`)}</th><td>${t(`policy.levelName.${l.column}.${l.level}`)}</td></tr>`)}</tbody>
    </table>
    ${policy.state === 'PROPOSED'
      ? html`<${Counts} id=${`policy-${v}-preview`} caption=${t('policy.preview')} counts=${policy.preview} />`
      : html`<${Counts} id=${`policy-${v}-released`} caption=${t('policy.released')} counts=${policy.released} />`}
    ${admin && policy.state === 'PROPOSED' && (asking
      ? html`<${Confirm} id=${`policy-${v}-confirm`} text=${t('policy.adoptConfirm', { version: v })} confirmLabel=${t('policy.adopt', { version: v })}
          onConfirm=${adopt} onCancel=${() => setAsking(false)} busy=${busy} error=${error} />`
      : html`<div class="actions"><button type="button" class="button" id=${`policy-${v}-adopt`} onClick=${() => setAsking(true)}>${t('policy.adopt', { version: v })}</button></div>`)}
  </article>`;
}

function ExportPolicies({ admin, onAdopted }) {
  const { loading, error, data, reload } = useLoad(async () => (await gql(POLICIES)).exportPolicies, []);
  const [form, setForm] = useState({ k: '5', share: '5', note: '', keep: {} });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const [message, setMessage] = useState('');
  const propose = async (event) => {
    event.preventDefault();
    setBusy(true);
    setFailed(null);
    setMessage('');
    try {
      const keep = Object.entries(form.keep).filter(([, level]) => level !== '').map(([column, level]) => ({ column, level: Number(level) }));
      const k = form.k.trim() === '' ? null : Number(form.k);
      const share = form.share.trim() === '' ? null : Number(form.share.replace(',', '.')) / 100;
      const r = await gql(PROPOSE, { k, keep, share, note: form.note.trim() || null });
      setMessage(t('policy.proposed', { version: r.proposeExportPolicy.version }));
      reload();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  };
  const adopted = (version) => {
    setMessage(t('policy.adopted', { version }));
    reload();
    onAdopted();
  };
  const shown = (data ?? []).filter((p) => p.state !== 'RETIRED').concat((data ?? []).filter((p) => p.state === 'RETIRED').slice(0, 3));
  return html`<section class="panel" aria-labelledby="policies-title" id="export-policies">
    <h2 id="policies-title">${t('policy.title')}</h2>
    <p>${t('policy.intro')}</p>
    <p role="status" class="status" id="policy-status" aria-live="polite">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${admin && html`<form class="form" id="policy-form" onSubmit=${propose} novalidate>
      <div class="field-row">
        <${Field} prefix="policy" name="k" type="number" inputmode="numeric" label=${t('policy.k')} hint=${t('policy.kHint')} value=${form.k}
          onInput=${(e) => setForm({ ...form, k: e.currentTarget.value })} error=${failed} />
        <${Field} prefix="policy" name="maxWithheld" inputmode="decimal" label=${t('policy.share')} hint=${t('policy.shareHint')} value=${form.share}
          onInput=${(e) => setForm({ ...form, share: e.currentTarget.value })} error=${failed} />
      </div>
      <fieldset class="keep">
        <legend>${t('policy.keep')}</legend>
        <div class="field-grid">
          ${QUASI_IDENTIFIERS.map(([column, levels]) => html`<${Field} prefix="policy-keep" name=${column} kind="select" label=${t(`policy.qi.${column}`)}
            value=${form.keep[column] ?? ''} onInput=${(e) => setForm({ ...form, keep: { ...form.keep, [column]: e.currentTarget.value } })}
            options=${[['', t('policy.searched')], ...Array.from({ length: levels }, (_, l) => [String(l), t(`policy.levelName.${column}.${l}`)])]} />`)}
        </div>
      </fieldset>
      <${Field} prefix="policy" name="note" label=${t('policy.note')} value=${form.note} onInput=${(e) => setForm({ ...form, note: e.currentTarget.value })} error=${failed} />
      <${FormError} error=${failed} fields=${['k', 'maxWithheld', 'note']} />
      <div class="actions"><button type="submit" class="button" id="policy-propose" disabled=${busy}>${busy ? t('policy.searching') : t('policy.propose')}</button></div>
    </form>`}
    ${data && data.length === 0 && html`<p id="policies-none">${t('policy.noneYet')}</p>`}
    ${shown.map((p) => html`<${Policy} key=${p.version} policy=${p} admin=${admin} onAdopted=${adopted} />`)}
  </section>`;
}

/** A project as its researcher sees it: the approved datasets with a download each, within
 * the project's dates; as ADMIN: the downloads made. */
function Project({ project, admin, today }) {
  const { busy, failed, done, fetchFile } = useDownload();
  const open = today >= project.startsOn && today <= project.endsOn;
  const get = (d, format) => fetchFile(`${d.path}?format=${encodeURIComponent(format)}`);
  return html`<article class="project" data-project=${project.id} aria-labelledby=${`project-${project.id}`}>
    <h3 id=${`project-${project.id}`}>${project.name}</h3>
    <p>${t('research.facts', { agreement: project.agreementReference, from: formatDay(project.startsOn), to: formatDay(project.endsOn), key: project.keyId })}</p>
    <p class="hint">${project.purpose}</p>
    <p>${t('research.researchers', { list: project.researchers.map((r) => r.email).join(', ') })}</p>
    ${!open && html`<p class="notice" id=${`project-${project.id}-closed`}>${today > project.endsOn ? t('research.ended', { date: formatDay(project.endsOn) }) : t('research.notYet', { date: formatDay(project.startsOn) })}</p>`}
    <p role="status" class="status" aria-live="polite" id=${`project-${project.id}-status`}>${done}</p>
    <${ErrorMessage} error=${failed} />
    <ul class="approvals">
      ${project.datasets.map((d) => html`<li data-dataset=${d.dataset}>
        <strong>${tOr(`research.dataset.${d.dataset}`, d.dataset)}</strong>: <span class="hint">${d.columns.join(', ')}</span>
        ${!admin && open && html`<span class="actions compact">${['csv', 'jsonl'].map((f) => html`<button type="button" class="button secondary small research-download" data-format=${f} disabled=${busy !== null}
          onClick=${() => get(d, f)}>${t('analysis.download', { format: tOr(`analysis.format.${f}`, f), dataset: tOr(`research.dataset.${d.dataset}`, d.dataset) })}</button>`)}</span>`}
      </li>`)}
    </ul>
    ${admin && html`<table class="table compact" id=${`project-${project.id}-downloads`}>
      <caption>${t('research.downloads', { count: project.downloads.length })}</caption>
      <thead><tr><th scope="col">${t('research.downloadId')}</th><th scope="col">${t('policy.dataset')}</th><th scope="col" class="number">${t('policy.rows')}</th><th scope="col">${t('research.at')}</th></tr></thead>
      <tbody>${project.downloads.slice(0, 20).map((d) => html`<tr><th scope="row"><code>${d.id}</code></th><td>${tOr(`research.dataset.${d.dataset}`, d.dataset)}</td><td class="number">${formatNumber(d.rows)}</td><td>${formatMoment(d.at)}</td></tr>`)}</tbody>
    </table>`}
  </article>`;
}

function ProjectForm({ onRegistered }) {
  const { data, error } = useLoad(() => gql(RESEARCH_SETUP), []);
  const today = dayInAmsterdam(new Date());
  const [form, setForm] = useState({ name: '', agreementReference: '', purpose: '', startsOn: today, endsOn: '', datasets: {}, researchers: {} });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      const datasets = Object.entries(form.datasets).filter(([, on]) => on).map(([dataset]) => ({ dataset }));
      const researcherIds = Object.entries(form.researchers).filter(([, on]) => on).map(([id]) => id);
      const r = await gql(REGISTER_PROJECT, { input: {
        name: form.name, agreementReference: form.agreementReference, purpose: form.purpose,
        startsOn: form.startsOn || null, endsOn: form.endsOn || null, datasets, researcherIds,
      } });
      setForm({ name: '', agreementReference: '', purpose: '', startsOn: today, endsOn: '', datasets: {}, researchers: {} });
      onRegistered(r.registerResearchProject.name);
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  };
  const analysts = (data?.users?.nodes ?? []).filter((u) => !u.disabledAt);
  return html`<form class="form" id="project-form" onSubmit=${submit} novalidate>
    <h3>${t('research.register')}</h3>
    <${ErrorMessage} error=${error} />
    <${Field} prefix="project" name="name" label=${t('research.name')} value=${form.name} onInput=${set('name')} error=${failed} />
    <${Field} prefix="project" name="agreementReference" label=${t('research.agreement')} hint=${t('research.agreementHint')} value=${form.agreementReference} onInput=${set('agreementReference')} error=${failed} />
    <${Field} prefix="project" name="purpose" kind="textarea" label=${t('research.purpose')} value=${form.purpose} onInput=${set('purpose')} error=${failed} />
    <div class="field-row">
      <${Field} prefix="project" name="startsOn" type="date" label=${t('research.startsOn')} value=${form.startsOn} onInput=${set('startsOn')} error=${failed} />
      <${Field} prefix="project" name="endsOn" type="date" label=${t('research.endsOn')} value=${form.endsOn} onInput=${set('endsOn')} error=${failed} />
    </div>
    <fieldset class="checkboxes" id="project-datasets">
      <legend>${t('research.datasets')}</legend>
      ${(data?.researchDatasets ?? []).map((d) => html`<label title=${d.columns.map((c) => c.name).join(', ')}><input type="checkbox" id=${`project-dataset-${d.name}`} checked=${!!form.datasets[d.name]}
        onChange=${(e) => setForm({ ...form, datasets: { ...form.datasets, [d.name]: e.currentTarget.checked } })} /> ${tOr(`research.dataset.${d.name}`, d.name)}</label>`)}
      ${failed?.field?.startsWith('datasets') && html`<p class="error-message" id="project-datasets-error">${errorText(failed)}</p>`}
    </fieldset>
    <fieldset class="checkboxes" id="project-researchers">
      <legend>${t('research.researcherAccounts')}</legend>
      ${analysts.length === 0 && html`<p class="hint">${t('research.noAnalysts')}</p>`}
      ${analysts.map((u) => html`<label><input type="checkbox" class="project-researcher" data-email=${u.email} checked=${!!form.researchers[u.id]}
        onChange=${(e) => setForm({ ...form, researchers: { ...form.researchers, [u.id]: e.currentTarget.checked } })} /> ${u.email}</label>`)}
      ${failed?.field?.startsWith('researcherIds') && html`<p class="error-message" id="project-researchers-error">${errorText(failed)}</p>`}
    </fieldset>
    <${FormError} error=${failed} fields=${['name', 'agreementReference', 'purpose', 'startsOn', 'endsOn']} />
    <div class="actions"><button type="submit" class="button" id="project-submit" disabled=${busy}>${t('research.registerSubmit')}</button></div>
  </form>`;
}

function ResearchProjects({ admin }) {
  const { loading, error, data, reload } = useLoad(async () => (await gql(PROJECTS)).researchProjects, []);
  const [message, setMessage] = useState('');
  const today = dayInAmsterdam(new Date());
  return html`<section class="panel" aria-labelledby="research-title" id="research-projects" data-ready=${data ? 'true' : undefined}>
    <h2 id="research-title">${t('research.title')}</h2>
    <p>${t(admin ? 'research.introAdmin' : 'research.intro')}</p>
    <p role="status" class="status" aria-live="polite" id="research-status">${message}</p>
    ${loading && !data && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && data.length === 0 && html`<p id="research-none">${t(admin ? 'research.noneAdmin' : 'research.none')}</p>`}
    ${(data ?? []).map((p) => html`<${Project} key=${p.id} project=${p} admin=${admin} today=${today} />`)}
    ${admin && html`<${ProjectForm} onRegistered=${(name) => { setMessage(t('research.registered', { name })); reload(); }} />`}
  </section>`;
}

export function Analysis({ citySlug, user }) {
  const { loading, error, data } = useLoad(async () => {
    const [stats, cities] = await Promise.all([gql(STATS, { city: citySlug }), gql(CITIES)]);
    return { ...stats, ...cities };
  }, [citySlug]);
  // Moves when a policy is adopted, so the catalogue names the new one.
  const [revision, setRevision] = useState(0);
  return html`<${Screen} name="analysis" title=${t('analysis.title')} ready=${!loading}>
    ${loading && html`<${Loading} />`}
    <${ErrorMessage} error=${error} />
    ${data && html`<${Statistics} stats=${data.cityStatistics} />`}
    ${data && html`<${Outcomes} outcomes=${data.criterionOutcomes} />`}
    <${Exports} citySlug=${citySlug} revision=${revision} />
    <${ExportPolicies} admin=${user?.role === 'ADMIN'} onAdopted=${() => setRevision(revision + 1)} />
    <${ResearchProjects} admin=${user?.role === 'ADMIN'} />
    ${data && html`<${Report} cities=${data.cities} />`}
  <//>`;
}
