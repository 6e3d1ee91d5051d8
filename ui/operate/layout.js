// Loaded only for a process whose XML has no diagram interchange: bpmn.io's auto layout draws one.
export { layoutProcess } from 'bpmn-auto-layout';
