// The REST API v2 of the broker that serves the page: every read and every action goes through it.
// Errors arrive as problem details ({title, status, detail}); they become ApiError with that detail.
// With `--auth basic` the requests carry the session cookie of the login page and the session's CSRF
// token; a 401 with the session challenge sends the user to the login page.
import { csrfToken, toLogin } from './session.js';

export const BASE = '/v2';

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

export async function api(method, path, body) {
  // X-Requested-With asks the broker for its session challenge rather than Basic (no browser prompt)
  const init = { method, headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' } };
  const csrf = csrfToken();
  if (csrf) init.headers['x-csrf-token'] = csrf;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (error) {
    throw new ApiError(0, 'UNAVAILABLE', `The broker did not answer ${method} ${path}: ${error.message}`);
  }
  if (response.status === 401 && (response.headers.get('www-authenticate') || '').startsWith('Session')) {
    toLogin();
    return new Promise(() => {}); // the page is being left for the login page
  }
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      // not a problem detail: keep the status line
    }
    throw new ApiError(
      response.status,
      problem.title || response.statusText || 'ERROR',
      problem.detail || `${method} ${path} answered ${response.status}`
    );
  }
  if (response.status === 204) {
    return null;
  }
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** One page of a search: `{items, page: {totalItems, ...}}`. */
export function search(resource, { filter, sort, page } = {}) {
  const body = {};
  if (filter) body.filter = filter;
  if (sort) body.sort = sort;
  if (page) body.page = page;
  return api('POST', `/${resource}/search`, body);
}

/** How many items a search matches (a page of none). */
export async function count(resource, filter) {
  const result = await search(resource, { filter, page: { limit: 0 } });
  return result.page.totalItems;
}

/** Every item of a search, page after page, up to `max` (keeps a runaway list bounded). */
export async function searchAll(resource, { filter, sort } = {}, max = 2000) {
  const items = [];
  let after;
  for (;;) {
    const page = { limit: Math.min(500, max - items.length) };
    if (after) page.after = after;
    const result = await search(resource, { filter, sort, page });
    items.push(...result.items);
    if (!result.items.length || items.length >= max || items.length >= result.page.totalItems) {
      return { items, total: result.page.totalItems };
    }
    after = result.page.endCursor;
  }
}
