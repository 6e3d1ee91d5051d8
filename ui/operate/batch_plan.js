// Migration and modification batch operations over the instance list's filter (Camunda 8.8):
//   Migrate all N…  a target definition and a mapping of the source's elements to the target's, sent
//                   as POST /v2/process-instances/migration {filter, migrationPlan}
//   Move all N…     a source element (where tokens are) and a target element of the same definition,
//                   sent as POST /v2/process-instances/modification {filter, moveInstructions}
// Both are forms in a card of their own (the instance list re-renders while it polls), usable with
// the keyboard alone (native selects and buttons; Escape closes), and ask once more before sending.
// A refusal shows the broker's problem detail and leaves the form open.
import { api } from '../shared/api.js';
import { h, replace } from '../shared/dom.js';
import { showError, showNotice } from '../shared/messages.js';

/** BPMN elements that hold a token while an instance waits (element instances stay active there). */
const WAITING = new Set([
  'task', 'serviceTask', 'userTask', 'scriptTask', 'sendTask', 'receiveTask', 'businessRuleTask',
  'manualTask', 'callActivity', 'subProcess', 'adHocSubProcess', 'transaction',
  'intermediateCatchEvent', 'eventBasedGateway'
]);

/** Flow nodes a token may be moved to: any but the start and boundary events. */
const PLACEABLE = new Set([ ...WAITING, 'intermediateThrowEvent', 'endEvent', 'exclusiveGateway',
  'parallelGateway', 'inclusiveGateway', 'complexGateway' ]);

/** The flow nodes of a definition's XML whose kind is in `kinds`, [{id, name, kind}] in document order. */
export function elementsOf(xml, kinds) {
  const document = new DOMParser().parseFromString(xml, 'application/xml');
  return [ ...document.getElementsByTagName('*') ]
    .filter((node) => kinds.has(node.localName) && node.getAttribute('id'))
    .map((node) => ({ id: node.getAttribute('id'), name: node.getAttribute('name') || '', kind: node.localName }));
}

function label({ id, name }) {
  return name && name !== id ? `${name} (${id})` : id;
}

function definitionLabel(process, version) {
  return `${process.name || process.id} — version ${version}`;
}

/** One batch form at a time in `card`; `source` is {process, version, key} of the chosen definition. */
export class BatchPlan {
  constructor(card, { filter, total, source, processes, router }) {
    this.card = card;
    this.filter = filter;
    this.total = total;
    this.source = source;
    this.processes = processes;
    this.router = router;
    card.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
  }

  close() {
    this.card.hidden = true;
    this.card.replaceChildren();
    const opener = document.getElementById(this.opener || '');
    if (opener) opener.focus();
  }

  open(title, opener) {
    this.opener = opener;
    this.card.hidden = false;
    replace(this.card, h('h2', {}, title), h('div', { class: 'loading' }, 'Loading…'));
  }

  /** Shows `body` under the title, then the Start / Close buttons; focuses the first control. */
  show(title, body, confirmText, send) {
    const status = h('div', { class: 'actions plan-actions' });
    const review = h('button', { class: 'primary', id: 'plan-review', type: 'button', onclick: () => {
      const text = confirmText();
      if (!text) return;
      replace(status, h('span', { class: 'confirm-text', id: 'plan-confirm-text' }, text),
        h('button', { class: 'primary', id: 'plan-confirm', type: 'button', onclick: async (event) => {
          event.target.disabled = true;
          try {
            const created = await send();
            showNotice(`Batch operation ${created.batchOperationKey} started`);
            this.router.go(this.router.href(`/batch-operations/${created.batchOperationKey}`));
          } catch (error) {
            showError(error, 'The broker refused the batch operation');
            event.target.disabled = false;
          }
        } }, 'Start batch operation'),
        h('button', { id: 'plan-back', type: 'button', onclick: () => { buttons(); review.focus(); } }, 'Back'));
      document.getElementById('plan-confirm').focus();
    } }, 'Review…');
    const buttons = () => replace(status, review,
      h('button', { id: 'plan-close', type: 'button', onclick: () => this.close() }, 'Close'));
    buttons();
    replace(this.card, h('h2', {}, title), body, status);
    const first = this.card.querySelector('select, input, button');
    if (first) first.focus();
  }

  async xml(key) {
    return api('GET', `/process-definitions/${key}/xml`);
  }

  // -- Migrate all N… ------------------------------------------------------------------------------

  async migrate() {
    const { process, version, key } = this.source;
    const title = `Migrate all ${this.total} instances of ${definitionLabel(process, version)}`;
    this.open(title, 'batch-migrate-all');
    let sources;
    let list;
    try {
      [ sources, list ] = await Promise.all([ this.xml(key).then((xml) => elementsOf(xml, WAITING)), this.processes() ]);
    } catch (error) {
      this.close();
      showError(error, 'Could not read the process definitions');
      return;
    }
    const targets = [];
    for (const other of list) {
      for (const definition of other.versions) {
        if (definition.key !== key) targets.push({ process: other, ...definition });
      }
    }
    if (!targets.length) {
      replace(this.card, h('h2', {}, title), h('p', { class: 'empty' }, 'No other process definition is deployed to migrate to.'),
        h('button', { id: 'plan-close', onclick: () => this.close() }, 'Close'));
      this.card.querySelector('button').focus();
      return;
    }
    // the latest version of the same process first, as a migration usually goes there
    const sameProcess = targets.filter((target) => target.process.id === process.id && (!process.tenantId || target.process.tenantId === process.tenantId));
    const preferred = sameProcess.length ? sameProcess[0] : targets[0];
    const targetSelect = h('select', { id: 'migration-target', name: 'target' },
      targets.map((target) => h('option', { value: target.key, selected: target === preferred },
        definitionLabel(target.process, target.version))));
    const mapping = h('div', { id: 'migration-mapping' });
    let targetElements = [];

    const renderMapping = async () => {
      replace(mapping, h('div', { class: 'loading' }, 'Loading…'));
      try {
        targetElements = elementsOf(await this.xml(targetSelect.value), WAITING);
      } catch (error) {
        replace(mapping, h('p', { class: 'empty' }, 'Could not read the target definition.'));
        showError(error, 'Could not read the target definition');
        return;
      }
      const ids = new Set(targetElements.map(({ id }) => id));
      replace(mapping, h('table', { class: 'mapping' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Source element'), h('th', {}, 'Target element'))),
        h('tbody', {}, sources.map((source) => h('tr', { class: 'mapping-row', dataset: { source: source.id } },
          h('td', {}, h('label', { for: `map-${source.id}` }, label(source))),
          h('td', {}, h('select', { id: `map-${source.id}`, class: 'mapping-target', dataset: { source: source.id } },
            h('option', { value: '' }, '(not mapped)'),
            targetElements.map((target) => h('option', { value: target.id, selected: target.id === source.id && ids.has(source.id) }, label(target))))))))),
      h('p', { class: 'hint' }, 'Each element where an instance waits needs a target; ids that match are mapped already.'));
    };
    targetSelect.addEventListener('change', () => renderMapping());

    const instructions = () => [ ...mapping.querySelectorAll('select.mapping-target') ]
      .filter((select) => select.value)
      .map((select) => ({ sourceElementId: select.dataset.source, targetElementId: select.value }));
    const chosen = () => targets.find((target) => String(target.key) === targetSelect.value);

    this.show(title,
      h('div', {}, h('div', { class: 'filters' }, h('label', {}, 'Target process definition', targetSelect)), mapping),
      () => {
        const target = chosen();
        const count = instructions().length;
        return `Migrate all ${this.total} instances matching the filter to ${definitionLabel(target.process, target.version)}, ` +
          `with ${count} mapping instruction${count === 1 ? '' : 's'}, in one batch operation?`;
      },
      () => api('POST', '/process-instances/migration', {
        filter: this.filter,
        migrationPlan: { targetProcessDefinitionKey: targetSelect.value, mappingInstructions: instructions() }
      }));
    await renderMapping();
  }

  // -- Move all N… ---------------------------------------------------------------------------------

  async move() {
    const { process, version, key } = this.source;
    const title = `Move the tokens of all ${this.total} instances of ${definitionLabel(process, version)}`;
    this.open(title, 'batch-move-all');
    let xml;
    let statistics;
    try {
      [ xml, statistics ] = await Promise.all([
        this.xml(key),
        api('POST', `/process-definitions/${key}/statistics/element-instances`, {})
      ]);
    } catch (error) {
      this.close();
      showError(error, 'Could not read the process definition');
      return;
    }
    // the definition's tokens (with incidents too), not only the filter's: the endpoint counts them all
    const active = new Map(statistics.items.map((item) => [ item.elementId, (item.active || 0) + (item.incidents || 0) ])
      .filter(([ , n ]) => n > 0));
    const waiting = elementsOf(xml, WAITING);
    // where tokens are first (with their counts), then every other element an instance can wait at
    const sources = [ ...waiting.filter(({ id }) => active.has(id)), ...waiting.filter(({ id }) => !active.has(id)) ];
    const sourceSelect = h('select', { id: 'move-source', name: 'source' },
      sources.map((element) => h('option', { value: element.id },
        active.has(element.id) ? `${label(element)} — ${active.get(element.id)} in the definition` : label(element))));
    const targetSelect = h('select', { id: 'move-target', name: 'target' },
      elementsOf(xml, PLACEABLE).map((element) => h('option', { value: element.id }, label(element))));
    const pickOther = () => {
      if (targetSelect.value !== sourceSelect.value) return;
      const other = [ ...targetSelect.options ].find((option) => option.value !== sourceSelect.value);
      if (other) targetSelect.value = other.value;
    };
    sourceSelect.addEventListener('change', pickOther);
    pickOther();
    this.show(title,
      h('div', { class: 'filters' }, h('label', {}, 'From element (where the tokens are)', sourceSelect),
        h('label', {}, 'To element', targetSelect)),
      () => {
        if (sourceSelect.value === targetSelect.value) {
          showError(new Error('Choose a target element other than the source.'), 'Move');
          return null;
        }
        return `Move the tokens at ${sourceSelect.value} to ${targetSelect.value} in all ${this.total} instances matching the filter, in one batch operation?`;
      },
      () => api('POST', '/process-instances/modification', {
        filter: this.filter,
        moveInstructions: [ { sourceElementId: sourceSelect.value, targetElementId: targetSelect.value } ]
      }));
  }
}
