// Camunda's own TypeScript client, unmodified, with strict response validation, against a Strom
// broker: every response must satisfy the client's schemas. Models are deployed by the caller.
// Prints one JSON line per flow; exits non-zero on the first failure.
import createCamundaClient from '@camunda8/orchestration-cluster-api';

const camunda = createCamundaClient({
  config: {
    CAMUNDA_REST_ADDRESS: process.env.STROM_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict',
    CAMUNDA_SDK_LOG_LEVEL: 'error',
  },
});
const files = process.argv.slice(2);
// Searches read the secondary storage; the flows poll themselves (until), so no client-side wait.
const NOW = { consistency: { waitUpToMs: 0 } };

// Searches and gets read the secondary storage, which follows the engine by a moment: a get of
// something not exported yet is NOT_FOUND, so that is retried too.
async function until(what, fetch, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let result;
    try {
      result = await fetch();
      if (check(result)) return result;
    } catch (error) {
      if (!String(error).includes('NOT_FOUND') || Date.now() > deadline) throw error;
      result = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function report(flow, details = {}) {
  console.log(JSON.stringify({ flow, ok: true, ...details }));
}

const topology = await camunda.getTopology();
report('topology', { gatewayVersion: topology.gatewayVersion, partitions: topology.partitionsCount });

const deployment = await camunda.deployResourcesFromFiles(files);
report('deploy', { processes: deployment.processes.map((p) => p.processDefinitionId) });

const worker = camunda.createJobWorker({
  jobType: 'rest-work',
  jobTimeoutMs: 30_000,
  maxParallelJobs: 5,
  pollIntervalMs: 50,
  jobHandler: (job) => job.complete({ doubled: job.variables.n * 2 }),
});
const awaited = await camunda.createProcessInstance({
  processDefinitionId: 'one_task',
  variables: { n: 21 },
  awaitCompletion: true,
  requestTimeout: 20_000,
});
report('create-await-worker', { doubled: awaited.variables.doubled });
worker.stop();

const failing = await camunda.createProcessInstance({ processDefinitionId: 'fragile', variables: { n: 1 } });
const { jobs } = await camunda.activateJobs({ type: 'rest-fragile', timeout: 60_000, maxJobsToActivate: 1, requestTimeout: 5_000 });
await camunda.failJob({ jobKey: jobs[0].jobKey, retries: 0, errorMessage: 'out of paper' });
const incidents = await until(
  'an incident in search',
  () => camunda.searchIncidents({ filter: { processInstanceKey: failing.processInstanceKey, state: 'ACTIVE' } }, NOW),
  (r) => r.items.length === 1,
);
await camunda.updateJob({ jobKey: jobs[0].jobKey, changeset: { retries: 1 } });
await camunda.resolveIncident({ incidentKey: incidents.items[0].incidentKey });
const again = await camunda.activateJobs({ type: 'rest-fragile', timeout: 60_000, maxJobsToActivate: 1, requestTimeout: 5_000 });
await camunda.completeJob({ jobKey: again.jobs[0].jobKey, variables: {} });
await until(
  'the instance completing after the retry',
  () => camunda.searchProcessInstances({ filter: { processInstanceKey: failing.processInstanceKey } }, NOW),
  (r) => r.items.length === 1 && r.items[0].state === 'COMPLETED',
);
report('incident-retry-resolve', { errorMessage: incidents.items[0].errorMessage });

const instances = await camunda.searchProcessInstances({
  filter: { processDefinitionId: 'one_task' },
  sort: [{ field: 'startDate', order: 'DESC' }],
  page: { limit: 1 },
}, NOW);
report('search-paging', { totalItems: instances.page.totalItems, returned: instances.items.length });

const variables = await camunda.searchVariables({ filter: { processInstanceKey: failing.processInstanceKey } }, NOW);
report('variables', { names: variables.items.map((v) => v.name).sort() });

const review = await camunda.createProcessInstance({ processDefinitionId: 'review' });
const tasks = await until(
  'a user task in search',
  () => camunda.searchUserTasks({ filter: { processInstanceKey: review.processInstanceKey } }, NOW),
  (r) => r.items.length === 1,
);
await camunda.assignUserTask({ userTaskKey: tasks.items[0].userTaskKey, assignee: 'ann' });
await camunda.completeUserTask({ userTaskKey: tasks.items[0].userTaskKey, variables: { approved: true } });
await until(
  'the reviewed instance completing',
  () => camunda.getProcessInstance({ processInstanceKey: review.processInstanceKey }, NOW),
  (r) => r.state === 'COMPLETED',
);
report('user-task');

const waiting = await camunda.createProcessInstance({ processDefinitionId: 'waits', variables: { orderId: 'n-1' } });
const message = await camunda.publishMessage({ name: 'payment-received', correlationKey: 'n-1', timeToLive: 60_000 });
await until(
  'the message to be correlated',
  () => camunda.getProcessInstance({ processInstanceKey: waiting.processInstanceKey }, NOW),
  (r) => r.state === 'COMPLETED',
);
report('message', { messageKey: message.messageKey });

const correlating = await camunda.createProcessInstance({ processDefinitionId: 'waits', variables: { orderId: 'n-2' } });
const correlation = await camunda.correlateMessage({ name: 'payment-received', correlationKey: 'n-2' });
if (correlation.processInstanceKey !== correlating.processInstanceKey) {
  throw new Error(`correlated to ${correlation.processInstanceKey}, not ${correlating.processInstanceKey}`);
}
report('correlate', { processInstanceKey: correlation.processInstanceKey });

const signal = await camunda.broadcastSignal({ signalName: 'go-signal' });
report('signal', { signalKey: signal.signalKey });

const decision = await camunda.evaluateDecision({ decisionDefinitionId: 'dish', variables: { season: 'Summer' } });
report('decision', { output: decision.output });

const cancelled = await camunda.createProcessInstance({ processDefinitionId: 'review' });
await camunda.cancelProcessInstance({ processInstanceKey: cancelled.processInstanceKey });
await until(
  'the cancelled instance terminating',
  () => camunda.getProcessInstance({ processInstanceKey: cancelled.processInstanceKey }, NOW),
  (r) => r.state === 'TERMINATED',
);
report('cancel');

// A batch operation: cancel by filter, then follow it and its items in secondary storage.
const batched = await camunda.createProcessInstance({ processDefinitionId: 'review' });
await until(
  'the instance to batch-cancel being exported',
  () => camunda.getProcessInstance({ processInstanceKey: batched.processInstanceKey }, NOW),
  (r) => r.state === 'ACTIVE',
);
const batch = await camunda.cancelProcessInstancesBatchOperation({
  filter: { processInstanceKey: batched.processInstanceKey },
});
const finished = await until(
  'the batch operation completing',
  () => camunda.getBatchOperation({ batchOperationKey: batch.batchOperationKey }, NOW),
  (r) => r.state === 'COMPLETED' && r.operationsCompletedCount === 1,
);
const batchItems = await camunda.searchBatchOperationItems({ filter: { batchOperationKey: batch.batchOperationKey } }, NOW);
const batches = await camunda.searchBatchOperations({ filter: { state: 'COMPLETED' } }, NOW);
if (batchItems.items[0].itemKey !== batched.processInstanceKey || batches.page.totalItems < 1) {
  throw new Error(`unexpected batch items ${JSON.stringify(batchItems)} / operations ${JSON.stringify(batches)}`);
}
report('batch-cancel', { type: batch.batchOperationType, total: finished.operationsTotalCount });
