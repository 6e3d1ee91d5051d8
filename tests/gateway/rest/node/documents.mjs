// Camunda's TypeScript client, unmodified, with strict response validation, on Strom's
// documents: upload with metadata, batch upload, download (checked by content hash), a link fetched
// without the client, delete. Prints one JSON line per flow; exits non-zero on the first failure.
import createCamundaClient from '@camunda8/orchestration-cluster-api';

const camunda = createCamundaClient({
  config: {
    CAMUNDA_REST_ADDRESS: process.env.STROM_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    // requests unchecked: the client's own schema wants a string for the binary 'file' part
    CAMUNDA_SDK_VALIDATION: 'req:none,res:strict',
    CAMUNDA_SDK_LOG_LEVEL: 'error',
  },
});

function report(flow, details = {}) {
  console.log(JSON.stringify({ flow, ok: true, ...details }));
}

async function text(content) {
  if (content instanceof Blob) return await content.text();
  if (content instanceof ArrayBuffer) return new TextDecoder().decode(content);
  if (typeof content === 'string') return content;
  return JSON.stringify(content);
}

const created = await camunda.createDocument({
  file: new Blob(['from TypeScript'], { type: 'text/plain' }),
  metadata: { fileName: 'ts.txt', customProperties: { origin: 'ts' }, processDefinitionId: 'ts-process' },
});
report('create', {
  storeId: created.storeId,
  fileName: created.metadata.fileName,
  size: created.metadata.size,
  contentType: created.metadata.contentType,
  customProperties: created.metadata.customProperties,
  contentHash: created.contentHash,
});

const content = await camunda.getDocument({ documentId: created.documentId, contentHash: created.contentHash });
report('get', { content: await text(content) });

const batch = await camunda.createDocuments({
  files: [new Blob(['one'], { type: 'text/plain' }), new Blob(['two'], { type: 'text/plain' })],
  metadataList: [{ fileName: 'one.txt' }, { fileName: 'two.txt' }],
});
report('batch', {
  created: batch.createdDocuments.map((d) => d.metadata.fileName),
  failed: batch.failedDocuments.length,
});

const link = await camunda.createDocumentLink({ documentId: created.documentId, timeToLive: 60_000 });
const fetched = await fetch(link.url);
report('link', { status: fetched.status, content: await fetched.text(), expiresAt: link.expiresAt });

await camunda.deleteDocument({ documentId: created.documentId });
let after = 'found';
try {
  await camunda.getDocument({ documentId: created.documentId });
} catch (error) {
  after = String(error).includes('404') || String(error).includes('NOT_FOUND') ? 'not found' : String(error);
}
report('delete', { after });
