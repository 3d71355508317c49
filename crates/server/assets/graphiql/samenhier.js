// Opens GraphiQL on /graphql with an example: log in, put the token in the Headers tab, then
// ask. Served from the server itself (no CDN), under a Content-Security-Policy that allows
// scripts and styles from this origin only.
(function () {
  var example = [
    '# samenhier GraphQL. Three steps:',
    '#',
    '# 1. Run "Login" (the play button, then pick Login) with your e-mail address and password.',
    '#    With `samenhier serve --demo`, the demo users and passwords are printed at start-up.',
    '# 2. Copy the token from the answer into the Headers tab below:',
    '#      { "Authorization": "Bearer <token>" }',
    '# 3. Run "Groups". The Docs button (top left) lists every type, field and argument.',
    '',
    'mutation Login {',
    '  login(email: "admin@demo.samenhier.nl", password: "the password") {',
    '    token',
    '    expiresAt',
    '    user { id role }',
    '  }',
    '}',
    '',
    'query Groups {',
    '  welcomeGroups(first: 5) {',
    '    totalCount',
    '    nodes { id name status city { name } memberCount }',
    '    pageInfo { hasNextPage endCursor }',
    '  }',
    '}',
    ''
  ].join('\n');
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: example,
    defaultHeaders: '{}',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false
  }));
})();
