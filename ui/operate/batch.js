// Batch operations (Camunda 8.8): one operation over every process instance a search filter finds,
// run by the broker item by item (a page cannot: a filter may match more than any page holds).
//   /operate/batch-operations         the operations: type, state, counts, start, end; filter by type, state
//   /operate/batch-operations/{key}   one operation: its counts, errors and items; Suspend, Resume, Cancel
// Everything through /v2: POST process-instances/cancellation | incident-resolution starts one (the
// migration and modification forms are batch_plan.js),
// POST batch-operations/search and batch-operation-items/search, GET batch-operations/{key} read
// them (secondary storage), POST batch-operations/{key}/suspension | resumption | cancellation act.
import { api, search } from '../shared/api.js';
import { formatDate, h, replace } from '../shared/dom.js';
import { showError, showNotice } from '../shared/messages.js';

const PAGE_SIZE = 50;

const TYPES = {
  CANCEL_PROCESS_INSTANCE: 'Cancel instances',
  RESOLVE_INCIDENT: 'Resolve incidents',
  MIGRATE_PROCESS_INSTANCE: 'Migrate instances',
  MODIFY_PROCESS_INSTANCE: 'Modify instances'
};

const STATES = [ 'CREATED', 'ACTIVE', 'SUSPENDED', 'COMPLETED', 'CANCELED', 'FAILED' ];

/** States in which the broker still works on an operation: the pages poll while one is. */
const RUNNING = [ 'CREATED', 'ACTIVE' ];

/** What a user may do with an operation in `state`, as the engine allows it (others are 409). */
const ACTIONS = [
  [ 'suspension', 'Suspend', [ 'CREATED', 'ACTIVE' ], 'suspended' ],
  [ 'resumption', 'Resume', [ 'SUSPENDED' ], 'resumed' ],
  [ 'cancellation', 'Cancel', [ 'CREATED', 'ACTIVE', 'SUSPENDED' ], 'canceled' ]
];

/** Starts a batch operation over the instances `filter` (a process instance search filter) finds:
 * `kind` is `cancellation` or `incident-resolution`. Answers {batchOperationKey, batchOperationType}. */
export function startBatch(kind, filter) {
  // the engine refuses an empty filter; every instance a batch operation acts on is active anyway
  const body = { filter: Object.keys(filter).length ? filter : { state: 'ACTIVE' } };
  return api('POST', `/process-instances/${kind}`, body);
}

function badge(state) {
  const label = state.charAt(0) + state.slice(1).toLowerCase();
  return h('span', { class: `badge batch-state state-${state.toLowerCase()}`, dataset: { state } }, label);
}

function typeLabel(type) {
  return TYPES[type] || type;
}

/** Completed, failed and total items, with a bar. */
function progress(operation) {
  const total = operation.operationsTotalCount || 0;
  const done = operation.operationsCompletedCount || 0;
  const failed = operation.operationsFailedCount || 0;
  const share = (n) => (total ? `${(100 * n) / total}%` : '0');
  return h('div', { class: 'batch-progress', dataset: { completed: done, failed, total } },
    h('div', { class: 'bar' }, h('span', { class: 'done', style: `width: ${share(done)}` }), h('span', { class: 'failed', style: `width: ${share(failed)}` })),
    h('span', { class: 'counts' }, `${done} completed · ${failed} failed · ${total} total`));
}

/** The buttons the operation's state allows; `after` runs once the broker took the command. */
function actionButtons(operation, after) {
  return ACTIONS.filter(([ , , states ]) => states.includes(operation.state)).map(([ path, label, , done ]) =>
    h('button', { class: `batch-${path}${path === 'cancellation' ? ' danger' : ''}`, onclick: async (event) => {
      event.target.disabled = true;
      try {
        await api('POST', `/batch-operations/${operation.batchOperationKey}/${path}`);
        showNotice(`Batch operation ${operation.batchOperationKey} ${done}`);
        after();
      } catch (error) {
        event.target.disabled = false;
        showError(error, `Could not ${label.toLowerCase()} batch operation ${operation.batchOperationKey}`);
      }
    } }, label));
}

/** Looks again a few times while the secondary storage catches up with an action. */
function soon(page, load) {
  for (const delay of [ 300, 1000, 2500 ]) setTimeout(() => page.active && load().catch(() => {}), delay);
}

export async function batchOperations(app, query, page, { link, router, current }) {
  current('batch-operations');
  document.title = 'Batch operations · Operate · Strom';
  const params = {
    type: TYPES[query.get('type')] ? query.get('type') : '',
    state: STATES.includes(query.get('state')) ? query.get('state') : '',
    from: Math.max(0, parseInt(query.get('from') || '0', 10) || 0)
  };
  const go = (changes) => router.go(router.href('/batch-operations', { ...params, ...changes }));
  const select = (name, options) => h('select', { name, onchange: (e) => go({ [name]: e.target.value, from: 0 }) },
    options.map(([ value, label ]) => h('option', { value, selected: value === params[name] }, label)));
  const list = h('div', { class: 'loading' }, 'Loading…');
  replace(app, h('h1', {}, 'Batch operations'),
    h('section', { class: 'card' }, h('div', { class: 'filters' },
      h('label', {}, 'Type', select('type', [ [ '', 'All types' ], ...Object.entries(TYPES) ])),
      h('label', {}, 'State', select('state', [ [ '', 'All states' ], ...STATES.map((state) => [ state, badge(state).textContent ]) ]))),
    h('p', { class: 'hint' }, 'Start one from ', link('/processes', 'Process instances'), ': filter the list, then "Cancel all", "Resolve incidents of all", or (one process version chosen) "Migrate all…" or "Move all…".')),
    h('section', { class: 'card', id: 'batch-operations' }, list));
  const filter = {};
  if (params.type) filter.operationType = params.type;
  if (params.state) filter.state = params.state;
  let running = false;

  async function load() {
    const result = await search('batch-operations', {
      filter,
      sort: [ { field: 'startDate', order: 'DESC' } ],
      page: { from: params.from, limit: PAGE_SIZE }
    });
    if (!page.active) return;
    running = result.items.some((operation) => RUNNING.includes(operation.state));
    const signature = JSON.stringify(result);
    if (list.dataset.signature === signature) return;
    list.dataset.signature = signature;
    const total = result.page.totalItems;
    const last = Math.min(params.from + result.items.length, total);
    const again = () => { list.dataset.signature = ''; soon(page, load); };
    replace(list,
      h('h2', {}, 'Operations', h('span', { class: 'count' }, String(total))),
      result.items.length ? h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Type'), h('th', {}, 'State'), h('th', {}, 'Items'),
          h('th', {}, 'Start'), h('th', {}, 'End'), h('th', {}, ''))),
        h('tbody', {}, result.items.map((operation) => h('tr', { class: 'batch-operation', dataset: { key: operation.batchOperationKey, state: operation.state, type: operation.batchOperationType } },
          h('td', {}, link(`/batch-operations/${operation.batchOperationKey}`, operation.batchOperationKey, null, { class: 'mono batch-link' })),
          h('td', {}, typeLabel(operation.batchOperationType)),
          h('td', {}, badge(operation.state)),
          h('td', {}, progress(operation)),
          h('td', {}, formatDate(operation.startDate)),
          h('td', {}, formatDate(operation.endDate)),
          h('td', {}, h('div', { class: 'actions' }, actionButtons(operation, again)))))))
        : h('p', { class: 'empty' }, params.type || params.state ? 'No batch operation matches these filters.' : 'No batch operation yet.'),
      h('div', { class: 'pager' },
        total ? `${params.from + 1}–${last} of ${total}` : '',
        h('button', { disabled: params.from === 0, onclick: () => go({ from: Math.max(0, params.from - PAGE_SIZE) }) }, 'Previous'),
        h('button', { disabled: last >= total, onclick: () => go({ from: params.from + PAGE_SIZE }) }, 'Next')));
  }

  try {
    await load();
  } catch (error) {
    replace(list, h('p', { class: 'empty' }, 'Could not load the batch operations.'));
    showError(error);
    return;
  }
  // poll quickly while an operation runs, slowly otherwise (a new one may be started elsewhere)
  let idle = 0;
  page.every(2000, () => {
    if (running || ++idle % 5 === 0) load().catch(() => {});
  });
}

export async function batchOperation(app, key, query, page, { link, router, current }) {
  current('batch-operations');
  document.title = `Batch operation ${key} · Operate · Strom`;
  const from = Math.max(0, parseInt(query.get('from') || '0', 10) || 0);
  const header = h('section', { class: 'card', id: 'batch-header' }, h('div', { class: 'loading' }, 'Loading…'));
  const items = h('section', { class: 'card', id: 'batch-items' });
  replace(app, h('p', {}, link('/batch-operations', '← Batch operations')),
    h('h1', {}, 'Batch operation ', h('span', { class: 'mono', id: 'batch-key' }, key)), header, items);
  let operation = null;
  let itemsUnsettled = false; // an item still active, or fewer items found than the operation counts

  async function load() {
    // the operation first, then its items: the secondary storage writes an operation's counts with
    // its items, so items read after the operation are never older than the counts shown
    const fresh = await api('GET', `/batch-operations/${key}`);
    const result = await search('batch-operation-items', {
      filter: { batchOperationKey: key },
      sort: [ { field: 'processInstanceKey' } ],
      page: { from, limit: PAGE_SIZE }
    });
    if (!page.active) return;
    operation = fresh;
    itemsUnsettled = result.items.some((item) => item.state === 'ACTIVE') ||
      result.page.totalItems < (fresh.operationsTotalCount || 0);
    renderHeader();
    renderItems(result);
  }

  function renderHeader() {
    const signature = JSON.stringify(operation);
    if (header.dataset.signature === signature) return;
    header.dataset.signature = signature;
    const again = () => { header.dataset.signature = ''; soon(page, load); };
    const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
    replace(header,
      h('dl', { class: 'facts' },
        fact('Type', h('span', { id: 'batch-type', dataset: { type: operation.batchOperationType } }, typeLabel(operation.batchOperationType))),
        fact('State', h('span', { id: 'batch-state' }, badge(operation.state))),
        fact('Start', formatDate(operation.startDate)),
        fact('End', formatDate(operation.endDate)),
        operation.actorId ? fact('Started by', operation.actorId) : null,
        fact('Items', progress(operation))),
      (operation.errors || []).length ? h('div', { class: 'batch-errors' }, h('h2', {}, 'Errors'),
        h('ul', {}, operation.errors.map((error) => h('li', { class: 'batch-error' },
          error.type ? h('strong', {}, error.type, ': ') : null, error.message || JSON.stringify(error))))) : null,
      h('div', { class: 'actions', id: 'batch-actions' }, actionButtons(operation, again)));
  }

  function renderItems(result) {
    const signature = JSON.stringify(result);
    if (items.dataset.signature === signature) return;
    items.dataset.signature = signature;
    const total = result.page.totalItems;
    const last = Math.min(from + result.items.length, total);
    const go = (to) => router.go(router.href(`/batch-operations/${key}`, { from: to }));
    const showItemKey = result.items.some((item) => item.itemKey !== item.processInstanceKey);
    replace(items,
      h('h2', {}, 'Items', h('span', { class: 'count', id: 'item-total' }, String(total))),
      result.items.length ? h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Process instance'), showItemKey ? h('th', {}, 'Item') : null,
          h('th', {}, 'State'), h('th', {}, 'Processed'), h('th', {}, 'Error'))),
        h('tbody', {}, result.items.map((item) => h('tr', { class: 'batch-item', dataset: { key: item.itemKey, instance: item.processInstanceKey, state: item.state } },
          h('td', {}, link(`/instances/${item.processInstanceKey}`, item.processInstanceKey, null, { class: 'mono instance-link' })),
          showItemKey ? h('td', { class: 'mono' }, item.itemKey) : null,
          h('td', {}, badge(item.state)),
          h('td', {}, formatDate(item.processedDate)),
          h('td', { class: 'error-message' }, item.errorMessage || '')))))
        : h('p', { class: 'empty' }, RUNNING.includes(operation.state) ? 'The broker is still looking for the instances the filter matches.' : 'The filter matched no instance.'),
      h('div', { class: 'pager' },
        total ? `${from + 1}–${last} of ${total}` : '',
        h('button', { disabled: from === 0, onclick: () => go(Math.max(0, from - PAGE_SIZE)) }, 'Previous'),
        h('button', { disabled: last >= total, onclick: () => go(from + PAGE_SIZE) }, 'Next')));
  }

  try {
    // an operation just started reaches the secondary storage a moment after the broker answered
    for (let attempt = 0; ; attempt++) {
      try {
        await load();
        break;
      } catch (error) {
        if (error.status !== 404 || attempt >= 20 || !page.active) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } catch (error) {
    replace(header, h('p', { class: 'empty' }, `Could not load batch operation ${key}.`));
    showError(error);
    return;
  }
  // the operation may be read before its first item is written: poll while it or an item runs, or
  // while fewer items are found than the operation counts
  page.every(1500, () => {
    if (RUNNING.includes(operation.state) || itemsUnsettled) load().catch(() => {});
  });
}
