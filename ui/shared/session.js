// Login sessions (`--auth basic`): the login page, who is logged in, and logging out.
// The broker sets an HttpOnly session cookie on POST /auth/login and a readable CSRF cookie that
// api.js echoes in X-CSRF-Token; with `--auth none` /v2 never answers 401 and none of this shows.
import { h, replace } from './dom.js';

export const LOGIN_PATH = '/login';

/** The session's CSRF token (the strom_csrf cookie), or null without a session. */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [ name, ...value ] = part.trim().split('=');
    if (name === 'strom_csrf') return decodeURIComponent(value.join('='));
  }
  return null;
}

/** Goes to the login page, which brings the user back here afterwards. */
export function toLogin() {
  if (location.pathname === LOGIN_PATH) return;
  const next = location.pathname + location.search + location.hash;
  location.assign(`${LOGIN_PATH}?next=${encodeURIComponent(next)}`);
}

/** Where to go after logging in: a path of this broker only (never another site). */
export function safeNext(next) {
  if (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')) {
    return next;
  }
  return '/operate/';
}

/** The login form, on `app`: POST /auth/login, then back to `next`. */
export function loginPage(app, query) {
  document.title = 'Log in · Strom';
  document.body.classList.add('login-page');
  const error = h('p', { class: 'login-error', id: 'login-error', role: 'alert', hidden: true });
  const button = h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form', { class: 'card login', id: 'login-form', onsubmit: submit },
    h('h1', {}, 'Log in to Strom'),
    h('label', {}, 'Username', h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, autofocus: true })),
    h('label', {}, 'Password', h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    error,
    button);
  replace(app, form);

  async function submit(event) {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    const data = new FormData(form);
    try {
      const response = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        body: JSON.stringify({ username: data.get('username'), password: data.get('password') })
      });
      if (response.ok) {
        location.assign(safeNext(query.get('next')));
        return;
      }
      let problem = {};
      try {
        problem = await response.json();
      } catch {
        // not a problem detail
      }
      error.textContent = response.status === 401 ? 'Invalid username or password.' : (problem.detail || `The broker answered ${response.status}.`);
    } catch (failure) {
      error.textContent = `The broker did not answer: ${failure.message}`;
    }
    error.hidden = false;
    button.disabled = false;
    form.querySelector('#password').select();
  }
}

/** Shows who is logged in and a Log out button in the top bar, when the user logged in here. */
export function showSession(me, { alwaysName = false } = {}) {
  const user = document.getElementById('user');
  if (user && (alwaysName || me.canLogout)) {
    user.textContent = me.displayName && me.displayName !== me.username ? `${me.displayName} (${me.username})` : me.username;
    user.dataset.username = me.username;
  }
  const button = document.getElementById('logout');
  if (button && me.canLogout) {
    button.hidden = false;
    button.onclick = logout;
  }
}

export async function logout() {
  try {
    await fetch('/auth/logout', { method: 'POST', headers: { 'x-requested-with': 'XMLHttpRequest' } });
  } finally {
    location.assign(LOGIN_PATH);
  }
}
