// The Camunda 8 Node SDK's Zeebe gRPC client (@camunda8/sdk, pinned in package.json) against a
// Strom broker: topology, deploy, a worker completing the job of an instance created with its
// result awaited, a plain creation whose job the worker completes too. One JSON line per step.
import { Camunda8 } from '@camunda8/sdk'

const [bpmnFile] = process.argv.slice(2)
const c8 = new Camunda8({
  ZEEBE_GRPC_ADDRESS: process.env.STROM_GRPC_ADDRESS,
  CAMUNDA_SECURE_CONNECTION: false,
  CAMUNDA_AUTH_STRATEGY: 'NONE',
  CAMUNDA_OAUTH_DISABLED: true,
  ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
})
const zeebe = c8.getZeebeGrpcApiClient()
const say = (step, fields) => console.log(JSON.stringify({ step, ok: true, ...fields }))

const topology = await zeebe.topology()
say('topology', { brokers: topology.brokers.length, partitions: topology.partitionsCount })

const deployed = await zeebe.deployResource({ processFilename: bpmnFile })
const [definition] = deployed.deployments.map((d) => d.process).filter(Boolean)
say('deploy', { bpmnProcessId: definition.bpmnProcessId, version: definition.version })

const seen = []
const worker = zeebe.createWorker({
  taskType: 'double',
  pollInterval: 100,
  taskHandler: async (job) => {
    seen.push(job.processInstanceKey)
    return job.complete({ doubled: job.variables.n * 2 })
  },
})

const result = await zeebe.createProcessInstanceWithResult({
  bpmnProcessId: definition.bpmnProcessId,
  variables: { n: 21 },
  requestTimeout: 20000,
})
say('create-await-worker', { doubled: result.variables.doubled })

const created = await zeebe.createProcessInstance({
  bpmnProcessId: definition.bpmnProcessId,
  variables: { n: 5 },
})
const deadline = Date.now() + 20000
while (!seen.includes(created.processInstanceKey) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100))
}
say('create-worker', {
  processInstanceKey: created.processInstanceKey,
  completedByWorker: seen.includes(created.processInstanceKey),
})

await worker.close()
await zeebe.close()
