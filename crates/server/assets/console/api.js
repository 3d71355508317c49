// The console's only way to the server: the public GraphQL API at POST /graphql, as any
// partner front end uses it. The token lives in this module's memory only — never in
// localStorage, a cookie or a URL — so closing or reloading the tab signs out, and a
// script injected elsewhere on another page cannot read it back from storage.

let token = null;
let onSessionEnded = () => {};

/** An error the API answered, with its `extensions.code` and, where given, the field. */
export class ApiError extends Error {
  constructor(message, code, extensions = {}) {
    super(message);
    this.code = code;
    this.field = extensions.field ?? null;
    this.extensions = extensions;
  }
}

export function setToken(t) {
  token = t;
}

export function signedIn() {
  return token !== null;
}

/** Forgets the token (sign-out, or the server said the session ended). */
export function forgetToken() {
  token = null;
}

/** Called once by the shell: what to do when the server no longer accepts the token. */
export function whenSessionEnds(callback) {
  onSessionEnded = callback;
}

/**
 * Runs one operation. Resolves with `data`; rejects with an ApiError carrying the first
 * error's code (a partial answer is treated as a failure: every screen needs all it asked).
 */
export async function gql(query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError('', 'INTERNAL');
  }
  const errors = body.errors ?? [];
  if (errors.length > 0) {
    const first = errors[0];
    const ext = first.extensions ?? {};
    const code = ext.code ?? 'INTERNAL';
    if (code === 'UNAUTHENTICATED' && token !== null) {
      token = null;
      onSessionEnded();
    }
    throw new ApiError(first.message ?? '', code, ext);
  }
  return body.data;
}

/**
 * Downloads one file of the export endpoint (`GET /exports/…`) with the token in the
 * Authorization header, as the API asks; resolves with the file as a Blob and its name.
 */
export async function download(path) {
  let response;
  try {
    response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  if (response.status === 401) {
    if (token !== null) {
      token = null;
      onSessionEnded();
    }
    throw new ApiError('', 'UNAUTHENTICATED');
  }
  if (!response.ok) {
    // The body is a GraphQL-style error (code, field, message); the status decides when not.
    const byStatus = { 403: 'FORBIDDEN', 400: 'BAD_USER_INPUT', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' }[response.status] ?? 'INTERNAL';
    const error = await response.json().then((b) => b?.errors?.[0], () => null);
    throw new ApiError(error?.message ?? '', error?.extensions?.code ?? byStatus, error?.extensions ?? {});
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? path.split('/').pop();
  return { blob: await response.blob(), name, rows: response.headers.get('x-export-rows') };
}
