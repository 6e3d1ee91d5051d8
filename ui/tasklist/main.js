// Tasklist: work on user tasks, through the broker's REST API v2 only.
//   /tasklist/             open tasks: all, assigned to me, unassigned
//   /tasklist/{key}        one task: assign to me / unassign, its form or a variables editor, complete
//   /tasklist/processes    start an instance of a deployed process, with its start form if it has one
import '../shared/style.css';
import './tasklist.css';

import { api, search, searchAll } from '../shared/api.js';
import { formatDate, h, replace, shortValue, stateBadge } from '../shared/dom.js';
import { showError, showNotice } from '../shared/messages.js';
import { Router } from '../shared/router.js';
import { showSession } from '../shared/session.js';
import { tenancyOf, tenantLabel } from '../shared/tenancy.js';

const app = document.getElementById('app');
const PAGE_SIZE = 50;
let me = 'anonymous';
let myGroups = [];
/** Whether the broker runs with multi-tenancy, and my tenants (from /authentication/me). */
let tenancy = tenancyOf(null);

const router = new Router('/tasklist', [
  [ /^\/?$/, tasks ],
  [ /^\/(\d+)\/?$/, task ],
  [ /^\/processes\/?$/, processes ],
  [ /^\/processes\/(\d+)\/start\/?$/, startProcess ]
], notFound);

function current(section) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('current', a.dataset.nav === section);
  }
}

function link(path, text, query, attributes = {}) {
  return h('a', { href: router.href(path, query), 'data-link': true, ...attributes }, text);
}

function notFound(path) {
  replace(app, h('div', { class: 'card' }, h('h1', {}, 'Not found'),
    h('p', {}, `Tasklist has no page at ${path}. `, link('/', 'Go to the tasks'))));
}

// -- the list --------------------------------------------------------------------------------------

const VIEWS = {
  open: { label: 'All open', filter: () => ({ state: 'CREATED' }) },
  mine: { label: 'Assigned to me', filter: () => ({ state: 'CREATED', assignee: me }) },
  candidate: {
    label: 'My candidate tasks',
    // candidate users name me, or candidate groups name one of my groups (from /authentication/me)
    filter: () => ({
      state: 'CREATED',
      $or: [ { candidateUser: me }, ...(myGroups.length ? [ { candidateGroup: { $in: myGroups } } ] : []) ]
    })
  },
  unassigned: { label: 'Unassigned', filter: () => ({ state: 'CREATED', assignee: { $exists: false } }) },
  completed: { label: 'Completed', filter: () => ({ state: 'COMPLETED' }) }
};

async function tasks(match, query, page) {
  current('tasks');
  document.title = 'Tasks · Tasklist · Strom';
  const view = VIEWS[query.get('view')] ? query.get('view') : 'open';
  const from = Math.max(0, parseInt(query.get('from') || '0', 10) || 0);
  const extra = {};
  for (const name of [ 'group', 'user', 'process', 'due' ]) extra[name] = query.get(name) || '';
  const go = (changes) => router.go(router.href('/', { view, from, ...extra, ...changes }));
  const input = (name, placeholder, type = 'text') => h('input', { name, type, placeholder, value: extra[name], size: 16,
    onchange: (e) => go({ [name]: e.target.value.trim(), from: 0 }) });
  const list = h('div', { class: 'loading' }, 'Loading…');
  replace(app,
    h('h1', {}, 'Tasks'),
    h('div', { class: 'tabs' }, Object.entries(VIEWS).map(([ name, { label } ]) =>
      h('button', { class: name === view ? 'tab current' : 'tab', dataset: { view: name }, onclick: () => go({ view: name, from: 0 }) }, label))),
    h('section', { class: 'card', id: 'task-filters' }, h('div', { class: 'filters' },
      h('label', {}, 'Candidate group', input('group', 'e.g. sales')),
      h('label', {}, 'Candidate user', input('user', 'e.g. demo')),
      h('label', {}, 'Process id', input('process', 'e.g. review')),
      h('label', {}, 'Due before', input('due', '', 'date')))),
    h('section', { class: 'card', id: 'tasks' }, list));
  const filter = VIEWS[view].filter();
  if (extra.group) filter.candidateGroup = extra.group;
  if (extra.user) filter.candidateUser = extra.user;
  if (extra.process) filter.processDefinitionId = extra.process;
  if (extra.due) filter.dueDate = { $lt: new Date(`${extra.due}T23:59:59.999`).toISOString() };

  async function load() {
    const result = await search('user-tasks', {
      filter,
      sort: [ { field: 'creationDate', order: 'DESC' } ],
      page: { from, limit: PAGE_SIZE }
    });
    if (!page.active) return;
    const total = result.page.totalItems;
    const last = Math.min(from + result.items.length, total);
    const signature = JSON.stringify(result);
    if (list.dataset.signature === signature) return;
    list.dataset.signature = signature;
    replace(list,
      result.items.length ? h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Task'), h('th', {}, 'Process'),
          tenancy.multi ? h('th', { class: 'tenant' }, 'Tenant') : null, h('th', {}, 'Assignee'),
          h('th', {}, 'Created'), h('th', {}, 'Due'), h('th', {}, 'Instance'))),
        h('tbody', {}, result.items.map((item) => h('tr', { class: 'task', dataset: { key: item.userTaskKey, elementId: item.elementId, tenant: tenancy.multi ? item.tenantId : undefined } },
          h('td', {}, link(`/${item.userTaskKey}`, item.name || item.elementId, null, { class: 'task-link' })),
          h('td', {}, item.processName || item.processDefinitionId),
          tenancy.multi ? h('td', { class: 'tenant' }, tenantLabel(tenancy, item.tenantId)) : null,
          h('td', { class: 'assignee' }, item.assignee || h('span', { class: 'empty' }, 'unassigned')),
          h('td', {}, formatDate(item.creationDate)),
          h('td', {}, item.dueDate ? formatDate(item.dueDate) : '–'),
          h('td', { class: 'mono' }, h('a', { href: `/operate/instances/${item.processInstanceKey}` }, item.processInstanceKey))))))
        : h('p', { class: 'empty' }, view === 'completed' ? 'No completed tasks.' : 'No open tasks here. Well done.'),
      h('div', { class: 'pager' },
        total ? `${from + 1}–${last} of ${total}` : '',
        h('button', { disabled: from === 0, onclick: () => go({ from: Math.max(0, from - PAGE_SIZE) }) }, 'Previous'),
        h('button', { disabled: last >= total, onclick: () => go({ from: from + PAGE_SIZE }) }, 'Next')));
  }

  try {
    await load();
  } catch (error) {
    replace(list, h('p', { class: 'empty' }, 'Could not load the tasks.'));
    showError(error);
    return;
  }
  // a task just created or completed may reach the secondary storage a moment after the first look
  for (const delay of [ 500, 1500 ]) setTimeout(() => page.active && load().catch(() => {}), delay);
  page.every(3000, () => load().catch(() => {}));
}

// -- one task --------------------------------------------------------------------------------------

/** The variables the task sees, as rows and as an object (values are JSON text on the wire): the
 * process instance's and the task's own, the task's winning on a name both have. */
async function taskVariables(task) {
  const sort = [ { field: 'name' } ];
  const [ global, local ] = await Promise.all([
    searchAll('variables', { filter: { processInstanceKey: task.processInstanceKey, scopeKey: task.processInstanceKey }, sort }),
    searchAll(`user-tasks/${task.userTaskKey}/variables`, { sort })
  ]);
  const byName = new Map();
  for (const variable of [ ...global.items, ...local.items ]) byName.set(variable.name, variable);
  const items = [ ...byName.values() ].sort((a, b) => a.name.localeCompare(b.name));
  const data = {};
  for (const variable of items) {
    try {
      data[variable.name] = JSON.parse(variable.value);
    } catch {
      data[variable.name] = variable.value;
    }
  }
  return { items, data };
}

async function task(match, query, page) {
  current('tasks');
  const key = match[1];
  document.title = `Task ${key} · Tasklist · Strom`;
  const header = h('section', { class: 'card', id: 'task-header' }, h('div', { class: 'loading' }, 'Loading…'));
  const work = h('section', { class: 'card', id: 'task-work' });
  replace(app, h('p', {}, link('/', '← Tasks')), header, work);

  let item;
  let form = null;
  let busy = false;

  async function loadTask() {
    item = await api('GET', `/user-tasks/${key}`);
    if (!page.active) return;
    const signature = JSON.stringify(item);
    if (header.dataset.signature === signature) return;
    header.dataset.signature = signature;
    document.title = `${item.name} · Tasklist · Strom`;
    replace(header,
      h('h1', { id: 'task-name' }, item.name || item.elementId),
      h('dl', { class: 'facts' },
        fact('Process', item.processName || item.processDefinitionId),
        tenancy.multi ? fact('Tenant', h('span', { id: 'task-tenant' }, tenantLabel(tenancy, item.tenantId))) : null,
        fact('Instance', h('a', { class: 'mono', href: `/operate/instances/${item.processInstanceKey}` }, item.processInstanceKey)),
        fact('State', stateBadge(item.state)),
        fact('Assignee', h('span', { id: 'assignee' }, item.assignee || 'unassigned')),
        fact('Created', formatDate(item.creationDate)),
        fact('Due', item.dueDate ? formatDate(item.dueDate) : '–'),
        item.candidateGroups && item.candidateGroups.length ? fact('Candidate groups', item.candidateGroups.join(', ')) : null,
        item.candidateUsers && item.candidateUsers.length ? fact('Candidate users', item.candidateUsers.join(', ')) : null),
      renderAssignment());
    updateCompleteButton();
  }

  function fact(label, value) {
    return h('div', {}, h('dt', {}, label), h('dd', {}, value));
  }

  function renderAssignment() {
    if (item.state !== 'CREATED') return null;
    const mine = item.assignee === me;
    return h('div', { class: 'actions assignment' },
      !mine ? h('button', { class: 'primary', id: 'assign', onclick: (e) => act(e.target, 'POST', 'assignment', { assignee: me, allowOverride: true }, 'Assigned to you') }, 'Assign to me') : null,
      item.assignee ? h('button', { id: 'unassign', onclick: (e) => act(e.target, 'DELETE', 'assignee', undefined, 'Unassigned') }, 'Unassign') : null);
  }

  async function act(button, method, path, body, notice) {
    button.disabled = true;
    try {
      await api(method, `/user-tasks/${key}/${path}`, body);
      showNotice(notice);
      await waitFor(() => loadTask(), 10);
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  }

  /** Reloads until the secondary storage shows the change (the header changed), at most `times`. */
  async function waitFor(reload, times) {
    const before = header.dataset.signature;
    for (let attempt = 0; attempt < times && page.active; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt ? 300 : 100));
      await reload();
      if (header.dataset.signature !== before) return;
    }
  }

  const complete = h('button', { class: 'primary', id: 'complete', disabled: true, onclick: () => submit() }, 'Complete task');
  const hint = h('span', { class: 'hint', id: 'complete-hint' });
  let editor = null;

  function updateCompleteButton() {
    const open = item.state === 'CREATED';
    const mine = item.assignee === me;
    complete.disabled = busy || !open || !mine;
    hint.textContent = !open ? 'This task is no longer open.' : mine ? '' : 'Assign the task to yourself to complete it.';
  }

  async function renderWork() {
    const variables = await taskVariables(item);
    if (!page.active) return;
    let schema = null;
    if (item.formKey) {
      try {
        const linked = await api('GET', `/user-tasks/${key}/form`);
        schema = linked && linked.schema;
      } catch (error) {
        showError(error, 'Could not load the task\'s form; edit its variables instead');
      }
    }
    if (schema) {
      const container = h('div', { class: 'task-form', id: 'task-form' });
      replace(work, h('h2', {}, 'Form'), container, h('div', { class: 'actions' }, complete, hint));
      try {
        const { renderForm } = await import('./form.js');
        form = await renderForm(container, schema, variables.data);
        return;
      } catch (error) {
        showError(error, 'Could not render the task\'s form; edit its variables instead');
        form = null;
      }
    }
    editor = h('textarea', { id: 'variables-editor', rows: 8, spellcheck: false, placeholder: '{"approved": true}' }, '{}');
    replace(work,
      h('h2', {}, 'Variables'),
      variables.items.length ? h('table', { class: 'variables' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Value'))),
        h('tbody', {}, variables.items.map((variable) => h('tr', { class: 'variable', dataset: { name: variable.name } },
          h('td', {}, variable.name), h('td', { class: 'value' }, shortValue(variable.value, 400))))))
        : h('p', { class: 'empty' }, 'The task sees no variables.'),
      h('label', { class: 'editor-label', for: 'variables-editor' }, 'Complete with these variables (a JSON object):'),
      editor,
      h('div', { class: 'actions' }, complete, hint));
  }

  async function submit() {
    const variables = form ? formData(form) : editorData(editor);
    if (!variables) return;
    busy = true;
    updateCompleteButton();
    try {
      await api('POST', `/user-tasks/${key}/completion`, { variables });
      showNotice(`Task "${item.name || item.elementId}" completed`);
      router.go(router.href('/'));
    } catch (error) {
      showError(error, 'Could not complete the task');
    } finally {
      busy = false;
      if (page.active) updateCompleteButton();
    }
  }

  try {
    await loadTask();
    await renderWork();
  } catch (error) {
    replace(header, h('p', { class: 'empty' }, `Could not load task ${key}.`));
    showError(error);
    return;
  }
  page.every(4000, () => loadTask().catch(() => {}));
}

// -- starting a process ----------------------------------------------------------------------------

async function processes(match, query, page) {
  current('processes');
  document.title = 'Processes · Tasklist · Strom';
  const list = h('div', { class: 'loading' }, 'Loading…');
  replace(app, h('h1', {}, 'Start a process'), h('section', { class: 'card', id: 'processes' }, list));
  try {
    const { items, total } = await searchAll('process-definitions', {
      filter: { isLatestVersion: true },
      sort: [ { field: 'name' }, { field: 'processDefinitionId' }, { field: 'tenantId' } ]
    }, 500);
    if (!page.active) return;
    replace(list, items.length ? h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Process'), tenancy.multi ? h('th', { class: 'tenant' }, 'Tenant') : null,
        h('th', {}, 'Version'), h('th', {}, 'Start form'), h('th', {}, ''))),
      h('tbody', {}, items.map((definition) => h('tr', { class: 'process', dataset: { process: definition.processDefinitionId, tenant: tenancy.multi ? definition.tenantId : undefined } },
        h('td', {}, definition.name || definition.processDefinitionId,
          definition.name ? h('div', { class: 'mono' }, definition.processDefinitionId) : null),
        tenancy.multi ? h('td', { class: 'tenant' }, tenantLabel(tenancy, definition.tenantId)) : null,
        h('td', {}, definition.version),
        h('td', {}, definition.hasStartForm ? 'yes' : '–'),
        h('td', {}, link(`/processes/${definition.processDefinitionKey}/start`, 'Start', null, { class: 'start-link' }))))))
      : h('p', { class: 'empty' }, 'No process is deployed yet.'),
    total > items.length ? h('p', { class: 'empty' }, `The first ${items.length} of ${total} processes.`) : null);
  } catch (error) {
    replace(list, h('p', { class: 'empty' }, 'Could not load the processes.'));
    showError(error);
  }
}

async function startProcess(match, query, page) {
  current('processes');
  const key = match[1];
  const body = h('section', { class: 'card', id: 'start' }, h('div', { class: 'loading' }, 'Loading…'));
  replace(app, h('p', {}, link('/processes', '← Processes')), body);
  let definition;
  let schema = null;
  try {
    definition = await api('GET', `/process-definitions/${key}`);
    if (definition.hasStartForm) {
      const linked = await api('GET', `/process-definitions/${key}/form`);
      schema = linked && linked.schema;
    }
  } catch (error) {
    replace(body, h('p', { class: 'empty' }, `Could not load process definition ${key}.`));
    showError(error);
    return;
  }
  if (!page.active) return;
  const name = definition.name || definition.processDefinitionId;
  document.title = `Start ${name} · Tasklist · Strom`;
  const button = h('button', { class: 'primary', id: 'start-instance' }, 'Start instance');
  let form = null;
  let editor = null;
  if (schema) {
    const container = h('div', { class: 'task-form', id: 'start-form' });
    replace(body, h('h1', {}, `Start ${name}`), inTenant(), container, h('div', { class: 'actions' }, button));
    try {
      const { renderForm } = await import('./form.js');
      form = await renderForm(container, schema, {});
    } catch (error) {
      showError(error, 'Could not render the start form');
      return;
    }
  } else {
    editor = h('textarea', { id: 'variables-editor', rows: 8, spellcheck: false, placeholder: '{"orderId": "A-1"}' }, '{}');
    replace(body, h('h1', {}, `Start ${name}`), inTenant(),
      h('label', { class: 'editor-label', for: 'variables-editor' }, 'Start with these variables (a JSON object):'),
      editor, h('div', { class: 'actions' }, button));
  }
  /** Which tenant the instance will belong to (with multi-tenancy). */
  function inTenant() {
    return tenancy.multi ? h('p', { class: 'hint', id: 'start-tenant', dataset: { tenant: definition.tenantId } },
      'In tenant ', h('strong', {}, tenantLabel(tenancy, definition.tenantId))) : null;
  }
  button.addEventListener('click', async () => {
    const variables = form ? formData(form) : editorData(editor);
    if (!variables) return;
    button.disabled = true;
    try {
      // with multi-tenancy a request names its tenant: the one the chosen definition was deployed to
      const request = { processDefinitionKey: key, variables };
      if (tenancy.multi) request.tenantId = definition.tenantId;
      const created = await api('POST', '/process-instances', request);
      const notice = showNotice(`Started an instance of ${name}: `, 10000);
      notice.querySelector('.message-text').append(
        h('a', { href: `/operate/instances/${created.processInstanceKey}`, class: 'mono started-instance' }, created.processInstanceKey));
      router.go(router.href('/'));
    } catch (error) {
      button.disabled = false;
      showError(error, 'Could not start the process');
    }
  });
}

/** A form's data, or null (and a message) while some field needs attention. */
function formData(form) {
  const { data, errors } = form.submit();
  if (Object.keys(errors).length) {
    showError(new Error('Some fields of the form need attention.'), 'The form is not complete');
    return null;
  }
  return data;
}

/** The JSON object in a variables editor, or null (and a message) when it is not one. */
function editorData(editor) {
  let variables;
  try {
    variables = JSON.parse(editor.value.trim() || '{}');
  } catch (error) {
    showError(new Error(`The variables are not valid JSON: ${error.message}`), 'Cannot go on');
    return null;
  }
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    showError(new Error('The variables must be a JSON object, such as {"approved": true}.'), 'Cannot go on');
    return null;
  }
  return variables;
}

async function start() {
  try {
    const user = await api('GET', '/authentication/me');
    me = user.username || me;
    myGroups = user.groups || [];
    tenancy = tenancyOf(user);
    showSession(user, { alwaysName: true });
  } catch (error) {
    showError(error, 'Could not tell who you are; acting as "anonymous"');
    document.getElementById('user').textContent = me;
  }
  router.render();
}

start();
