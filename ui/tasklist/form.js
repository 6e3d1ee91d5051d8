// A deployed Camunda Form (form-js JSON schema), rendered by bpmn.io's form-js viewer.
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';

/** Renders `schema` (an object or its JSON text) into `container`, filled with `data`. */
export async function renderForm(container, schema, data) {
  // without debouncing, a value typed just before "Complete" is in the data that submit() reads
  const form = new Form({ container, debounce: false });
  await form.importSchema(typeof schema === 'string' ? JSON.parse(schema) : schema, data);
  return form;
}
