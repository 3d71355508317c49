// Sends a corpus of GraphQL documents to a running server and to graphql-js's `validate` on
// the committed schema, and fails when they disagree on any: a document graphql-js refuses
// must be refused by the server (GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED, nothing
// run), and one graphql-js accepts must not be refused by validation. Then checks that
// variables which do not fit their types answer BAD_USER_INPUT with `extensions.variable` and
// `extensions.field`, before anything runs.
//
//   node validation.mjs URL SCHEMA_FILE
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';

const url = process.argv[2] ?? 'http://127.0.0.1:18200/graphql';
const schema = buildSchema(readFileSync(process.argv[3] ?? '../../schema.graphql', 'utf8'));

// Invalid documents, at least one per rule of graphql-js's `specifiedRules` and the cases
// partner developers met. Each is refused by graphql-js (checked below). Not here, because
// graphql-js's `validate` on a schema built from SDL cannot know them: a subscription (the
// schema has no subscription type: graphql-js refuses it when executing, the server when
// validating) and a literal of a custom scalar (`introductionDate: 20260101`: the server's
// `Date` refuses it, graphql-js's placeholder scalar takes anything).
const invalid = [
  // ExecutableDefinitions
  'type Foo { a: Int } { me { id } }',
  'schema { query: Query } { me { id } }',
  // UniqueOperationNames
  'query A { me { id } } query A { cities { slug } }',
  'mutation M { login(email: "a", password: "b") { token } } mutation M { login(email: "a", password: "b") { token } }',
  // LoneAnonymousOperation
  '{ me { id } } { cities { slug } }',
  '{ me { id } } query Named { cities { slug } }',
  // KnownTypeNames
  'query($x: Nope) { me { id } }',
  '{ me { ... on Nope { id } } }',
  'fragment F on Nope { id } { me { ...F } }',
  'query($x: [Strin]) { me { id } }',
  // FragmentsOnCompositeTypes
  'fragment F on String { length } { me { ...F } }',
  '{ me { ... on Boolean { x } } }',
  'fragment F on GroupStatus { x } { me { ...F } }',
  // VariablesAreInputTypes
  'query($u: User) { me { id } }',
  'query($c: [City!]) { me { id } }',
  'query($c: WelcomeGroupConnection!) { me { id } }',
  // ScalarLeafs
  '{ me }',
  '{ cities }',
  '{ me { id { x } } }',
  '{ cities { slug { length } } }',
  '{ welcomeGroups }',
  '{ me { city } }',
  // FieldsOnCorrectType
  '{ nope }',
  '{ me { nope } }',
  '{ cities { slug nam } }',
  '{ welcomeGroups { nodes { nope } } }',
  '{ newcomers { edges { node { names } } } }',
  'mutation { nope }',
  '{ me { ... on User { nope } } }',
  '{ __typename nope }',
  // UniqueFragmentNames
  'fragment F on User { id } fragment F on User { email } { me { ...F } }',
  // KnownFragmentNames
  '{ me { ...Missing } }',
  '{ cities { ...Missing } }',
  // NoUnusedFragments
  'fragment F on User { id } { me { id } }',
  'fragment F on City { slug } { cities { slug } }',
  // PossibleFragmentSpreads
  'fragment F on City { slug } { me { ...F } }',
  '{ me { ... on City { slug } } }',
  '{ cities { ... on User { id } } }',
  // NoFragmentCycles
  'fragment A on User { ...B } fragment B on User { ...A } { me { ...A } }',
  'fragment A on User { ...A } { me { ...A } }',
  'fragment A on User { id ...B } fragment B on User { ...C } fragment C on User { ...A } { me { ...A } }',
  // UniqueVariableNames
  'query($a: String, $a: String) { city(slug: $a) { slug } }',
  'query($id: ID!, $id: ID!) { newcomer(id: $id) { id } }',
  // NoUndefinedVariables
  '{ city(slug: $s) { slug } }',
  'query($a: String!) { city(slug: $b) { slug } }',
  'query Q { newcomer(id: $id) { id } }',
  'fragment F on Query { city(slug: $s) { slug } } query Q { ...F }',
  // NoUnusedVariables
  'query($unused: String) { me { id } }',
  'query($a: String!, $b: Int) { city(slug: $a) { slug } }',
  'query($s: String) { cities { slug } }',
  // KnownDirectives
  '{ me @nope { id } }',
  '{ me { id @nope } }',
  'query @skip(if: true) { me { id } }',
  '{ me { id @deprecated } }',
  'fragment F on User @include(if: true) { id } { me { ...F } }',
  // UniqueDirectivesPerLocation
  '{ me { id @skip(if: true) @skip(if: false) } }',
  '{ me @include(if: true) @include(if: false) { id } }',
  // KnownArgumentNames
  '{ city(name: "x") { slug } }',
  '{ cities(first: 2) { slug } }',
  '{ me { id(x: 1) } }',
  '{ me { id @skip(unless: true) } }',
  '{ welcomeGroups(last: 2) { totalCount } }',
  // UniqueArgumentNames
  '{ city(slug: "a", slug: "b") { slug } }',
  '{ welcomeGroups(first: 1, first: 2) { totalCount } }',
  '{ me { id @skip(if: true, if: false) } }',
  // ValuesOfCorrectType
  '{ city(slug: 1) { slug } }',
  '{ city(slug: true) { slug } }',
  '{ city(slug: null) { slug } }',
  '{ welcomeGroups(first: "2") { totalCount } }',
  '{ welcomeGroups(first: 2.5) { totalCount } }',
  '{ welcomeGroups(first: 3000000000) { totalCount } }',
  '{ welcomeGroups(status: "READY") { totalCount } }',
  '{ welcomeGroups(status: REDY) { totalCount } }',
  '{ welcomeGroups(status: ready) { totalCount } }',
  '{ newcomers(status: READY) { totalCount } }',
  '{ newcomer(id: 1.5) { id } }',
  '{ newcomer(id: true) { id } }',
  '{ newcomer(id: ["a"]) { id } }',
  '{ me { id @skip(if: "yes") } }',
  '{ auditLog(filter: { nope: "x" }) { totalCount } }',
  '{ auditLog(filter: { citySlug: 1 }) { totalCount } }',
  '{ auditLog(filter: "city") { totalCount } }',
  '{ recommendations(newcomerId: "a", limit: "5") { score } }',
  'mutation { runMatching(input: { citySlug: "almere", objective: BEST }) { id } }',
  'mutation { runMatching(input: { citySlug: "almere", dryRun: "yes" }) { id } }',
  'mutation { runMatching(input: { citySlug: "almere", lockedPairs: [{ newcomerId: "a" }] }) { id } }',
  'mutation { logActivity(matchId: "m", input: { date: "2026-01-01", kind: DINNER, durationMinutes: 60, participants: 3 }) { id } }',
  'mutation { registerNewcomer(input: { citySlug: "almere" }) { id } }',
  'mutation { registerNewcomer(input: { citySlug: "almere", nope: 1 }) { id } }',
  // ProvidedRequiredArguments
  '{ city { slug } }',
  '{ newcomer { id } }',
  '{ scoringScripts { version } }',
  '{ me { id @skip } }',
  'mutation { login(email: "a@b.nl") { token } }',
  'mutation { withdrawNewcomer(id: "x") { id } }',
  // VariablesInAllowedPosition
  'query($id: Int!) { newcomer(id: $id) { id } }',
  'query($id: ID) { newcomer(id: $id) { id } }',
  'query($s: String) { city(slug: $s) { slug } }',
  'query($b: Boolean) { me { id @skip(if: $b) } }',
  'query($f: String) { welcomeGroups(first: $f) { totalCount } }',
  'query($s: NewcomerStatus) { welcomeGroups(status: $s) { totalCount } }',
  'query($ids: [ID]) { newcomer(id: $ids) { id } }',
  'query($l: [Int!]) { recommendations(newcomerId: "a", limit: $l) { score } }',
  'query($c: String) { auditLog(filter: { citySlug: $c, action: $c }) { totalCount } } query B($x: Int) { city(slug: $x) { slug } }',
  'mutation($d: String!) { acceptMatch(id: "m", introductionDate: $d) { id } }',
  // OverlappingFieldsCanBeMerged
  '{ me { x: id x: email } }',
  '{ cities { slug: name slug } }',
  '{ me { id: email id } }',
  '{ a: city(slug: "almere") { slug } a: city(slug: "den-haag") { slug } }',
  '{ welcomeGroups(first: 1) { totalCount } welcomeGroups(first: 2) { totalCount } }',
  // UniqueInputFieldNames
  '{ auditLog(filter: { citySlug: "a", citySlug: "b" }) { totalCount } }',
  'mutation { runMatching(input: { citySlug: "a", citySlug: "b" }) { id } }',
  // Syntax (parse errors)
  '{',
  '{ me { id }',
  '{ me { id } } }',
  'query { me(',
  '{ me { id } ',
  'query($: String) { me { id } }',
  '{ city(slug: "unterminated) { slug } }',
  '{ me { ...on } }',
  'fragment on User { id } { me { id } }',
  '{ me { id } } fragment',
  '...',
  '',
  '# only a comment',
  'fragment F on User { id }',
];

// Valid documents: both must accept them (they may then fail for want of a caller).
const valid = [
  '{ me { id } }',
  '{ cities { slug name } }',
  'query Q { me { id email role } }',
  'query($s: String!) { city(slug: $s) { slug } }',
  'query($s: String = "almere") { city(slug: $s) { slug } }',
  'query($b: Boolean!) { me { id @skip(if: $b) } }',
  'query($id: ID!) { newcomer(id: $id) { id } }',
  'query($st: GroupStatus) { welcomeGroups(status: $st, first: 5) { totalCount pageInfo { hasNextPage endCursor } } }',
  'fragment F on User { id email } { me { ...F } }',
  '{ me { ... on User { id } } }',
  '{ a: city(slug: "almere") { slug } b: city(slug: "den-haag") { slug } }',
  '{ __typename }',
  '{ __schema { queryType { name } } }',
  'query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }',
  'query($n: ID!, $l: Int!) { recommendations(newcomerId: $n, limit: $l) { score } }',
  'mutation($i: RunMatchingInput!) { runMatching(input: $i) { id } }',
  'mutation { login(email: "a@example.org", password: "x") { token } }',
  '{ welcomeGroups(first: 2) { nodes { id name members { id } } } }',
  'query A { me { id } } query B { cities { slug } }',
  '{ me { id } me { id } }',
];

async function server(query, variables, operationName) {
  const body = JSON.stringify({ query, variables, operationName });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });
  const json = await res.json();
  return json;
}

function serverVerdict(json) {
  const codes = (json.errors ?? []).map((e) => e.extensions?.code);
  if (codes.includes('GRAPHQL_PARSE_FAILED')) return 'parse';
  if (codes.includes('GRAPHQL_VALIDATION_FAILED')) return 'invalid';
  return 'valid';
}

function jsVerdict(query) {
  let doc;
  try {
    doc = parse(query);
  } catch {
    return 'parse';
  }
  return validate(schema, doc).length > 0 ? 'invalid' : 'valid';
}

let failures = 0;
const mustRefuse = invalid.filter((q) => jsVerdict(q) === 'valid');
for (const q of mustRefuse) {
  failures += 1;
  console.log(`CORPUS graphql-js accepts a document listed as invalid: ${q}`);
}
for (const q of [...invalid, ...valid]) {
  const js = jsVerdict(q);
  // A document with several operations is sent with the first one's name (graphql-js
  // validates them all; the server validates the document before it picks one).
  const op = q.match(/(?:query|mutation) ([A-Za-z]\w*)/)?.[1];
  const json = await server(q, undefined, op);
  const sv = serverVerdict(json);
  if (js !== sv) {
    failures += 1;
    console.log(`DIFFER graphql-js: ${js}, server: ${sv}: ${q}\n       ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
  }
}
console.log(`validation: ${invalid.length} invalid and ${valid.length} valid documents compared with graphql-js`);

// Variables that do not fit: one code, the variable and the field named, nothing run.
const variableCases = [
  ['query($id: ID!) { newcomer(id: $id) { id } }', {}, 'id', 'id'],
  ['query($id: ID!) { newcomer(id: $id) { id } }', { id: null }, 'id', 'id'],
  ['query($s: NewcomerStatus) { newcomers(status: $s) { totalCount } }', { s: 'WAITNG' }, 's', 's'],
  ['query($f: Int) { newcomers(first: $f) { totalCount } }', { f: 'ten' }, 'f', 'f'],
  ['query($f: Int) { newcomers(first: $f) { totalCount } }', { f: 3000000000 }, 'f', 'f'],
  ['query($b: Boolean!) { me { id @skip(if: $b) } }', { b: 'yes' }, 'b', 'b'],
  ['query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }', { f: { citySlug: 3 } }, 'f', 'citySlug'],
  ['query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }', { f: { nope: 'x' } }, 'f', 'nope'],
  ['mutation($i: RunMatchingInput!) { runMatching(input: $i) { id } }', { i: { dryRun: true } }, 'i', 'citySlug'],
  ['mutation($i: RunMatchingInput!) { runMatching(input: $i) { id } }', { i: { citySlug: 'almere', objective: 'BEST' } }, 'i', 'objective'],
  ['mutation($i: RunMatchingInput!) { runMatching(input: $i) { id } }', { i: { citySlug: 'almere', lockedPairs: [{ newcomerId: 'a' }] } }, 'i', 'lockedPairs[0].groupId'],
  ['mutation($i: ActivityInput!) { logActivity(matchId: "m", input: $i) { id } }', { i: { date: 'yesterday', kind: 'MEAL', durationMinutes: 60, participants: 3 } }, 'i', 'date'],
  ['mutation($d: Date) { acceptMatch(id: "m", introductionDate: $d) { id } }', { d: '2026-02-30' }, 'd', 'd'],
];
for (const [q, variables, variable, field] of variableCases) {
  const json = await server(q, variables);
  const e = (json.errors ?? [])[0];
  const ok = json.data === undefined && e?.extensions?.code === 'BAD_USER_INPUT' && e.extensions.variable === variable && e.extensions.field === field;
  if (!ok) {
    failures += 1;
    console.log(`VARIABLE expected BAD_USER_INPUT for $${variable} at ${field}: ${q} ${JSON.stringify(variables)}\n       ${JSON.stringify(json).slice(0, 300)}`);
  }
}
console.log(`variables: ${variableCases.length} misfits checked`);
console.log(failures === 0 ? 'validation conformance: ok' : `validation conformance: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
