// A few helpers to build the DOM by hand, plus the formatting every page shares.

/** `h('a', {href: '/x', onclick}, 'text', child)`: attributes starting with `on` are listeners. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [ name, value ] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== 'string') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) {
      append(element, child);
    } else {
      element.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replaces the children of `element` (a placeholder marked `loading` is loaded then). */
export function replace(element, ...children) {
  element.classList.remove('loading');
  element.replaceChildren();
  append(element, children);
  return element;
}

export function formatDate(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const STATE_LABELS = {
  ACTIVE: 'Active',
  COMPLETED: 'Completed',
  TERMINATED: 'Canceled',
  CANCELED: 'Canceled',
  CREATED: 'Open',
  FAILED: 'Failed',
  RESOLVED: 'Resolved',
  PENDING: 'Pending'
};

/** A state badge; `incident` turns an active one red. */
export function stateBadge(state, incident = false) {
  const name = incident && state === 'ACTIVE' ? 'INCIDENT' : state;
  const label = name === 'INCIDENT' ? 'Incident' : (STATE_LABELS[state] || state);
  return h('span', { class: `badge state-${String(name).toLowerCase()}`, dataset: { state: name } }, label);
}

/** A variable's JSON text, shortened for tables. */
export function shortValue(text, max = 120) {
  if (text === null || text === undefined) return '';
  return text.length > max ? text.slice(0, max) + '…' : text;
}
