// The instance history as Camunda's Operate shows it: a tree of element instances with the process
// instance at its root. A scope's children are read only when it is expanded (POST
// element-instances/search filtered by `elementInstanceScopeKey`, by start date), a page at a
// time: a multi-instance body with 1,000 inner instances shows its first page and "Load more".
// A WAI-ARIA treegrid: arrow keys move, expand and collapse, Enter or Space selects.
import { search } from '../shared/api.js';
import { formatDate, h, replace } from '../shared/dom.js';

export const TREE_PAGE = 50;
const MAX_LIMIT = 10000;

/** Element types whose instances hold others (a call activity's are another process instance). */
const SCOPES = new Set([ 'PROCESS', 'SUB_PROCESS', 'EVENT_SUB_PROCESS', 'AD_HOC_SUB_PROCESS',
  'AD_HOC_SUB_PROCESS_INNER_INSTANCE', 'MULTI_INSTANCE_BODY' ]);

const ICONS = {
  INCIDENT: [ '!', 'Incident' ],
  ACTIVE: [ '●', 'Active' ],
  COMPLETED: [ '✓', 'Completed' ],
  TERMINATED: [ '✕', 'Canceled' ]
};

/** The state an element instance shows: an active one with an incident (its own or one below it) is INCIDENT. */
export function shownState(item) {
  return item.hasIncident && item.state === 'ACTIVE' ? 'INCIDENT' : item.state;
}

function stateIcon(item) {
  const state = shownState(item);
  const [ glyph, label ] = ICONS[state] || [ '?', state ];
  return h('span', { class: `state-icon state-${state.toLowerCase()}`, dataset: { state }, title: label, 'aria-label': label, role: 'img' }, glyph);
}

function label(item) {
  const name = item.elementName || item.elementId;
  if (item.type === 'MULTI_INSTANCE_BODY') return `${name} (Multi Instance)`;
  if (item.type === 'AD_HOC_SUB_PROCESS_INNER_INSTANCE') return 'Inner instance';
  return name;
}

/** The element instances of one process instance as a lazily loaded tree.
 *
 * `onSelect(selection)` hears of a selection: `{key, item}` for one node (the root is the process
 * instance), `{elementId, keys}` for an element of the diagram with several instances, or null.
 * `rowAction(item)` may give a cell's content for a row (Move token…). */
export class InstanceTree {
  constructor(container, processInstanceKey, { onSelect = () => {}, rowAction = () => null } = {}) {
    this.container = container;
    this.key = processInstanceKey;
    this.onSelect = onSelect;
    this.rowAction = rowAction;
    /** key -> {item, parent, level, children (keys, null until read), total, cursor, expanded} */
    this.nodes = new Map();
    this.selected = null; // a key, or null
    this.selectedElement = null; // an element id chosen on the diagram with several instances
    this.focused = processInstanceKey;
    this.paused = false;
    this.queue = Promise.resolve();
    this.body = h('tbody', { onkeydown: (event) => this.keydown(event), onclick: (event) => this.click(event) });
    this.count = h('span', { class: 'count' });
    replace(container, h('h2', {}, 'Instance history', this.count),
      h('table', { class: 'instance-tree', role: 'treegrid', 'aria-label': 'Instance history' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Element'), h('th', {}, 'Start'), h('th', {}, 'End'),
          h('th', {}, 'Key'), h('th', {}, ''))),
        this.body));
  }

  /** Runs `work` after what is already running: loads and clicks never interleave. */
  serial(work) {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Shows the process instance (`GET process-instances/{key}`) at the root and reads again the
   * children of every expanded scope, as many as are shown (the page polls this). */
  refresh(instance) {
    return this.serial(async () => {
      const root = this.nodes.get(this.key);
      const item = {
        elementInstanceKey: this.key, elementId: instance.processDefinitionId, type: 'PROCESS',
        elementName: instance.processDefinitionName || instance.processDefinitionId,
        state: instance.state, hasIncident: instance.hasIncident, startDate: instance.startDate, endDate: instance.endDate
      };
      if (!root) {
        this.nodes.set(this.key, { item, parent: null, level: 0, children: null, total: 0, cursor: null, expanded: true });
      } else {
        root.item = item;
      }
      for (const node of this.expandedNodes()) {
        await this.read(node, Math.min(MAX_LIMIT, Math.max(TREE_PAGE, node.children ? node.children.length : 0)));
      }
      this.render();
    });
  }

  /** The expanded nodes from the root down (a parent before its children). */
  expandedNodes() {
    const found = [];
    const visit = (key) => {
      const node = this.nodes.get(key);
      if (!node || !node.expanded) return;
      found.push(node);
      for (const child of node.children || []) visit(child);
    };
    visit(this.key);
    return found;
  }

  /** Reads the first `limit` children of `node` (replacing those known), or with `more` the next page. */
  async read(node, limit, more = false) {
    const page = { limit };
    if (more && node.cursor) page.after = node.cursor;
    const result = await search('element-instances', {
      filter: { processInstanceKey: this.key, elementInstanceScopeKey: node.item.elementInstanceKey },
      sort: [ { field: 'startDate' }, { field: 'elementInstanceKey' } ],
      page
    });
    const keys = more ? [ ...(node.children || []) ] : [];
    for (const item of result.items) {
      const key = item.elementInstanceKey;
      const known = this.nodes.get(key);
      if (known) {
        known.item = item;
      } else {
        this.nodes.set(key, { item, parent: node.item.elementInstanceKey, level: node.level + 1, children: null, total: 0, cursor: null, expanded: false });
      }
      if (!keys.includes(key)) keys.push(key);
    }
    node.children = keys;
    node.total = result.page.totalItems;
    if (result.page.endCursor) node.cursor = result.page.endCursor;
  }

  /** A scope, unless it was read empty and cannot get children any more (it is not active). */
  expandable(node) {
    const empty = node.children && node.children.length === 0 && node.total === 0;
    return SCOPES.has(node.item.type) && !(empty && node.item.state !== 'ACTIVE');
  }

  expand(key) {
    return this.serial(async () => {
      const node = this.nodes.get(key);
      if (!node || node.expanded || !this.expandable(node)) return;
      node.expanded = true;
      // read again: what was read before it was collapsed may have changed since
      await this.read(node, Math.min(MAX_LIMIT, Math.max(TREE_PAGE, node.children ? node.children.length : 0)));
      this.render(true);
    });
  }

  collapse(key) {
    const node = this.nodes.get(key);
    if (!node || !node.expanded) return;
    node.expanded = false;
    this.render(true);
  }

  loadMore(key) {
    return this.serial(async () => {
      const node = this.nodes.get(key);
      if (!node) return;
      await this.read(node, TREE_PAGE, true);
      this.render(true);
    });
  }

  /** Selects one node (null: none) and tells the page. */
  select(key) {
    this.selected = key;
    this.selectedElement = null;
    if (key) this.focused = key;
    this.render(true);
    const node = key && this.nodes.get(key);
    this.onSelect(node ? { key, item: node.item } : null);
  }

  /** Selects `elementId`'s instance when it has one (expanding the tree down to it), or marks all
   * of its instances shown when it has several. `scopes` are the ids of the (sub)processes that
   * contain the element on the diagram, outermost first. */
  async selectElement(elementId, scopes) {
    const found = await search('element-instances', {
      filter: { processInstanceKey: this.key, elementId },
      sort: [ { field: 'startDate' } ],
      page: { limit: 2 }
    });
    const instances = found.items.filter((item) => item.type !== 'MULTI_INSTANCE_BODY');
    const count = found.page.totalItems;
    if (count === 1 || (count === 2 && instances.length === 1 && found.items.length === 2)) {
      const target = instances[0] || found.items[0];
      await this.reveal(target.elementInstanceKey, elementId, scopes);
      this.select(target.elementInstanceKey);
      this.focusRow(target.elementInstanceKey, false);
      return;
    }
    this.selected = null;
    this.selectedElement = elementId;
    this.render(true);
    this.onSelect({ elementId, count });
  }

  /** Expands the tree down to `target` (an instance of `elementId` inside the diagram's `scopes`). */
  reveal(target, elementId, scopes) {
    return this.serial(async () => {
      const path = await this.pathTo(this.nodes.get(this.key).item, [ ...scopes ], target, elementId, { budget: 200 });
      if (!path) return;
      let node = this.nodes.get(this.key);
      for (const key of path) {
        if (!node.children) await this.read(node, TREE_PAGE);
        for (let pages = 0; !node.children.includes(key) && node.children.length < node.total && pages < 40; pages++) {
          await this.read(node, TREE_PAGE, true);
        }
        node.expanded = true;
        node = this.nodes.get(key);
        if (!node) return;
      }
      this.render(true);
    });
  }

  /** The keys from below `scope` down to `target`'s parent and `target` itself, or null: follows
   * the diagram's scopes, looking into multi-instance bodies and ad-hoc inner instances, a
   * bounded number of searches. */
  async pathTo(scope, steps, target, elementId, limits) {
    if (limits.budget-- <= 0) return null;
    const filter = { processInstanceKey: this.key, elementInstanceScopeKey: scope.elementInstanceKey };
    if (scope.type === 'AD_HOC_SUB_PROCESS') {
      const inner = await search('element-instances', { filter: { ...filter, type: 'AD_HOC_SUB_PROCESS_INNER_INSTANCE' }, page: { limit: 100 } });
      for (const item of inner.items) {
        const below = await this.pathTo(item, steps, target, elementId, limits);
        if (below) return [ item.elementInstanceKey, ...below ];
      }
    }
    const id = steps.length ? steps[0] : elementId;
    const children = await search('element-instances', { filter: { ...filter, elementId: id }, page: { limit: 100 } });
    for (const item of children.items) {
      if (!steps.length && item.elementInstanceKey === target) return [ target ];
      const rest = item.type === 'MULTI_INSTANCE_BODY' || !steps.length ? steps : steps.slice(1);
      if (!steps.length && item.type !== 'MULTI_INSTANCE_BODY') continue;
      const below = await this.pathTo(item, rest, target, elementId, limits);
      if (below) return [ item.elementInstanceKey, ...below ];
    }
    return null;
  }

  /** The rows shown: the root and, below each expanded node, its children and a Load more row. */
  rows() {
    const rows = [];
    const visit = (key) => {
      const node = this.nodes.get(key);
      if (!node) return;
      rows.push({ node });
      if (!node.expanded || !node.children) return;
      for (const child of node.children) visit(child);
      if (node.children.length < node.total) rows.push({ more: node });
    };
    visit(this.key);
    return rows;
  }

  /** Draws the rows (skipped while the page edits a row, or when nothing changed unless `force`). */
  render(force = false) {
    if (this.paused) return;
    const rows = this.rows();
    const signature = JSON.stringify([ this.selected, this.selectedElement, this.focused,
      rows.map(({ node, more }) => (node ? [ node.item, node.expanded, node.total, this.expandable(node) ] : [ 'more', more.total, more.children.length ])) ]);
    if (!force && signature === this.signature) return;
    this.signature = signature;
    const hadFocus = this.body.contains(document.activeElement) && document.activeElement.tagName === 'TR';
    const shown = rows.filter((row) => row.node);
    if (!shown.some((row) => row.node.item.elementInstanceKey === this.focused)) this.focused = this.key;
    this.count.textContent = `${shown.length - 1} element instances shown`;
    this.body.replaceChildren(...rows.map((row) => (row.node ? this.row(row.node) : this.moreRow(row.more))));
    if (hadFocus) this.focusRow(this.focused);
  }

  row(node) {
    const item = node.item;
    const key = item.elementInstanceKey;
    const expandable = this.expandable(node);
    const selected = this.selected === key || (this.selectedElement !== null && item.elementId === this.selectedElement);
    const toggle = expandable
      ? h('button', { class: 'tree-toggle', tabindex: '-1', 'aria-label': node.expanded ? 'Collapse' : 'Expand', dataset: { action: 'toggle' } }, node.expanded ? '▾' : '▸')
      : h('span', { class: 'tree-spacer' });
    return h('tr', {
      class: `element-instance${selected ? ' selected' : ''}`,
      role: 'row',
      tabindex: key === this.focused ? '0' : '-1',
      'aria-level': String(node.level + 1),
      'aria-expanded': expandable ? String(node.expanded) : null,
      'aria-selected': String(selected),
      dataset: { key, elementId: item.elementId, state: item.state, type: item.type, incident: String(Boolean(item.hasIncident)) }
    },
    h('td', { class: 'tree-element', role: 'gridcell' },
      h('div', { class: 'tree-line', style: `padding-left: ${node.level * 20}px` },
        toggle, stateIcon(item), h('span', { class: 'element-name' }, label(item)),
        item.type !== 'PROCESS' ? h('span', { class: 'element-type' }, item.type) : null)),
    h('td', { role: 'gridcell' }, formatDate(item.startDate)),
    h('td', { role: 'gridcell' }, formatDate(item.endDate)),
    h('td', { class: 'mono', role: 'gridcell' }, key),
    h('td', { class: 'move', role: 'gridcell' }, this.rowAction(item)));
  }

  moreRow(node) {
    const left = node.total - node.children.length;
    return h('tr', { class: 'load-more', role: 'row', 'aria-level': String(node.level + 2), dataset: { scope: node.item.elementInstanceKey } },
      h('td', { colspan: '5', role: 'gridcell' }, h('div', { style: `padding-left: ${(node.level + 1) * 20}px` },
        h('button', { class: 'load-more', dataset: { action: 'more' } },
          `Load more (${node.children.length} of ${node.total} shown, ${Math.min(left, TREE_PAGE)} more)`))));
  }

  click(event) {
    const tr = event.target.closest('tr');
    if (!tr) return;
    const action = event.target.closest('[data-action]');
    if (action && action.dataset.action === 'more') {
      this.loadMore(tr.dataset.scope).catch(this.fail);
      return;
    }
    if (!tr.classList.contains('element-instance')) return;
    const key = tr.dataset.key;
    this.focused = key;
    if (action && action.dataset.action === 'toggle') {
      this.toggle(key);
      this.focusRow(key);
      return;
    }
    if (event.target.closest('button, select, input, a')) return; // the row's own controls
    this.select(key);
    this.focusRow(key);
  }

  toggle(key) {
    const node = this.nodes.get(key);
    if (node && node.expanded) this.collapse(key);
    else this.expand(key).then(() => this.focusRow(key)).catch(this.fail);
  }

  focusRow(key, focus = true) {
    this.focused = key;
    for (const tr of this.body.querySelectorAll('tr.element-instance')) {
      tr.tabIndex = tr.dataset.key === key ? 0 : -1;
      if (tr.dataset.key === key) {
        if (focus) tr.focus();
        tr.scrollIntoView({ block: 'nearest' });
      }
    }
  }

  keydown(event) {
    const tr = event.target;
    if (!(tr instanceof HTMLTableRowElement) || !tr.classList.contains('element-instance')) return;
    const rows = [ ...this.body.querySelectorAll('tr.element-instance') ];
    const index = rows.indexOf(tr);
    const key = tr.dataset.key;
    const node = this.nodes.get(key);
    const go = (row) => row && this.focusRow(row.dataset.key);
    switch (event.key) {
      case 'ArrowDown': go(rows[index + 1]); break;
      case 'ArrowUp': go(rows[index - 1]); break;
      case 'Home': go(rows[0]); break;
      case 'End': go(rows[rows.length - 1]); break;
      case 'ArrowRight':
        if (node && this.expandable(node) && !node.expanded) this.expand(key).then(() => this.focusRow(key)).catch(this.fail);
        else if (node && node.expanded) go(rows[index + 1] && Number(rows[index + 1].getAttribute('aria-level')) > node.level + 1 ? rows[index + 1] : null);
        break;
      case 'ArrowLeft':
        if (node && node.expanded && node.level > 0) {
          this.collapse(key);
          this.focusRow(key);
        } else if (node && node.parent) {
          this.focusRow(node.parent);
        }
        break;
      case 'Enter':
      case ' ':
        this.select(key);
        this.focusRow(key);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  fail = (error) => {
    this.container.dispatchEvent(new CustomEvent('tree-error', { detail: error }));
  };
}
