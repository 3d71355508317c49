// Apollo Client 3 with InMemoryCache, configured as README.md shows ("Apollo Client"), reads a
// page of welcome groups with their members (then the next page, merged), a household, and a
// dry run with its pairs, twice each; fails on any warning or error Apollo logs ("Missing
// field", "Cache data may be lost", ...) and on answers the cache does not hold.
//
//   node apollo.mjs URL ADMIN_EMAIL ADMIN_PASSWORD
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client/core/index.js';
import { relayStylePagination } from '@apollo/client/utilities/index.js';

const [url = 'http://127.0.0.1:18201/graphql', email, password] = process.argv.slice(2);

const logged = [];
for (const level of ['warn', 'error']) {
  const original = console[level];
  console[level] = (...args) => {
    logged.push(`${level}: ${args.map(String).join(' ')}`);
    original(...args);
  };
}

// The type policy of README.md: the Relay connections merge their pages by cursor; the lists
// of a run are values of the run, replaced whole.
const typePolicies = {
  Query: {
    fields: {
      welcomeGroups: relayStylePagination(['citySlug', 'status']),
      newcomers: relayStylePagination(['citySlug', 'status']),
      matches: relayStylePagination(['citySlug', 'status']),
      auditLog: relayStylePagination(['filter']),
    },
  },
  Match: { fields: { activities: relayStylePagination() } },
};

let token = null;
const client = new ApolloClient({
  link: new HttpLink({
    uri: url,
    fetch: (uri, options) => {
      const headers = { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
      return fetch(uri, { ...options, headers });
    },
  }),
  cache: new InMemoryCache({ typePolicies }),
});

const login = await client.mutate({
  mutation: gql`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt user { id role } } }`,
  variables: { e: email, p: password },
});
token = login.data.login.token;

const GROUPS = gql`
  query Groups($after: String) {
    welcomeGroups(first: 3, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name status city { slug name } members { id name isCoordinator } coordinator { id name } currentMatch { id status } } }
    }
  }`;
const first = await client.query({ query: GROUPS });
const groups = first.data.welcomeGroups;
if (groups.edges.length === 0) throw new Error('the demo has no welcome groups');
const more = await client.query({ query: GROUPS, variables: { after: groups.pageInfo.endCursor }, fetchPolicy: 'network-only' });
// The second page is merged behind the first (relayStylePagination): six distinct groups.
const merged = client.readQuery({ query: GROUPS });
const expected = groups.edges.length * 2;
const distinct = new Set(merged.welcomeGroups.edges.map((e) => e.node.id)).size;
if (more.data.welcomeGroups.edges.length !== expected || distinct !== expected) {
  throw new Error(`the cache holds ${distinct} distinct groups after two pages, expected ${expected}`);
}
// Read again: from the cache, the same objects.
const again = await client.query({ query: GROUPS, fetchPolicy: 'cache-first' });
if (again.data.welcomeGroups.edges[0].node.id !== groups.edges[0].node.id) throw new Error('the cache lost the first page');

const NEWCOMERS = gql`
  query { newcomers(first: 2) { totalCount edges { node { id name status city { slug } languages { code level } goals createdAt } } } }`;
await client.query({ query: NEWCOMERS });
await client.query({ query: NEWCOMERS, fetchPolicy: 'network-only' });

const RUN = gql`
  mutation($input: RunMatchingInput!) {
    runMatching(input: $input) {
      id status objective matchedCount eligiblePairs totalScore scriptVersion emptyReason
      pairs { newcomer { id name } group { id name } score explanation { criterion points } match { id status } }
      unmatched { newcomer { id } reason }
      quality { exactTotalScore rescoredOnRhai overallMatchRate byGender { group matchRate } }
    }
  }`;
const run = await client.mutate({ mutation: RUN, variables: { input: { citySlug: 'almere', dryRun: true } } });
const runId = run.data.runMatching.id;
const READ_RUN = gql`
  query($id: ID!) {
    matchingRun(id: $id) {
      id status matchedCount
      pairs { newcomer { id name } group { id name } score explanation { criterion points } match { id status } }
      unmatched { newcomer { id } reason }
      quality { exactTotalScore rescoredOnRhai overallMatchRate byGender { group matchRate } }
    }
  }`;
await client.query({ query: READ_RUN, variables: { id: runId } });
await client.query({ query: READ_RUN, variables: { id: runId }, fetchPolicy: 'network-only' });

if (logged.length > 0) {
  console.log(`apollo: ${logged.length} warnings or errors logged`);
  process.exit(1);
}
console.log(`apollo: ${expected} groups over two pages, 2 households, a dry run of ${run.data.runMatching.pairs.length} pairs read twice without a warning`);
