// The diagram viewer of the process-coverage page that `pytest --strom-coverage` writes
// (strom/testing/coverage_html.py; built by vite.coverage.config.js): Operate's Diagram (bpmn-js NavigatedViewer, with bpmn.io's
// auto layout for models without diagram interchange), built as one classic script so that the
// page works when opened from file:// (browsers refuse ES modules there).
import '../operate/diagram.css';

export { Diagram } from '../operate/diagram.js';
