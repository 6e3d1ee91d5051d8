// Operate: see what runs and act on it, through the broker's REST API v2 only.
//   /operate/                     dashboard: running instances and incidents per process
//   /operate/processes            process instances: filter, sort, page
//   /operate/instances/{key}      one instance: diagram with its tokens, incidents, variables, history tree
//   /operate/instances/{key}/records   its record log: filter, why?, tokens after any record (records.js)
//   /operate/batch-operations     batch operations (over a filter): state, counts; one with its items
//   /operate/decisions            evaluated decisions: filter, sort, page
//   /operate/decisions/{key}      one evaluation: inputs, matched rules, outputs, result
//   /login                        the login form (`--auth basic`), served with Operate's page
import '../shared/style.css';
import './diagram.css';

import { api, count, search, searchAll } from '../shared/api.js';
import { formatDate, h, replace, shortValue, stateBadge } from '../shared/dom.js';
import { showError, showNotice } from '../shared/messages.js';
import { Router } from '../shared/router.js';
import { LOGIN_PATH, loginPage, showSession } from '../shared/session.js';
import { tenancyOf, tenantLabel } from '../shared/tenancy.js';
import { batchOperation, batchOperations, startBatch } from './batch.js';
import { BatchPlan } from './batch_plan.js';
import { Diagram } from './diagram.js';
import { instanceTabs, recordLog } from './records.js';
import { InstanceTree } from './tree.js';

const app = document.getElementById('app');
const PAGE_SIZE = 50;
/** Whether the broker runs with multi-tenancy (from /authentication/me, read before the first page). */
let tenancy = tenancyOf(null);

const router = new Router('/operate', [
  [ /^\/?$/, dashboard ],
  [ /^\/processes\/?$/, processes ],
  [ /^\/instances\/(\d+)\/?$/, instance ],
  [ /^\/instances\/(\d+)\/records\/?$/, (match, query, page) => recordLog(app, match[1], query, page, { link, router, current }) ],
  [ /^\/batch-operations\/?$/, (match, query, page) => batchOperations(app, query, page, { link, router, current }) ],
  [ /^\/batch-operations\/(\d+)\/?$/, (match, query, page) => batchOperation(app, match[1], query, page, { link, router, current }) ],
  [ /^\/decisions\/?$/, decisions ],
  [ /^\/decisions\/([\w-]+)\/?$/, decision ],
  [ /^\/login\/?$/, (match, query) => loginPage(app, query) ]
], notFound);

function link(path, text, query, attributes = {}) {
  return h('a', { href: router.href(path, query), 'data-link': true, ...attributes }, text);
}

function current(section) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('current', a.dataset.nav === section);
  }
}

function notFound(path) {
  current(null);
  replace(app, h('div', { class: 'card' }, h('h1', {}, 'Not found'),
    h('p', {}, `Operate has no page at ${path}. `, link('/', 'Go to the dashboard'))));
}

/** Each process id with its name and definitions, latest first: [{id, name, tenantId, versions:
 * [{version, key}]}]; with multi-tenancy one entry per tenant and id (each tenant has its own
 * version line), and only `tenantId`'s when given. */
async function processList(tenantId = '') {
  const { items } = await searchAll('process-definitions', {
    filter: tenantId ? { tenantId } : undefined,
    sort: [ { field: 'processDefinitionId' }, { field: 'tenantId' }, { field: 'version', order: 'DESC' } ]
  });
  const byId = new Map();
  for (const definition of items) {
    const id = tenancy.multi ? `${definition.tenantId}\u0000${definition.processDefinitionId}` : definition.processDefinitionId;
    let entry = byId.get(id);
    if (!entry) {
      entry = { id: definition.processDefinitionId, name: definition.name, tenantId: definition.tenantId, versions: [] };
      byId.set(id, entry);
    }
    entry.versions.push({ version: definition.version, key: definition.processDefinitionKey });
  }
  return [ ...byId.values() ];
}

/** Runs `tasks` (functions returning promises) a few at a time. */
async function limited(tasks, parallel = 4) {
  const results = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  return results;
}

// -- dashboard -------------------------------------------------------------------------------------

async function dashboard(match, query, page) {
  current('dashboard');
  document.title = 'Dashboard · Operate · Strom';
  const tiles = h('div', { class: 'tiles' });
  const table = h('div', { class: 'loading' }, 'Loading…');
  const byMessage = h('div', {});
  const recent = h('div', {});
  replace(app, h('h1', {}, 'Dashboard'), tiles,
    h('section', { class: 'card', id: 'process-overview' }, h('h2', {}, 'Processes'), table),
    h('div', { class: 'columns' },
      h('section', { class: 'card', id: 'incidents-by-message' }, byMessage),
      h('section', { class: 'card', id: 'recent-activity' }, recent)));

  /** Open incidents grouped by error message (of the first 2000), with the processes they are in. */
  async function loadIncidents() {
    const { items, total } = await searchAll('incidents', { filter: { state: 'ACTIVE' } }, 2000);
    const groups = new Map();
    for (const incident of items) {
      const message = incident.errorMessage || '(no message)';
      const group = groups.get(message) || { message, count: 0, processes: new Set() };
      group.count++;
      group.processes.add(incident.processDefinitionId);
      groups.set(message, group);
    }
    const sorted = [ ...groups.values() ].sort((a, b) => b.count - a.count).slice(0, 20);
    update(byMessage, sorted.map((g) => [ g.message, g.count, [ ...g.processes ] ]), () => [
      h('h2', {}, 'Incidents by error message', h('span', { class: 'count' }, total > items.length ? `first ${items.length} of ${total}` : String(total))),
      sorted.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Message'), h('th', {}, 'Processes'), h('th', { class: 'number' }, 'Incidents'))),
        h('tbody', {}, sorted.map((group) => h('tr', { class: 'incident-group' },
          h('td', { class: 'incident-message' }, link('/processes', group.message, { state: 'incidents', error: group.message })),
          h('td', {}, [ ...group.processes ].join(', ')),
          h('td', { class: 'number' }, group.count)))))
        : h('p', { class: 'empty' }, 'No open incidents.')
    ]);
  }

  /** The instances started or finished last. */
  async function loadRecent() {
    const [ started, finished ] = await Promise.all([
      search('process-instances', { sort: [ { field: 'startDate', order: 'DESC' } ], page: { limit: 8 } }),
      search('process-instances', { filter: { endDate: { $exists: true } }, sort: [ { field: 'endDate', order: 'DESC' } ], page: { limit: 8 } })
    ]);
    const events = [
      ...started.items.map((item) => ({ item, what: 'started', at: item.startDate })),
      ...finished.items.map((item) => ({ item, what: item.state === 'COMPLETED' ? 'completed' : 'canceled', at: item.endDate }))
    ].sort((a, b) => (b.at || '').localeCompare(a.at || '')).slice(0, 10);
    update(recent, events.map((e) => [ e.item.processInstanceKey, e.what, e.at ]), () => [
      h('h2', {}, 'Recent activity'),
      events.length ? h('table', {}, h('tbody', {}, events.map(({ item, what, at }) => h('tr', { class: 'activity', dataset: { key: item.processInstanceKey, what } },
        h('td', {}, formatDate(at)),
        h('td', {}, item.processDefinitionName || item.processDefinitionId, ' ',
          link(`/instances/${item.processInstanceKey}`, item.processInstanceKey, null, { class: 'mono' })),
        h('td', {}, what)))))
        : h('p', { class: 'empty' }, 'Nothing has run yet.')
    ]);
  }

  async function load() {
    const [ running, incidents, processes ] = await Promise.all([
      count('process-instances', { state: 'ACTIVE' }),
      count('process-instances', { state: 'ACTIVE', hasIncident: true }),
      processList()
    ]);
    const shown = processes.slice(0, 100);
    const rows = await limited(shown.map((process) => async () => {
      const scope = { processDefinitionId: process.id, ...(tenancy.multi ? { tenantId: process.tenantId } : {}) };
      const [ active, withIncidents ] = await Promise.all([
        count('process-instances', { ...scope, state: 'ACTIVE' }),
        count('process-instances', { ...scope, state: 'ACTIVE', hasIncident: true })
      ]);
      return { process, active, withIncidents };
    }));
    if (!page.active) return;
    replace(tiles,
      h('div', { class: 'tile running' },
        h('div', { class: 'number', id: 'running-count' }, running),
        h('div', { class: 'label' }, link('/processes', 'Running instances', { state: 'running' }))),
      h('div', { class: 'tile incidents' },
        h('div', { class: 'number', id: 'incident-count' }, incidents),
        h('div', { class: 'label' }, link('/processes', 'Instances with incidents', { state: 'incidents' }))),
      h('div', { class: 'tile' },
        h('div', { class: 'number' }, processes.length),
        h('div', { class: 'label' }, 'Deployed processes')));
    if (!rows.length) {
      replace(table, h('p', { class: 'empty' }, 'No process is deployed yet.'));
      return;
    }
    const tenant = (process) => (tenancy.multi ? process.tenantId : undefined);
    replace(table, h('table', {},
      h('thead', {}, h('tr', {},
        h('th', {}, 'Process'), tenancy.multi ? h('th', { class: 'tenant' }, 'Tenant') : null, h('th', {}, 'Versions'),
        h('th', { class: 'number' }, 'Running instances'), h('th', { class: 'number' }, 'With incidents'))),
      h('tbody', {}, rows.map(({ process, active, withIncidents }) => h('tr', { dataset: { process: process.id, tenant: tenant(process) } },
        h('td', {}, link('/processes', process.name || process.id, { process: process.id, tenant: tenant(process), state: 'all' }),
          process.name ? h('div', { class: 'mono' }, process.id) : null),
        tenancy.multi ? h('td', { class: 'tenant' }, tenantLabel(tenancy, process.tenantId)) : null,
        h('td', {}, process.versions.length),
        h('td', { class: 'number running' }, link('/processes', active, { process: process.id, tenant: tenant(process), state: 'running' })),
        h('td', { class: 'number incidents' },
          withIncidents ? link('/processes', withIncidents, { process: process.id, tenant: tenant(process), state: 'incidents' }) : '0'))))),
    processes.length > shown.length ? h('p', { class: 'empty' }, `The first ${shown.length} of ${processes.length} processes.`) : null);
  }

  try {
    await Promise.all([ load(), loadIncidents(), loadRecent() ]);
  } catch (error) {
    replace(table, h('p', { class: 'empty' }, 'Could not load the dashboard.'));
    showError(error);
    return;
  }
  page.every(10000, () => Promise.all([ load(), loadIncidents(), loadRecent() ]).catch(() => {}));
}

// -- process instances -----------------------------------------------------------------------------

const STATES = {
  running: { label: 'Running', filter: { state: 'ACTIVE' } },
  incidents: { label: 'With incidents', filter: { state: 'ACTIVE', hasIncident: true } },
  completed: { label: 'Completed', filter: { state: 'COMPLETED' } },
  canceled: { label: 'Canceled', filter: { state: 'TERMINATED' } },
  finished: { label: 'Finished', filter: { state: { $in: [ 'COMPLETED', 'TERMINATED' ] } } },
  all: { label: 'All', filter: {} }
};

const COLUMNS = [
  [ 'processInstanceKey', 'Instance key' ],
  [ 'processDefinitionId', 'Process' ],
  [ 'processDefinitionVersion', 'Version' ],
  [ 'state', 'State' ],
  [ 'startDate', 'Start' ],
  [ 'endDate', 'End' ]
];

async function processes(match, query, page) {
  current('processes');
  document.title = 'Processes · Operate · Strom';
  const columns = tenancy.multi ? [ ...COLUMNS.slice(0, 3), [ 'tenantId', 'Tenant' ], ...COLUMNS.slice(3) ] : COLUMNS;
  const params = {
    process: query.get('process') || '',
    version: query.get('version') || '',
    tenant: tenancy.multi ? query.get('tenant') || '' : '',
    state: STATES[query.get('state')] ? query.get('state') : 'running',
    key: query.get('key') || '',
    element: query.get('element') || '',
    error: query.get('error') || '',
    variable: query.get('variable') || '',
    value: query.get('value') || '',
    after: query.get('after') || '',
    before: query.get('before') || '',
    endedAfter: query.get('endedAfter') || '',
    endedBefore: query.get('endedBefore') || '',
    sort: columns.some(([ field ]) => field === query.get('sort')) ? query.get('sort') : 'startDate',
    order: query.get('order') === 'asc' ? 'asc' : 'desc',
    from: Math.max(0, parseInt(query.get('from') || '0', 10) || 0)
  };
  const go = (changes) => router.go(router.href('/processes', { ...params, ...changes }));
  const tenantSelect = tenancy.multi ? h('select', { name: 'tenant', onchange: (e) => go({ tenant: e.target.value, process: '', version: '', from: 0 }) },
    h('option', { value: '' }, 'All my tenants'),
    tenancy.tenants.map(({ tenantId }) => h('option', { value: tenantId, selected: tenantId === params.tenant }, tenantLabel(tenancy, tenantId))))
    : null;

  const processSelect = h('select', { name: 'process', onchange: (e) => go({ process: e.target.value, version: '', from: 0 }) },
    h('option', { value: '' }, 'All processes'));
  const versionSelect = h('select', { name: 'version', onchange: (e) => go({ version: e.target.value, from: 0 }) },
    h('option', { value: '' }, 'All versions'));
  const stateSelect = h('select', { name: 'state', onchange: (e) => go({ state: e.target.value, from: 0 }) },
    Object.entries(STATES).map(([ value, { label } ]) => h('option', { value, selected: value === params.state }, label)));
  const keyInput = h('input', { name: 'key', placeholder: 'Instance key', value: params.key, size: 20,
    onchange: (e) => go({ key: e.target.value.trim(), from: 0 }) });
  const elementInput = h('input', { name: 'element', placeholder: 'Element id', value: params.element, size: 16,
    onchange: (e) => go({ element: e.target.value.trim(), from: 0 }) });
  const text = (name, placeholder, size) => h('input', { name, placeholder, size, value: params[name],
    onchange: (e) => go({ [name]: e.target.value.trim(), from: 0 }) });
  const date = (name) => h('input', { name, type: 'datetime-local', step: 1, value: params[name],
    onchange: (e) => go({ [name]: e.target.value, from: 0 }) });
  const results = h('div', { class: 'loading' }, 'Loading…');
  const diagramCard = h('section', { class: 'card', id: 'definition', hidden: true });
  const planCard = h('section', { class: 'card batch-plan', id: 'batch-plan', hidden: true });
  replace(app, h('h1', {}, 'Process instances'),
    h('section', { class: 'card', id: 'filters' }, h('div', { class: 'filters' },
      tenantSelect ? h('label', {}, 'Tenant', tenantSelect) : null,
      h('label', {}, 'Process', processSelect), h('label', {}, 'Version', versionSelect),
      h('label', {}, 'State', stateSelect), h('label', {}, 'Element', elementInput),
      h('label', {}, 'Instance key', keyInput)),
    h('div', { class: 'filters more' },
      h('label', {}, 'Incident message contains', text('error', 'e.g. declined', 18)),
      h('label', {}, 'Variable name', text('variable', 'name', 12)),
      h('label', {}, 'Variable value (JSON)', text('value', '"A-1" or 42', 12)),
      h('label', {}, 'Started after', date('after')),
      h('label', {}, 'Started before', date('before')),
      h('label', {}, 'Ended after', date('endedAfter')),
      h('label', {}, 'Ended before', date('endedBefore')))),
    diagramCard,
    planCard,
    h('section', { class: 'card', id: 'instances' }, results));

  const listed = processList(params.tenant);
  listed.then((list) => {
    const listed = new Set();
    for (const process of list) {
      if (listed.has(process.id)) continue; // the same id in several tenants: one option
      listed.add(process.id);
      processSelect.append(h('option', { value: process.id, selected: process.id === params.process }, process.name || process.id));
      if (process.id === params.process) {
        for (const { version } of process.versions) {
          versionSelect.append(h('option', { value: version, selected: String(version) === params.version }, `Version ${version}`));
        }
        const shown = process.versions.find(({ version }) => String(version) === params.version) || process.versions[0];
        if (shown) showDefinition(process, shown);
      }
    }
    if (params.process && !list.some((process) => process.id === params.process)) {
      processSelect.append(h('option', { value: params.process, selected: true }, params.process));
    }
  }).catch((error) => showError(error, 'Could not load the processes'));

  /** The process's diagram with a badge per element: active, incidents, completed, canceled
   * element instances of the definition; a click on an element filters the instances by it. */
  let diagram = null;
  page.onLeave(() => diagram && diagram.destroy());
  async function showDefinition(process, { version, key }) {
    const box = h('div', { class: 'diagram clickable', id: 'definition-diagram' });
    diagramCard.hidden = false;
    replace(diagramCard,
      h('h2', {}, process.name || process.id, h('span', { class: 'count' },
        `version ${version}${params.version ? '' : ' (the latest)'}; click an element to filter by it`)),
      box);
    try {
      const [ xml, statistics ] = await Promise.all([
        api('GET', `/process-definitions/${key}/xml`),
        api('POST', `/process-definitions/${key}/statistics/element-instances`, {})
      ]);
      if (!page.active) return;
      diagram = new Diagram(box);
      await diagram.show(xml);
      diagram.badges(statistics.items);
      if (params.element) diagram.viewer.get('canvas').addMarker(params.element, 'strom-selected');
      diagram.onClick((elementId) => go({ element: elementId === params.element ? '' : elementId, from: 0 }));
      box.dataset.marked = 'true';
      page.every(5000, async () => {
        const fresh = await api('POST', `/process-definitions/${key}/statistics/element-instances`, {});
        if (page.active) diagram.badges(fresh.items);
        if (params.element) diagram.viewer.get('canvas').addMarker(params.element, 'strom-selected');
      });
    } catch (error) {
      showError(error, 'Could not show the process diagram');
    }
  }

  const filter = { ...STATES[params.state].filter };
  if (params.process) filter.processDefinitionId = params.process;
  if (params.tenant) filter.tenantId = params.tenant;
  if (params.version) filter.processDefinitionVersion = parseInt(params.version, 10);
  if (params.key) filter.processInstanceKey = params.key;
  if (params.element) filter.elementId = params.element;
  if (params.error) filter.errorMessage = { $like: `*${params.error}*` };
  if (params.variable) filter.variables = [ params.value ? { name: params.variable, value: params.value } : { name: params.variable } ];
  const started = {};
  if (params.after) started.$gte = new Date(params.after).toISOString();
  if (params.before) started.$lte = new Date(params.before).toISOString();
  if (Object.keys(started).length) filter.startDate = started;
  const ended = {};
  if (params.endedAfter) ended.$gte = new Date(params.endedAfter).toISOString();
  if (params.endedBefore) ended.$lte = new Date(params.endedBefore).toISOString();
  if (Object.keys(ended).length) filter.endDate = ended;

  async function load() {
    const result = await search('process-instances', {
      filter,
      sort: [ { field: params.sort, order: params.order.toUpperCase() } ],
      page: { from: params.from, limit: PAGE_SIZE }
    });
    if (!page.active) return;
    const total = result.page.totalItems;
    const header = columns.map(([ field, label ]) => {
      const sorted = field === params.sort ? `sorted-${params.order}` : '';
      const order = field === params.sort && params.order === 'desc' ? 'asc' : 'desc';
      return h('th', { class: `sortable ${sorted}`, dataset: { field }, onclick: () => go({ sort: field, order, from: 0 }) }, label);
    });
    const signature = JSON.stringify(result);
    if (results.dataset.signature === signature) return;
    results.dataset.signature = signature;
    const selectable = result.items.filter((item) => item.state === 'ACTIVE').map((item) => item.processInstanceKey);
    for (const key of [ ...selected ]) if (!selectable.includes(key)) selected.delete(key);
    const all = h('input', { type: 'checkbox', class: 'select-all', title: 'Select the running instances of this page',
      checked: selectable.length > 0 && selectable.every((key) => selected.has(key)),
      onchange: (e) => {
        for (const key of selectable) e.target.checked ? selected.add(key) : selected.delete(key);
        for (const box of results.querySelectorAll('input.select-instance:not(:disabled)')) box.checked = e.target.checked;
        updateBatch();
      } });
    const rows = result.items.map((item) => h('tr', { dataset: { key: item.processInstanceKey, tenant: tenancy.multi ? item.tenantId : undefined } },
      h('td', {}, h('input', { type: 'checkbox', class: 'select-instance', disabled: item.state !== 'ACTIVE',
        checked: selected.has(item.processInstanceKey),
        onchange: (e) => {
          e.target.checked ? selected.add(item.processInstanceKey) : selected.delete(item.processInstanceKey);
          updateBatch();
        } })),
      h('td', {}, link(`/instances/${item.processInstanceKey}`, item.processInstanceKey, null, { class: 'instance-link mono' })),
      h('td', {}, item.processDefinitionName || item.processDefinitionId),
      h('td', {}, item.processDefinitionVersion),
      tenancy.multi ? h('td', { class: 'tenant' }, tenantLabel(tenancy, item.tenantId)) : null,
      h('td', {}, stateBadge(item.state, item.hasIncident)),
      h('td', {}, formatDate(item.startDate)),
      h('td', {}, formatDate(item.endDate))));
    const last = Math.min(params.from + result.items.length, total);
    replace(results,
      h('h2', {}, 'Instances', h('span', { class: 'count', id: 'instance-total' }, `${total} matching`)),
      filterBatch(total),
      batch,
      rows.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, all), header)), h('tbody', {}, rows))
        : h('p', { class: 'empty' }, 'No instance matches these filters.'),
      h('div', { class: 'pager' },
        total ? `${params.from + 1}–${last} of ${total}` : '',
        h('button', { disabled: params.from === 0, onclick: () => go({ from: Math.max(0, params.from - PAGE_SIZE) }) }, 'Previous'),
        h('button', { disabled: last >= total, onclick: () => go({ from: params.from + PAGE_SIZE }) }, 'Next')));
    updateBatch();
  }

  // -- batch operations over the whole filter (one request: the broker's batch operation) ----------
  /** Cancel / resolve incidents of every instance the filter matches, on every page; only for the
   * running states (a batch operation acts on active instances only, so "all N" holds there). */
  function filterBatch(total) {
    const bar = h('div', { class: 'actions filter-batch', id: 'filter-batch' });
    if (![ 'running', 'incidents' ].includes(params.state)) {
      bar.append(h('span', { class: 'hint' }, 'Show running instances (or those with incidents) to act on every instance the filter matches.'));
      return bar;
    }
    const ask = (kind, label) => () => {
      replace(bar, h('span', { class: 'confirm-text' }, `${label} — all ${total} instances matching the filter, in one batch operation?`),
        h('button', { class: kind === 'cancellation' ? 'danger' : 'primary', id: 'batch-confirm', onclick: async (e) => {
          e.target.disabled = true;
          try {
            const created = await startBatch(kind, batchFilter());
            showNotice(`Batch operation ${created.batchOperationKey} started`);
            router.go(router.href(`/batch-operations/${created.batchOperationKey}`));
          } catch (error) {
            showError(error, 'Could not start the batch operation');
            results.dataset.signature = '';
            load().catch(() => {});
          }
        } }, 'Start batch operation'),
        h('button', { id: 'batch-dismiss', onclick: () => { results.dataset.signature = ''; load().catch(() => {}); } }, 'No'));
    };
    bar.append(h('span', { class: 'hint' }, `All ${total} matching the filter:`),
      h('button', { class: 'danger', id: 'batch-cancel-all', disabled: total === 0, onclick: ask('cancellation', 'Cancel') }, `Cancel all ${total}`),
      h('button', { id: 'batch-resolve-all', disabled: total === 0, onclick: ask('incident-resolution', 'Resolve incidents') }, `Resolve incidents of all ${total}`),
      ...(params.process && params.version ? [
        h('button', { id: 'batch-migrate-all', disabled: total === 0, onclick: () => plan(total).then((p) => p && p.migrate()) }, `Migrate all ${total}…`),
        h('button', { id: 'batch-move-all', disabled: total === 0, onclick: () => plan(total).then((p) => p && p.move()) }, `Move all ${total}…`)
      ] : [ h('span', { class: 'hint', id: 'batch-plan-hint' }, 'Choose a process and a version to migrate or move all.') ]),
      link('/batch-operations', 'Batch operations', null, { class: 'batch-operations-link' }));
    return bar;
  }

  /** The migrate / move form for the chosen definition (the filter's process and version). */
  async function plan(total) {
    const list = await listed.catch((error) => { showError(error, 'Could not load the processes'); return null; });
    const process = list && list.find((entry) => entry.id === params.process);
    const definition = process && process.versions.find(({ version }) => String(version) === params.version);
    if (!definition) {
      showError(new Error(`No version ${params.version} of ${params.process} is deployed.`), 'Batch operation');
      return null;
    }
    return new BatchPlan(planCard, { filter: batchFilter(), total, source: { process, ...definition }, processes: () => listed, router });
  }

  /** The list's filter for a batch operation. With multi-tenancy and no tenant chosen, limited to
   * the user's tenants: the broker resolves a batch operation's filter over every tenant (the
   * instances of others would become failed items), while the list shows only the user's. */
  function batchFilter() {
    if (!tenancy.multi || filter.tenantId) return filter;
    return { ...filter, tenantId: { $in: tenancy.tenants.map(({ tenantId }) => tenantId) } };
  }

  // -- batch operations on the selected instances (one request per instance, from the page) --------
  const selected = new Set();
  const batchCount = h('span', { class: 'hint' });
  const batchCancel = h('button', { class: 'danger', id: 'batch-cancel', onclick: () => runBatch('cancel') }, 'Cancel selected');
  const batchRetry = h('button', { id: 'batch-retry', onclick: () => runBatch('retry') }, 'Retry incidents of selected');
  const batch = h('div', { class: 'actions batch' }, batchCount, batchCancel, batchRetry);

  function updateBatch() {
    batchCount.textContent = selected.size ? `${selected.size} selected` : 'Select running instances to act on them';
    batchCancel.disabled = batchRetry.disabled = selected.size === 0;
  }

  async function runBatch(kind) {
    const keys = [ ...selected ];
    batchCancel.disabled = batchRetry.disabled = true;
    let done = 0;
    const failures = [];
    await limited(keys.map((key) => async () => {
      try {
        if (kind === 'cancel') {
          await api('POST', `/process-instances/${key}/cancellation`, {});
        } else {
          const open = await search('incidents', { filter: { processInstanceKey: key, state: 'ACTIVE' }, page: { limit: 100 } });
          for (const incident of open.items) await retryIncident(incident);
        }
        done++;
      } catch (error) {
        failures.push([ key, error ]);
      }
    }));
    selected.clear();
    showNotice(`${kind === 'cancel' ? 'Canceled' : 'Retried the incidents of'} ${done} of ${keys.length} instances`);
    for (const [ key, error ] of failures.slice(0, 3)) showError(error, `Instance ${key}`);
    if (failures.length > 3) showError(new Error(`${failures.length - 3} more instances failed`), 'Batch');
    results.dataset.signature = '';
    for (const delay of [ 300, 1200 ]) setTimeout(() => page.active && load().catch(() => {}), delay);
  }

  try {
    await load();
  } catch (error) {
    replace(results, h('p', { class: 'empty' }, 'Could not load the instances.'));
    showError(error);
    return;
  }
  page.every(5000, () => load().catch(() => {}));
}

// -- one instance ----------------------------------------------------------------------------------

/** Retry: a job's incident gets one retry back first, then the incident is resolved. */
async function retryIncident(incident) {
  if (incident.jobKey) {
    await api('PATCH', `/jobs/${incident.jobKey}`, { changeset: { retries: 1 } });
  }
  await api('POST', `/incidents/${incident.incidentKey}/resolution`, {});
}

/** Re-renders `element` only when `data` differs from what it shows (polling keeps focus and
 * half-done clicks intact). */
function update(element, data, render) {
  const signature = JSON.stringify(data);
  if (element.dataset.signature === signature) return;
  element.dataset.signature = signature;
  replace(element, render(data));
}

async function instance(match, query, page) {
  current('processes');
  const key = match[1];
  document.title = `Instance ${key} · Operate · Strom`;
  const header = h('section', { class: 'card', id: 'instance-header' }, h('div', { class: 'loading' }, 'Loading…'));
  const actions = h('div', { class: 'actions', id: 'instance-actions' });
  const diagramBox = h('div', { class: 'diagram clickable', id: 'diagram' });
  const incidents = h('div', {});
  const variables = h('div', {});
  const history = h('div', {});
  replace(app,
    h('h1', {}, 'Process instance ', h('span', { class: 'mono', id: 'instance-key' }, key)),
    instanceTabs(link, key, 'overview'),
    header,
    h('section', { class: 'card' }, diagramBox),
    h('section', { class: 'card', id: 'incidents' }, incidents),
    h('section', { class: 'card', id: 'variables' }, variables),
    h('section', { class: 'card', id: 'history' }, history));

  let diagram = null;
  let shownDefinition = null;
  let state = null;
  /** Whose variables are shown: {key, name} of the selected scope (the instance's at first), or
   * {elementId, count} when the diagram chose an element with several instances. */
  let scope = { key, name: 'the process instance' };
  const tree = new InstanceTree(history, key, { onSelect: selectScope, rowAction: moveTokenCell });
  history.addEventListener('tree-error', (event) => showError(event.detail, 'Could not read the element instances'));
  page.onLeave(() => diagram && diagram.destroy());

  /** The variables of the scope shown (null: none, several instances are selected). */
  function readVariables(shown) {
    if (!shown.key) return Promise.resolve(null);
    return searchAll('variables', { filter: { processInstanceKey: key, scopeKey: shown.key }, sort: [ { field: 'name' } ] });
  }

  /** The tree (or the diagram, through it) selected a scope: its element on the diagram, its variables. */
  async function selectScope(selection) {
    if (selection && selection.elementId && !selection.key) {
      scope = { elementId: selection.elementId, count: selection.count };
      if (diagram) diagram.select(selection.elementId);
    } else {
      const item = selection ? selection.item : null;
      scope = item && item.type !== 'PROCESS'
        ? { key: selection.key, name: item.elementName || item.elementId, elementId: item.elementId }
        : { key, name: 'the process instance' };
      if (diagram) diagram.select(scope.elementId || null);
    }
    editing = false;
    const shown = scope;
    try {
      const vars = await readVariables(shown);
      if (page.active && shown === scope) update(variables, { state, vars, shown }, () => renderVariables(vars));
    } catch (error) {
      showError(error, 'Could not read the variables');
    }
  }

  async function load() {
    const shown = scope;
    const [ item, counts, flows, vars, open, hierarchy, called ] = await Promise.all([
      api('GET', `/process-instances/${key}`),
      api('GET', `/process-instances/${key}/statistics/element-instances`),
      api('GET', `/process-instances/${key}/sequence-flows`),
      readVariables(shown),
      searchAll('incidents', { filter: { processInstanceKey: key, state: 'ACTIVE' } }),
      api('GET', `/process-instances/${key}/call-hierarchy`).catch(() => []),
      search('process-instances', { filter: { parentProcessInstanceKey: key }, page: { limit: 20 } })
    ]);
    if (!page.active) return;
    state = item.state;
    update(header, { item, hierarchy, called }, renderHeader);
    header.append(actions);
    if (shownDefinition !== item.processDefinitionKey) {
      shownDefinition = item.processDefinitionKey;
      if (diagram) diagram.destroy();
      diagram = new Diagram(diagramBox);
      const shown = diagram;
      diagram.onClick((elementId) => tree.selectElement(elementId, shown.scopesOf(elementId))
        .catch((error) => showError(error, 'Could not find the element\'s instances')));
      try {
        const xml = await api('GET', `/process-definitions/${item.processDefinitionKey}/xml`);
        if (!page.active) return;
        await diagram.show(xml);
      } catch (error) {
        showError(error, 'Could not draw the diagram');
      }
    }
    renderActions(item); // after the diagram: adding and moving tokens offer its elements
    diagram.markCounts(counts.items, flows.items.map((flow) => flow.elementId));
    diagram.select(scope.elementId || null);
    diagramBox.dataset.marked = 'true';
    update(incidents, open, renderIncidents);
    if (!editing && shown === scope) update(variables, { state, vars, shown }, () => renderVariables(vars));
    await tree.refresh(item);
  }

  function renderHeader({ item, hierarchy, called }) {
    const facts = [
      [ 'Key', h('span', { class: 'mono' }, item.processInstanceKey) ],
      [ 'Process', link('/processes', item.processDefinitionName || item.processDefinitionId, { process: item.processDefinitionId, state: 'all' }) ],
      [ 'Version', item.processDefinitionVersion ],
      [ 'State', stateBadge(item.state, item.hasIncident) ],
      [ 'Start', formatDate(item.startDate) ],
      [ 'End', formatDate(item.endDate) ]
    ];
    if (tenancy.multi) facts.splice(3, 0, [ 'Tenant', h('span', { class: 'tenant' }, tenantLabel(tenancy, item.tenantId)) ]);
    if (item.parentProcessInstanceKey) {
      facts.push([ 'Parent instance', link(`/instances/${item.parentProcessInstanceKey}`, item.parentProcessInstanceKey, null, { class: 'mono' }) ]);
    }
    if (called.items.length) {
      facts.push([ 'Called instances', called.items.map((child) => h('div', {},
        link(`/instances/${child.processInstanceKey}`, child.processInstanceKey, null, { class: 'mono called-instance' }),
        ` ${child.processDefinitionName || child.processDefinitionId} `, stateBadge(child.state, child.hasIncident))),
      called.page.totalItems > called.items.length ? `(${called.page.totalItems - called.items.length} more)` : null ]);
    }
    const path = hierarchy.length > 1 ? h('nav', { class: 'hierarchy', id: 'call-hierarchy' }, hierarchy.map((entry, index) => [
      index ? ' › ' : null,
      entry.processInstanceKey === key ? h('span', {}, entry.processDefinitionName)
        : link(`/instances/${entry.processInstanceKey}`, entry.processDefinitionName, null, { title: entry.processInstanceKey })
    ])) : null;
    return [ path, h('dl', { class: 'facts' }, facts.map(([ label, value ]) =>
      h('div', { dataset: { fact: label.toLowerCase().replace(/ /g, '-') } }, h('dt', {}, label), h('dd', {}, value)))) ];
  }

  function renderActions(item) {
    if (item.state !== 'ACTIVE') {
      actions.replaceChildren();
      return;
    }
    if (actions.childElementCount) return;
    const cancel = h('button', { class: 'danger', id: 'cancel-instance', onclick: () => {
      replace(actions,
        h('span', {}, 'Cancel this instance? Its active elements are terminated.'),
        h('button', { class: 'danger confirm', id: 'confirm-cancel', onclick: doCancel }, 'Yes, cancel'),
        h('button', { onclick: () => { actions.replaceChildren(); renderActions(item); } }, 'No'));
    } }, 'Cancel instance');
    const add = h('button', { id: 'add-token', onclick: () => {
      replace(actions, h('span', {}, 'Add a token at'), ...tokenTarget((elementId) =>
        modify({ activateInstructions: [ { elementId, ancestorElementInstanceKey: key } ] }, `Token added at ${elementId}`), 'Add token'),
      h('button', { onclick: () => { actions.replaceChildren(); renderActions(item); } }, 'Back'));
    } }, 'Add token…');
    actions.append(cancel, add);
  }

  /** A select of the diagram's flow nodes and a button that calls `act(elementId)`. */
  function tokenTarget(act, label) {
    const select = h('select', { class: 'token-target' },
      (diagram ? diagram.flowNodes() : []).map(({ id, name }) => h('option', { value: id }, name === id ? id : `${name} (${id})`)));
    const button = h('button', { class: 'primary confirm-token', onclick: async () => {
      button.disabled = true;
      if (!(await act(select.value))) button.disabled = false;
    } }, label);
    return [ select, button ];
  }

  /** Modifies the instance (POST .../modification); true when the broker took it. */
  async function modify(body, notice) {
    try {
      await api('POST', `/process-instances/${key}/modification`, body);
      showNotice(notice);
      stopMoving();
      actions.replaceChildren();
      soon();
      return true;
    } catch (error) {
      showError(error, 'Could not modify the instance');
      return false;
    }
  }

  async function doCancel(event) {
    event.target.disabled = true;
    try {
      await api('POST', `/process-instances/${key}/cancellation`, {});
      showNotice(`Canceling instance ${key}`);
      actions.replaceChildren();
      soon();
    } catch (error) {
      event.target.disabled = false;
      showError(error, 'Could not cancel the instance');
    }
  }

  function renderIncidents(open) {
    if (!open.items.length) {
      return [ h('h2', {}, 'Incidents', h('span', { class: 'count' }, 'none')) ];
    }
    return [
      h('h2', {}, 'Incidents', h('span', { class: 'count' }, open.total)),
      h('table', {}, h('thead', {}, h('tr', {},
        h('th', {}, 'Element'), h('th', {}, 'Type'), h('th', {}, 'Message'), h('th', {}, 'Created'), h('th', {}, ''))),
      h('tbody', {}, open.items.map((incident) => h('tr', { class: 'incident', dataset: { key: incident.incidentKey, elementId: incident.elementId } },
        h('td', {}, incident.elementId),
        h('td', {}, incident.errorType),
        h('td', { class: 'incident-message' }, incident.errorMessage),
        h('td', {}, formatDate(incident.creationTime)),
        h('td', {}, h('button', { class: 'primary retry', onclick: (event) => retry(incident, event.target) }, 'Retry'))))))
    ];
  }

  async function retry(incident, button) {
    button.disabled = true;
    try {
      await retryIncident(incident);
      showNotice(`Incident ${incident.incidentKey} resolved`);
      soon();
    } catch (error) {
      button.disabled = false;
      showError(error, 'Could not retry');
    }
  }

  let editing = false;

  function renderVariables(vars) {
    if (!vars) {
      return [ h('h2', {}, 'Variables'), h('p', { class: 'empty', id: 'variables-several' }, scope.count
        ? `${scope.count} instances of ${scope.elementId}: select one in the instance history to see its variables.`
        : `${scope.elementId} has no instance in this process instance.`) ];
    }
    const title = h('h2', {}, 'Variables', h('span', { class: 'scope', dataset: { scopeKey: scope.key } },
      scope.key === key ? 'of the process instance' : `of ${scope.name} (${scope.key})`), h('span', { class: 'count' },
      vars.total > vars.items.length ? `${vars.items.length} of ${vars.total}` : String(vars.total)));
    const editable = state === 'ACTIVE';
    const table = vars.items.length ? h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Value'), h('th', {}, 'Scope'), editable ? h('th', {}, '') : null)),
      h('tbody', {}, vars.items.map((variable) => {
        const value = h('td', { class: 'value' }, shortValue(variable.value, 400), variable.isTruncated ? ' (truncated)' : '');
        const edit = editable ? h('button', { class: 'edit-variable', onclick: () => editVariable(variable, value, edit) }, 'Edit') : null;
        return h('tr', { class: 'variable', dataset: { name: variable.name } },
          h('td', {}, variable.name), value,
          h('td', { class: 'mono' }, variable.scopeKey === key ? 'instance' : variable.scopeKey),
          editable ? h('td', {}, edit) : null);
      }))) : h('p', { class: 'empty' }, 'No variables.');
    return [ title, table, editable ? addVariableForm() : null ];
  }

  /** Edits a variable in place: its JSON value, set on its own scope (PUT element-instances/{scope}/variables). */
  async function editVariable(variable, cell, button) {
    editing = true;
    button.disabled = true;
    let text = variable.value;
    if (variable.isTruncated) {
      try {
        text = (await api('GET', `/variables/${variable.variableKey}`)).value;
      } catch (error) {
        showError(error, 'Could not load the whole value');
      }
    }
    const input = h('textarea', { class: 'variable-editor', rows: Math.min(8, text.split('\n').length + 1) }, text);
    const done = () => {
      editing = false;
      variables.dataset.signature = '';
      load().catch(() => {});
    };
    const save = h('button', { class: 'primary save-variable', onclick: async () => {
      const parsed = parseJson(input.value);
      if (parsed === undefined) return;
      save.disabled = true;
      try {
        await setVariables(variable.scopeKey, { [variable.name]: parsed });
        showNotice(`Variable ${variable.name} set`);
        done();
        soon();
      } catch (error) {
        save.disabled = false;
        showError(error, `Could not set ${variable.name}`);
      }
    } }, 'Save');
    replace(cell, input, h('div', { class: 'actions' }, save, h('button', { onclick: done }, 'Cancel')));
    input.focus();
  }

  function addVariableForm() {
    const name = h('input', { name: 'variable-name', placeholder: 'name', size: 16 });
    const value = h('input', { name: 'variable-value', placeholder: 'JSON value, e.g. "text" or 42', size: 40 });
    const add = h('button', { id: 'add-variable', onclick: async () => {
      const parsed = parseJson(value.value);
      if (!name.value.trim() || parsed === undefined) {
        if (!name.value.trim()) showError(new Error('Give the variable a name.'), 'Cannot add');
        return;
      }
      add.disabled = true;
      try {
        await setVariables(scope.key, { [name.value.trim()]: parsed });
        showNotice(`Variable ${name.value.trim()} set`);
        name.value = value.value = '';
        soon();
      } catch (error) {
        showError(error, 'Could not add the variable');
      } finally {
        add.disabled = false;
      }
    } }, 'Add variable');
    return h('div', { class: 'filters add-variable' },
      h('label', {}, 'Name', name), h('label', {}, 'Value', value), add);
  }

  function setVariables(scopeKey, values) {
    return api('PUT', `/element-instances/${scopeKey}/variables`, { variables: values, local: true });
  }

  /** The JSON value in `text`, or undefined (and a message) when it is not JSON. */
  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      showError(new Error(`Not a JSON value: ${error.message}. Write text in quotes, like "ok".`), 'Cannot set the variable');
      return undefined;
    }
  }

  /** The Move token… button of an active element instance (the tree's last column). */
  function moveTokenCell(element) {
    if (state !== 'ACTIVE' || element.state !== 'ACTIVE' || element.type === 'PROCESS') return null;
    return h('button', { class: 'move-token', onclick: (event) => {
      tree.paused = true;
      replace(event.target.closest('td'), ...tokenTarget((elementId) => modify({
        activateInstructions: [ { elementId, ancestorElementInstanceKey: key } ],
        terminateInstructions: [ { elementInstanceKey: element.elementInstanceKey } ]
      }, `Token moved from ${element.elementId} to ${elementId}`), 'Move'),
      h('button', { onclick: () => { stopMoving(); load().catch(() => {}); } }, 'Cancel'));
    } }, 'Move token…');
  }

  function stopMoving() {
    tree.paused = false;
    tree.render(true);
  }

  /** After an action: look again a few times while the secondary storage catches up. */
  function soon() {
    for (const delay of [ 300, 1000, 2000 ]) {
      setTimeout(() => page.active && load().catch(() => {}), delay);
    }
  }

  try {
    await load();
  } catch (error) {
    replace(header, h('p', { class: 'empty' }, `Could not load instance ${key}.`));
    showError(error);
    return;
  }
  page.every(2500, () => {
    if (state === 'ACTIVE') load().catch(() => {});
  });
}

// -- decisions -------------------------------------------------------------------------------------

const DECISION_COLUMNS = [
  [ 'decisionEvaluationInstanceKey', 'Evaluation' ],
  [ 'decisionDefinitionName', 'Decision' ],
  [ 'decisionDefinitionVersion', 'Version' ],
  [ 'state', 'State' ],
  [ 'evaluationDate', 'Evaluated' ],
  [ 'processInstanceKey', 'Process instance' ]
];

async function decisions(match, query, page) {
  current('decisions');
  document.title = 'Decisions · Operate · Strom';
  const decisionColumns = tenancy.multi ? [ ...DECISION_COLUMNS.slice(0, 3), [ 'tenantId', 'Tenant' ], ...DECISION_COLUMNS.slice(3) ] : DECISION_COLUMNS;
  const params = {
    decision: query.get('decision') || '',
    state: [ 'EVALUATED', 'FAILED' ].includes(query.get('state')) ? query.get('state') : '',
    instance: query.get('instance') || '',
    sort: decisionColumns.some(([ field ]) => field === query.get('sort')) ? query.get('sort') : 'evaluationDate',
    order: query.get('order') === 'asc' ? 'asc' : 'desc',
    from: Math.max(0, parseInt(query.get('from') || '0', 10) || 0)
  };
  const go = (changes) => router.go(router.href('/decisions', { ...params, ...changes }));
  const decisionSelect = h('select', { name: 'decision', onchange: (e) => go({ decision: e.target.value, from: 0 }) },
    h('option', { value: '' }, 'All decisions'));
  const stateSelect = h('select', { name: 'state', onchange: (e) => go({ state: e.target.value, from: 0 }) },
    [ [ '', 'All' ], [ 'EVALUATED', 'Evaluated' ], [ 'FAILED', 'Failed' ] ].map(([ value, label ]) =>
      h('option', { value, selected: value === params.state }, label)));
  const instanceInput = h('input', { name: 'instance', placeholder: 'Process instance key', value: params.instance, size: 20,
    onchange: (e) => go({ instance: e.target.value.trim(), from: 0 }) });
  const results = h('div', { class: 'loading' }, 'Loading…');
  replace(app, h('h1', {}, 'Decision instances'),
    h('section', { class: 'card' }, h('div', { class: 'filters' },
      h('label', {}, 'Decision', decisionSelect), h('label', {}, 'State', stateSelect),
      h('label', {}, 'Process instance', instanceInput))),
    h('section', { class: 'card', id: 'decision-instances' }, results));

  searchAll('decision-definitions', { sort: [ { field: 'decisionDefinitionId' }, { field: 'version', order: 'DESC' } ] })
    .then(({ items }) => {
      const seen = new Set();
      for (const definition of items) {
        if (seen.has(definition.decisionDefinitionId)) continue;
        seen.add(definition.decisionDefinitionId);
        decisionSelect.append(h('option', { value: definition.decisionDefinitionId, selected: definition.decisionDefinitionId === params.decision },
          definition.name || definition.decisionDefinitionId));
      }
    }).catch((error) => showError(error, 'Could not load the decisions'));

  const filter = {};
  if (params.decision) filter.decisionDefinitionId = params.decision;
  if (params.state) filter.state = params.state;
  if (params.instance) filter.processInstanceKey = params.instance;
  try {
    const result = await search('decision-instances', {
      filter,
      sort: [ { field: params.sort, order: params.order.toUpperCase() } ],
      page: { from: params.from, limit: PAGE_SIZE }
    });
    if (!page.active) return;
    const total = result.page.totalItems;
    const last = Math.min(params.from + result.items.length, total);
    const header = decisionColumns.map(([ field, label ]) => {
      const sorted = field === params.sort ? `sorted-${params.order}` : '';
      const order = field === params.sort && params.order === 'desc' ? 'asc' : 'desc';
      return h('th', { class: `sortable ${sorted}`, dataset: { field }, onclick: () => go({ sort: field, order, from: 0 }) }, label);
    });
    replace(results,
      h('h2', {}, 'Evaluations', h('span', { class: 'count' }, `${total} matching`)),
      result.items.length ? h('table', {}, h('thead', {}, h('tr', {}, header)),
        h('tbody', {}, result.items.map((item) => h('tr', { class: 'decision-instance', dataset: { key: item.decisionEvaluationInstanceKey, tenant: tenancy.multi ? item.tenantId : undefined } },
          h('td', {}, link(`/decisions/${item.decisionEvaluationInstanceKey}`, item.decisionEvaluationInstanceKey, null, { class: 'mono decision-link' })),
          h('td', {}, item.decisionDefinitionName),
          h('td', {}, item.decisionDefinitionVersion),
          tenancy.multi ? h('td', { class: 'tenant' }, tenantLabel(tenancy, item.tenantId)) : null,
          h('td', {}, h('span', { class: `badge state-${item.state === 'FAILED' ? 'failed' : 'completed'}`, dataset: { state: item.state } }, item.state === 'FAILED' ? 'Failed' : 'Evaluated')),
          h('td', {}, formatDate(item.evaluationDate)),
          h('td', {}, item.processInstanceKey ? link(`/instances/${item.processInstanceKey}`, item.processInstanceKey, null, { class: 'mono' }) : '–')))))
        : h('p', { class: 'empty' }, 'No decision evaluation matches these filters.'),
      h('div', { class: 'pager' },
        total ? `${params.from + 1}–${last} of ${total}` : '',
        h('button', { disabled: params.from === 0, onclick: () => go({ from: Math.max(0, params.from - PAGE_SIZE) }) }, 'Previous'),
        h('button', { disabled: last >= total, onclick: () => go({ from: params.from + PAGE_SIZE }) }, 'Next')));
  } catch (error) {
    replace(results, h('p', { class: 'empty' }, 'Could not load the decision instances.'));
    showError(error);
  }
}

async function decision(match, query, page) {
  current('decisions');
  const key = match[1];
  document.title = `Decision ${key} · Operate · Strom`;
  const body = h('div', { class: 'loading' }, 'Loading…');
  replace(app, h('h1', {}, 'Decision evaluation ', h('span', { class: 'mono' }, key)), body);
  let item;
  try {
    item = await api('GET', `/decision-instances/${key}`);
  } catch (error) {
    replace(body, h('p', { class: 'empty' }, `Could not load decision evaluation ${key}.`));
    showError(error);
    return;
  }
  if (!page.active) return;
  const value = (text) => h('td', { class: 'value' }, shortValue(typeof text === 'string' ? text : JSON.stringify(text), 400));
  const inputs = item.evaluatedInputs || [];
  const rules = item.matchedRules || [];
  replace(body,
    h('section', { class: 'card', id: 'decision-header' }, h('dl', { class: 'facts' },
      [ [ 'Decision', `${item.decisionDefinitionName} (${item.decisionDefinitionId})` ],
        [ 'Version', item.decisionDefinitionVersion ],
        ...(tenancy.multi ? [ [ 'Tenant', h('span', { class: 'tenant' }, tenantLabel(tenancy, item.tenantId)) ] ] : []),
        [ 'Type', item.decisionDefinitionType ],
        [ 'State', h('span', { class: `badge state-${item.state === 'FAILED' ? 'failed' : 'completed'}`, dataset: { state: item.state } }, item.state === 'FAILED' ? 'Failed' : 'Evaluated') ],
        [ 'Evaluated', formatDate(item.evaluationDate) ],
        [ 'Process instance', item.processInstanceKey ? link(`/instances/${item.processInstanceKey}`, item.processInstanceKey, null, { class: 'mono' }) : '–' ]
      ].map(([ label, text ]) => h('div', {}, h('dt', {}, label), h('dd', {}, text))))),
    item.evaluationFailure ? h('section', { class: 'card' }, h('h2', {}, 'Failure'), h('p', { class: 'incident-message' }, item.evaluationFailure)) : null,
    h('section', { class: 'card', id: 'decision-inputs' }, h('h2', {}, 'Inputs'),
      inputs.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Input'), h('th', {}, 'Value'))),
        h('tbody', {}, inputs.map((input) => h('tr', { class: 'decision-input' }, h('td', {}, input.inputName || input.inputId), value(input.inputValue)))))
        : h('p', { class: 'empty' }, 'No inputs.')),
    h('section', { class: 'card', id: 'decision-rules' }, h('h2', {}, 'Matched rules'),
      rules.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Rule'), h('th', {}, 'Outputs'))),
        h('tbody', {}, rules.map((rule) => h('tr', { class: 'matched-rule', dataset: { ruleId: rule.ruleId } },
          h('td', {}, `#${rule.ruleIndex} ${rule.ruleId}`),
          h('td', {}, (rule.evaluatedOutputs || []).map((output) => h('div', { class: 'mono' },
            `${output.outputName || output.outputId} = ${typeof output.outputValue === 'string' ? output.outputValue : JSON.stringify(output.outputValue)}`)))))))
        : h('p', { class: 'empty' }, 'No rule matched.')),
    h('section', { class: 'card', id: 'decision-result' }, h('h2', {}, 'Result'), h('pre', { class: 'mono result' }, item.result)));
}

if (location.pathname !== LOGIN_PATH) {
  // who is logged in, for the top bar, and their tenants (a Tenant column and filter when the broker
  // runs with multi-tenancy); a 401 here (or on the page's own calls) leads to the login page
  api('GET', '/authentication/me').then((me) => {
    showSession(me);
    tenancy = tenancyOf(me);
    document.body.classList.toggle('multi-tenancy', tenancy.multi);
  }, () => {}).finally(() => router.render());
} else {
  router.render();
}
