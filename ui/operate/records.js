// The record log explorer of one instance (/operate/instances/{key}/records): every record of its
// partition's log that concerns it, as the test kit's compact record log shows them, filterable;
// "why?" follows a record's source position back to the command that caused it; the step-through
// redraws the diagram's tokens as they were after any chosen record (time travel over the log).
// Reads `POST /v2/strom/process-instances/{key}/records/search` and `GET .../records/{position}`.
import './records.css';

import { api } from '../shared/api.js';
import { formatDate, h, replace } from '../shared/dom.js';
import { showError } from '../shared/messages.js';
import { Diagram } from './diagram.js';

const PAGE = 100;
const TOKEN_PAGE = 1000;

/** Short names, as the compact record log of the test kit writes them. */
const VALUE_TYPES = {
  PROCESS_INSTANCE: 'PI',
  PROCESS_INSTANCE_CREATION: 'CREA',
  PROCESS_INSTANCE_MODIFICATION: 'MOD',
  PROCESS_INSTANCE_MIGRATION: 'MIGR',
  PROCESS_INSTANCE_BATCH: 'PI_BATCH',
  PROCESS_INSTANCE_RESULT: 'PI_RSLT',
  JOB: 'JOB',
  VARIABLE: 'VAR',
  VARIABLE_DOCUMENT: 'VAR_DOC',
  INCIDENT: 'INC',
  TIMER: 'TIME',
  MESSAGE_SUBSCRIPTION: 'MSG_SUB',
  PROCESS_MESSAGE_SUBSCRIPTION: 'PMSG_SUB',
  MESSAGE_CORRELATION: 'MSG_CORR',
  USER_TASK: 'UT',
  DECISION_EVALUATION: 'DEC_EVAL',
  COMPENSATION_SUBSCRIPTION: 'COMP_SUB',
  PROCESS_EVENT: 'PROC_EVT',
  ERROR: 'ERR',
  ESCALATION: 'ESC',
  AD_HOC_SUB_PROCESS_INSTRUCTION: 'AD_HOC'
};
const RECORD_TYPES = { COMMAND: 'C', EVENT: 'E', COMMAND_REJECTION: 'R' };
const RECORD_TYPE_NAMES = { COMMAND: 'Command', EVENT: 'Event', COMMAND_REJECTION: 'Rejection' };
const INTENTS = [
  'ELEMENT_ACTIVATING', 'ELEMENT_ACTIVATED', 'ELEMENT_COMPLETING', 'ELEMENT_COMPLETED',
  'ELEMENT_TERMINATING', 'ELEMENT_TERMINATED', 'SEQUENCE_FLOW_TAKEN', 'ACTIVATE_ELEMENT',
  'COMPLETE_ELEMENT', 'TERMINATE_ELEMENT', 'CREATE', 'CREATED', 'COMPLETE', 'COMPLETED', 'FAIL',
  'FAILED', 'UPDATE', 'UPDATED', 'RESOLVE', 'RESOLVED', 'CANCEL', 'MODIFY', 'MODIFIED', 'TRIGGERED'
];

/** Overview | Record log: the tabs of an instance's pages. */
export function instanceTabs(link, key, current) {
  const tab = (path, label, name) => link(path, label, null, {
    class: `tab${current === name ? ' current' : ''}`, dataset: { tab: name }
  });
  return h('nav', { class: 'tabs', id: 'instance-tabs' },
    tab(`/instances/${key}`, 'Overview', 'overview'),
    tab(`/instances/${key}/records`, 'Record log', 'records'));
}

/** `K05`-style keys, relative to the partition, as the compact record log shows them. */
function shortKey(key) {
  if (!key || key === '-1') return '–';
  try {
    return `K${(BigInt(key) & ((1n << 51n) - 1n)).toString().padStart(2, '0')}`;
  } catch {
    return key;
  }
}

function vars(document) {
  const names = Object.keys(document || {});
  if (!names.length) return '';
  const shown = names.slice(0, 4).map((name) => `${name}=${JSON.stringify(document[name])}`);
  return `{${shown.join(', ')}${names.length > 4 ? `, +${names.length - 4}` : ''}}`;
}

/** A line about the record's value, as the compact record log's summary. */
function summary(record) {
  const v = record.value || {};
  switch (record.valueType) {
    case 'PROCESS_INSTANCE':
      return `${v.bpmnElementType} "${v.elementId}"`;
    case 'PROCESS_INSTANCE_CREATION':
      return `new <process "${v.bpmnProcessId}"> ${vars(v.variables)}`;
    case 'JOB': // a client's command names only the job (its key) and what it changes
      return [ v.type && `"${v.type}"`, v.elementId && `@"${v.elementId}"`, v.type && `${v.retries} retries`,
        v.errorMessage && `"${v.errorMessage}"`, vars(v.variables) ].filter(Boolean).join(' ');
    case 'VARIABLE':
      return `${v.name} -> ${v.value && v.value.length > 60 ? v.value.slice(0, 57) + '...' : v.value}`;
    case 'VARIABLE_DOCUMENT':
      return `${v.updateSemantics} ${vars(v.variables)}`;
    case 'INCIDENT':
      return `${v.errorType} "${v.errorMessage}" @"${v.elementId}"`;
    case 'USER_TASK':
      return `@"${v.elementId}" ${v.assignee ? `assignee ${v.assignee}` : ''}`;
    case 'TIMER':
      return `@"${v.targetElementId}" due ${formatDate(v.dueDate ? new Date(v.dueDate).toISOString() : null)}`;
    default: {
      const fields = [ 'elementId', 'messageName', 'correlationKey', 'signalName', 'errorCode' ]
        .filter((name) => v[name] !== undefined && v[name] !== '' && v[name] !== '-1');
      return fields.map((name) => `${name}=${JSON.stringify(v[name])}`).join(' ');
    }
  }
}

/** The tokens after `position`: element instances (ACTIVE, COMPLETED, TERMINATED, with an
 * incident) and the taken flows, from the PROCESS_INSTANCE and INCIDENT events up to it. */
export function tokensAt(events, position) {
  const instances = new Map();
  const flows = new Set();
  const incidents = new Map();
  for (const record of events) {
    if (record.position > position) break;
    const v = record.value;
    if (record.valueType === 'INCIDENT') {
      if (record.intent === 'CREATED') incidents.set(record.key, v.elementInstanceKey);
      if (record.intent === 'RESOLVED') incidents.delete(record.key);
      continue;
    }
    if (v.bpmnElementType === 'PROCESS') continue;
    switch (record.intent) {
      case 'ELEMENT_ACTIVATING':
      case 'ELEMENT_ACTIVATED':
        instances.set(record.key, { elementId: v.elementId, state: 'ACTIVE' });
        break;
      case 'ELEMENT_COMPLETED':
        instances.set(record.key, { elementId: v.elementId, state: 'COMPLETED' });
        break;
      case 'ELEMENT_TERMINATED':
        instances.set(record.key, { elementId: v.elementId, state: 'TERMINATED' });
        break;
      case 'SEQUENCE_FLOW_TAKEN':
        flows.add(v.elementId);
        break;
      default:
    }
  }
  const withIncident = new Set(incidents.values());
  const elementInstances = [ ...instances.entries() ].map(([ key, instance ]) =>
    ({ ...instance, hasIncident: instance.state === 'ACTIVE' && withIncident.has(key) }));
  return { elementInstances, flows: [ ...flows ] };
}

export async function recordLog(app, key, query, page, { link, router, current }) {
  current('processes');
  document.title = `Record log ${key} · Operate · Strom`;
  const filter = {
    recordType: query.get('recordType') || '',
    valueType: query.get('valueType') || '',
    intent: query.get('intent') || ''
  };
  const facts = h('p', { class: 'log-facts', id: 'log-facts' }, 'Reading the log…');
  const diagramBox = h('div', { class: 'diagram', id: 'record-diagram' });
  const stepper = h('div', { class: 'time-travel', id: 'time-travel' });
  const body = h('tbody', {});
  const more = h('div', { class: 'pager' });
  const count = h('span', { class: 'count', id: 'record-count' });
  replace(app,
    h('h1', {}, 'Process instance ', link(`/instances/${key}`, key, null, { class: 'mono', id: 'instance-key' })),
    instanceTabs(link, key, 'records'),
    h('section', { class: 'card' }, facts, diagramBox, stepper),
    h('section', { class: 'card', id: 'record-log' },
      h('h2', {}, 'Record log', count),
      filters(),
      h('table', { class: 'records', id: 'records' },
        h('thead', {}, h('tr', {}, h('th', { class: 'number' }, 'Position'), h('th', {}, 'Source'),
          h('th', {}, ''), h('th', {}, 'Value type'), h('th', {}, 'Intent'), h('th', {}, 'Key'),
          h('th', {}, 'Time'), h('th', {}, 'Summary'))),
        body),
      more));

  let diagram = null;
  page.onLeave(() => diagram && diagram.destroy());
  const rows = []; // the table's records, by position: [{record, row}]
  let events = []; // every PROCESS_INSTANCE and INCIDENT event, for the tokens
  let selected = null;
  let after = 0;

  function filters() {
    const select = (name, options, labels = {}) => h('select', { name, onchange: apply },
      h('option', { value: '' }, 'all'),
      options.map((option) => h('option', { value: option, selected: filter[name] === option }, labels[option] || option)));
    const intent = h('input', { name: 'intent', value: filter.intent, list: 'record-intents', placeholder: 'e.g. ELEMENT_ACTIVATED', onchange: apply });
    return h('div', { class: 'filters', id: 'record-filters' },
      h('label', {}, 'Record type', select('recordType', Object.keys(RECORD_TYPES), RECORD_TYPE_NAMES)),
      h('label', {}, 'Value type', select('valueType', Object.keys(VALUE_TYPES))),
      h('label', {}, 'Intent', intent),
      h('datalist', { id: 'record-intents' }, INTENTS.map((name) => h('option', { value: name }))));
  }

  function apply() {
    const values = {};
    for (const input of document.querySelectorAll('#record-filters [name]')) values[input.name] = input.value.trim();
    router.go(router.href(`/instances/${key}/records`, values));
  }

  function search(body) {
    return api('POST', `/strom/process-instances/${key}/records/search`, body);
  }

  function serverFilter() {
    const chosen = {};
    if (filter.recordType) chosen.recordType = filter.recordType;
    if (filter.valueType) chosen.valueType = filter.valueType;
    if (filter.intent) chosen.intent = filter.intent.split(',').map((name) => name.trim()).filter(Boolean);
    return chosen;
  }

  function showFacts(log) {
    const parts = [ `Partition ${log.partitionId}`, `read up to position ${log.readUpTo}` ];
    const reload = h('button', { id: 'records-reload', class: 'reload', title: 'Read the records written since',
      onclick: () => router.go(location.pathname + location.search, true) }, 'Reload');
    replace(facts, reload, parts.join(' · '),
      log.compacted ? h('span', { class: 'compacted', id: 'compacted' },
        ` · Records before position ${log.firstPosition} were compacted (below the snapshot and the exporters' positions); they are not shown.`) : null);
  }

  function renderRow(record, fetched = false) {
    const row = h('tr', {
      class: `record record-${record.recordType.toLowerCase()}${fetched ? ' fetched' : ''}`,
      dataset: { position: record.position, valueType: record.valueType, intent: record.intent, recordType: record.recordType }
    });
    const source = record.sourceRecordPosition > 0
      ? h('a', { href: '#', class: 'why', title: `Why? Show the record at position ${record.sourceRecordPosition} that caused this one`,
        dataset: { source: record.sourceRecordPosition }, onclick: (event) => { event.preventDefault(); why(record.sourceRecordPosition); } },
      `why? #${record.sourceRecordPosition}`)
      : h('span', { class: 'muted' }, '–');
    const rejection = record.recordType === 'COMMAND_REJECTION'
      ? h('span', { class: 'rejection' }, ` !${record.rejectionType} (${record.rejectionReason})`) : null;
    const details = h('tr', { class: 'record-value', hidden: true },
      h('td', { colspan: 8 }, h('pre', {}, JSON.stringify(record, null, 2))));
    row.append(
      h('td', { class: 'number mono' }, h('a', { href: '#', class: 'step-to', title: 'Show the tokens after this record',
        onclick: (event) => { event.preventDefault(); select(record.position); } }, `#${record.position}`)),
      h('td', { class: 'mono source' }, source),
      h('td', {}, h('span', { class: `kind kind-${RECORD_TYPES[record.recordType]}`, title: RECORD_TYPE_NAMES[record.recordType] }, RECORD_TYPES[record.recordType])),
      h('td', { class: 'mono', title: record.valueType }, VALUE_TYPES[record.valueType] || record.valueType),
      h('td', { class: 'mono' }, record.intent),
      h('td', { class: 'mono key', title: record.key }, shortKey(record.key)),
      h('td', { class: 'time' }, formatDate(record.timestamp)),
      h('td', { class: 'summary mono', title: 'Show the whole record', onclick: () => { details.hidden = !details.hidden; } },
        summary(record), rejection, fetched ? h('span', { class: 'fetched-note' }, ' (outside this list: shown for a why?)') : null));
    return [ row, details ];
  }

  /** Puts `record` into the table in position order. */
  function insert(record, fetched = false) {
    const [ row, details ] = renderRow(record, fetched);
    const index = rows.findIndex((entry) => entry.record.position > record.position);
    const entry = { record, row };
    if (index < 0) {
      rows.push(entry);
      body.append(row, details);
    } else {
      rows.splice(index, 0, entry);
      body.insertBefore(details, rows[index + 1].row);
      body.insertBefore(row, details);
    }
    return row;
  }

  async function loadMore() {
    const answer = await search({ filter: serverFilter(), page: { after, limit: PAGE } });
    if (!page.active) return;
    showFacts(answer.log);
    for (const record of answer.items) {
      if (!rows.some((entry) => entry.record.position === record.position)) insert(record);
    }
    if (answer.page.endPosition) after = answer.page.endPosition;
    replace(count, `${rows.filter((entry) => !entry.row.classList.contains('fetched')).length} of ${answer.page.totalItems}`);
    replace(more, answer.page.hasMoreItems
      ? h('button', { id: 'load-more', onclick: () => loadMore().catch((error) => showError(error)) }, `Load the next ${PAGE}`)
      : null);
    if (!rows.length) body.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No record matches these filters.')));
    renderStepper();
  }

  async function loadEvents() {
    const all = [];
    let from = 0;
    for (;;) {
      const answer = await search({ filter: { recordType: 'EVENT', valueType: [ 'PROCESS_INSTANCE', 'INCIDENT' ] },
        page: { after: from, limit: TOKEN_PAGE } });
      all.push(...answer.items);
      if (!answer.page.hasMoreItems) return { all, log: answer.log };
      from = answer.page.endPosition;
    }
  }

  /** "why?": scroll to the source record and mark it, loading it first when the list lacks it. */
  async function why(position) {
    let entry = rows.find((candidate) => candidate.record.position === position);
    if (!entry) {
      try {
        const record = await api('GET', `/strom/process-instances/${key}/records/${position}`);
        insert(record, true);
        entry = rows.find((candidate) => candidate.record.position === position);
      } catch (error) {
        showError(error, `Record #${position}`);
        return;
      }
    }
    for (const marked of body.querySelectorAll('tr.why-target')) marked.classList.remove('why-target');
    entry.row.classList.add('why-target');
    entry.row.scrollIntoView({ block: 'center' });
    select(position);
  }

  /** Shows the tokens as they were after the record at `position` (null: now). */
  function select(position) {
    selected = position;
    for (const entry of rows) entry.row.classList.toggle('selected', entry.record.position === position);
    const at = position === null ? Infinity : position;
    if (diagram && diagramBox.dataset.shown === 'true') {
      const { elementInstances, flows } = tokensAt(events, at);
      diagram.mark(elementInstances, flows);
      diagramBox.dataset.at = position === null ? 'latest' : String(position);
    }
    renderStepper();
  }

  function renderStepper() {
    const positions = rows.map((entry) => entry.record.position);
    const index = selected === null ? positions.length - 1 : positions.indexOf(selected);
    const go = (i) => select(positions[Math.max(0, Math.min(positions.length - 1, i))]);
    const record = selected === null ? null : rows[index] && rows[index].record;
    const slider = h('input', { type: 'range', id: 'step-slider', min: 0, max: Math.max(0, positions.length - 1),
      value: Math.max(0, index), oninput: (event) => go(Number(event.target.value)) });
    replace(stepper,
      h('button', { id: 'step-back', disabled: !positions.length || index <= 0, onclick: () => go(index - 1) }, '◀ Back'),
      slider,
      h('button', { id: 'step-forward', disabled: !positions.length || selected === null || index >= positions.length - 1, onclick: () => go(index + 1) }, 'Forward ▶'),
      h('button', { id: 'step-latest', disabled: selected === null, onclick: () => select(null) }, 'Now'),
      h('span', { class: 'step-label', id: 'step-label' }, record
        ? `Tokens after #${record.position}: ${RECORD_TYPES[record.recordType]} ${VALUE_TYPES[record.valueType] || record.valueType} ${record.intent}`
        : selected === null ? 'Tokens now (after the last record read)' : `Tokens after #${selected}`));
  }

  try {
    const [ , loaded ] = await Promise.all([ loadMore(), loadEvents() ]);
    if (!page.active) return;
    events = loaded.all;
    const definition = events.find((record) => record.value.processDefinitionKey);
    if (definition) {
      diagram = new Diagram(diagramBox);
      try {
        await diagram.show(await api('GET', `/process-definitions/${definition.value.processDefinitionKey}/xml`));
        if (!page.active) return;
        diagramBox.dataset.shown = 'true';
      } catch (error) {
        showError(error, 'Could not draw the diagram');
      }
    }
    const at = Number(query.get('at'));
    select(at > 0 ? at : null);
  } catch (error) {
    if (!page.active) return;
    replace(facts, h('span', { class: 'empty' }, error.detail || error.message));
    showError(error);
  }
}
