// The BPMN diagram of an instance, drawn by bpmn-js's NavigatedViewer (pan and zoom), with the
// instance's tokens on it: active elements, incidents in red, completed elements, taken flows.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';

const MARKERS = [ 'strom-active', 'strom-incident', 'strom-completed', 'strom-terminated', 'strom-taken' ];

/** Whether the XML has diagram interchange (shapes to draw); a process written by hand or by a
 * builder may not, and is then laid out automatically. */
function hasLayout(xml) {
  return /<([\w-]+:)?BPMNShape\b/.test(xml);
}

export class Diagram {
  constructor(container) {
    this.container = container;
    this.viewer = new NavigatedViewer({ container });
    this.marked = [];
  }

  async show(xml) {
    if (!hasLayout(xml)) {
      const { layoutProcess } = await import('./layout.js');
      xml = await layoutProcess(xml);
      this.container.dataset.layout = 'automatic';
    }
    await this.viewer.importXML(xml);
    this.fit();
  }

  fit() {
    this.viewer.get('canvas').zoom('fit-viewport', 'auto');
  }

  /** The flow nodes of the diagram, [{id, name}] by name: where a token may be put. */
  flowNodes() {
    const root = this.viewer.get('canvas').getRootElement();
    return this.viewer.get('elementRegistry')
      .filter((element) => element !== root && !element.waypoints && element.type !== 'label' &&
        element.businessObject && element.businessObject.$instanceOf('bpmn:FlowNode'))
      .map((element) => ({ id: element.id, name: element.businessObject.name || element.id }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Calls `callback(elementId)` when the user clicks a flow node. */
  onClick(callback) {
    this.viewer.on('element.click', ({ element }) => {
      const root = this.viewer.get('canvas').getRootElement();
      if (element !== root && element.type !== 'bpmn:Process' && element.type !== 'label' && !element.waypoints) {
        callback(element.id);
      }
    });
  }

  /** Marks the tokens: `elementInstances` of the instance, `flows` (element ids) it took. */
  mark(elementInstances, flows) {
    const counts = new Map();
    for (const instance of elementInstances) {
      const count = counts.get(instance.elementId) || { elementId: instance.elementId, active: 0, incidents: 0, completed: 0, canceled: 0 };
      if (instance.state === 'ACTIVE' && instance.hasIncident) count.incidents++;
      else if (instance.state === 'ACTIVE') count.active++;
      else if (instance.state === 'COMPLETED') count.completed++;
      else if (instance.state === 'TERMINATED') count.canceled++;
      counts.set(instance.elementId, count);
    }
    this.markCounts([ ...counts.values() ], flows);
  }

  /** Marks the tokens from `counts` per element (the shape of `GET
   * process-instances/{key}/statistics/element-instances`) and the `flows` the instance took. */
  markCounts(counts, flows) {
    this.badges(counts, [ 'active', 'incidents' ]);
    const canvas = this.viewer.get('canvas');
    const registry = this.viewer.get('elementRegistry');
    for (const id of flows) {
      if (!registry.get(id)) continue;
      canvas.addMarker(id, 'strom-taken');
      this.marked.push(id);
    }
  }

  /** Outlines the element `id` as selected (null: none); a newly selected element inside a
   * collapsed subprocess is shown on that subprocess's plane (as a drill-down would). */
  select(id) {
    const canvas = this.viewer.get('canvas');
    const registry = this.viewer.get('elementRegistry');
    const before = this.selected;
    if (this.selected && registry.get(this.selected)) canvas.removeMarker(this.selected, 'strom-selected');
    this.selected = id && registry.get(id) ? id : null;
    if (this.selected) {
      canvas.addMarker(this.selected, 'strom-selected');
      const root = canvas.findRoot(registry.get(this.selected));
      if (this.selected !== before && root && root !== canvas.getRootElement()) canvas.setRootElement(root);
    }
    this.container.dataset.selected = this.selected || '';
  }

  /** The ids of the subprocesses (embedded, event, ad-hoc) that contain element `id`, outermost first. */
  scopesOf(id) {
    const element = this.viewer.get('elementRegistry').get(id);
    const scopes = [];
    let parent = element && element.businessObject ? element.businessObject.$parent : null;
    while (parent && parent.$instanceOf && !parent.$instanceOf('bpmn:Process')) {
      if (parent.$instanceOf('bpmn:SubProcess')) scopes.unshift(parent.id);
      parent = parent.$parent;
    }
    return scopes;
  }

  /** Marks elements by their counts (`{elementId, active, incidents, completed, canceled}`, the
   * element statistics' shape) with a badge per count named in `shown`. */
  badges(counts, shown = [ 'active', 'incidents', 'completed', 'canceled' ]) {
    const canvas = this.viewer.get('canvas');
    const registry = this.viewer.get('elementRegistry');
    const overlays = this.viewer.get('overlays');
    const root = canvas.getRootElement();
    for (const id of this.marked) {
      for (const marker of MARKERS) canvas.removeMarker(id, marker);
    }
    overlays.remove({ type: 'strom-tokens' });
    this.marked = [];
    const titles = { active: 'active', incidents: 'with an incident', completed: 'completed', canceled: 'canceled' };
    for (const count of counts) {
      const id = count.elementId;
      const element = registry.get(id);
      if (!element || element === root || element.type === 'bpmn:Process') continue;
      const marker = count.incidents ? 'strom-incident' : count.active ? 'strom-active'
        : count.completed ? 'strom-completed' : count.canceled ? 'strom-terminated' : null;
      if (!marker) continue;
      canvas.addMarker(id, marker);
      this.marked.push(id);
      const badges = shown.filter((kind) => count[kind]).map((kind) => [ kind, count[kind], titles[kind] ]);
      if (!badges.length) continue;
      const html = document.createElement('div');
      html.className = 'strom-tokens';
      for (const [ kind, number, title ] of badges) {
        const badge = document.createElement('span');
        badge.className = `strom-token strom-token-${kind}`;
        badge.dataset.elementId = id;
        badge.title = `${number} ${title}`;
        badge.textContent = String(number);
        html.append(badge);
      }
      overlays.add(id, 'strom-tokens', { position: { bottom: 10, left: -10 }, html });
    }
  }

  destroy() {
    this.viewer.destroy();
  }
}
