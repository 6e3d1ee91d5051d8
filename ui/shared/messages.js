// The message bar: errors show the problem detail the broker sent; notices confirm an action.
import { h } from './dom.js';

let bar;

function container() {
  if (!bar) {
    bar = h('div', { id: 'messages', role: 'status', 'aria-live': 'polite' });
    document.body.prepend(bar);
  }
  return bar;
}

function show(kind, title, text, timeout) {
  const message = h('div', { class: `message message-${kind}` },
    title ? h('strong', {}, title, ': ') : null,
    h('span', { class: 'message-text' }, text),
    h('button', { class: 'message-close', title: 'Dismiss', onclick: () => message.remove() }, '×')
  );
  container().append(message);
  if (timeout) setTimeout(() => message.remove(), timeout);
  return message;
}

/** Shows an error: an ApiError's problem detail (its title and detail), or any Error's message. */
export function showError(error, what) {
  const detail = error && (error.detail || error.message) || String(error);
  const title = what || (error && error.title) || 'Error';
  console.error(title, error);
  return show('error', title, detail, 0);
}

export function showNotice(text, timeout = 4000) {
  return show('notice', null, text, timeout);
}

export function clearMessages() {
  container().replaceChildren();
}
