// The REST API v2 of the broker that serves the page: every read and every action goes through it.
// Errors arrive as problem details ({title, status, detail}); they become ApiError with that detail.

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
  const init = { method, headers: { accept: 'application/json' } };
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
