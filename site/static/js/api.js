// The client of the HTTP API under /api/v1. It keeps the signed-in account
// and the CSRF token of the session, sends X-CSRF-Token on every
// state-changing request, and turns RFC 9457 problem details into ApiError.

const base = '/api/v1';

/** The signed-in account ({id, username, role}) or null, and the CSRF token. */
export const session = { account: null, csrf: '' };

const unauthListeners = new Set();
/** Calls fn() when a request finds the session gone (HTTP 401). */
export function onUnauthenticated(fn) {
  unauthListeners.add(fn);
}

/**
 * An error answer of the API. code is the stable problem code
 * ("validation_failed", "seats_exhausted", ...); errors holds the
 * per-field messages [{field, message}] of a validation problem.
 */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
  }
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds "/api/v1/path?k=v" from path and the non-empty params. */
export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const qs = q.toString();
  return base + path + (qs ? `?${qs}` : '');
}

async function send(method, path, body, params) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (unsafe.has(method) && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url(path, params), { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', title: 'network', detail: String(e && e.message ? e.message : e) });
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text && type.includes('json')) {
      try { data = JSON.parse(text); } catch { data = null; }
    } else if (text) {
      data = text;
    }
  }
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? data : { title: res.statusText, detail: typeof data === 'string' ? data.slice(0, 500) : '' };
    throw new ApiError(res.status, problem);
  }
  return data;
}

/**
 * api('POST', '/products', {...}) sends a request and returns the decoded
 * JSON answer. A CSRF failure is retried once with a fresh token; a 401
 * clears the session and notifies onUnauthenticated listeners.
 */
export async function api(method, path, body, params) {
  try {
    return await send(method, path, body, params);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'csrf_failed' && unsafe.has(method)) {
      await refreshSession();
      return send(method, path, body, params);
    }
    if (e instanceof ApiError && e.status === 401 && !path.startsWith('/auth/')) {
      session.account = null;
      session.csrf = '';
      for (const fn of unauthListeners) fn();
    }
    throw e;
  }
}

/** GET path with query params. */
export function get(path, params) {
  return api('GET', path, undefined, params);
}

function adopt(data) {
  session.account = data && data.account ? data.account : null;
  session.csrf = data && data.csrf_token ? data.csrf_token : '';
  return session.account;
}

/** Asks the server for the current session; returns the account or null. */
export async function refreshSession() {
  try {
    return adopt(await send('GET', '/auth/session'));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return adopt(null);
    throw e;
  }
}

/** Signs in with a password. */
export async function login(username, password) {
  return adopt(await send('POST', '/auth/login', { username, password }));
}

/** Creates the first admin account with the one-time setup token. */
export async function setup(token, username, password) {
  return adopt(await send('POST', '/auth/setup', { token, username, password }));
}

/** Ends the session. */
export async function logout() {
  try {
    await send('POST', '/auth/logout');
  } finally {
    adopt(null);
  }
}

/** Whether the signed-in account has one of the roles. */
export function hasRole(...roles) {
  return !!session.account && roles.includes(session.account.role);
}

/** The download URL of a license file. */
export function licenseFileURL(id) {
  return url(`/licenses/${encodeURIComponent(id)}/file`);
}
