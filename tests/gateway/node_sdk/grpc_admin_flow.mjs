// The Camunda 8 Node SDK's Zeebe gRPC client against a Strom broker, for what operators do to
// running instances: modify (activate with ancestorElementInstanceKey "-1", as the SDK documents
// for "no ancestor", and terminate), migrate to a new version, delete a decision requirements
// graph. Arguments: the BPMN of version 1, the BPMN of version 2, a DMN file. One JSON line a step.
import { Camunda8 } from '@camunda8/sdk'

const [firstVersion, secondVersion, dmnFile] = process.argv.slice(2)
const c8 = new Camunda8({
  ZEEBE_GRPC_ADDRESS: process.env.STROM_GRPC_ADDRESS,
  CAMUNDA_SECURE_CONNECTION: false,
  CAMUNDA_AUTH_STRATEGY: 'NONE',
  CAMUNDA_OAUTH_DISABLED: true,
  ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
})
const zeebe = c8.getZeebeGrpcApiClient()
const say = (step, fields) => console.log(JSON.stringify({ step, ok: true, ...fields }))

await zeebe.deployResource({ processFilename: firstVersion })
const created = await zeebe.createProcessInstance({ bpmnProcessId: 'moving', variables: {} })
const instanceKey = created.processInstanceKey
let jobs = []
for (let tries = 0; jobs.length === 0 && tries < 50; tries++) {
  jobs = await zeebe.activateJobs({ type: 'a-work', worker: 'w', maxJobsToActivate: 1, timeout: 60000, requestTimeout: 1000 })
}
await zeebe.modifyProcessInstance({
  processInstanceKey: instanceKey,
  activateInstructions: [
    { elementId: 'b', ancestorElementInstanceKey: '-1', variableInstructions: [{ scopeId: '', variables: { moved: true } }] },
  ],
  terminateInstructions: [{ elementInstanceKey: jobs[0].elementInstanceKey }],
})
say('modify', { processInstanceKey: instanceKey, terminated: jobs[0].elementInstanceKey })

const second = await zeebe.deployResource({ processFilename: secondVersion })
const [target] = second.deployments.map((d) => d.process).filter(Boolean)
await zeebe.migrateProcessInstance({
  processInstanceKey: instanceKey,
  migrationPlan: {
    targetProcessDefinitionKey: target.processDefinitionKey,
    mappingInstructions: [{ sourceElementId: 'b', targetElementId: 'b' }],
  },
})
say('migrate', { targetProcessDefinitionKey: target.processDefinitionKey, version: target.version })

const decisions = await zeebe.deployResource({ decisionFilename: dmnFile })
const [drg] = decisions.deployments.map((d) => d.decisionRequirements).filter(Boolean)
await zeebe.deleteResource({ resourceKey: drg.decisionRequirementsKey })
let afterDelete = 'evaluated'
try {
  await zeebe.evaluateDecision({ decisionId: 'rate', variables: { tier: 'gold' } })
} catch (error) {
  afterDelete = String(error.code ?? error.message)
}
say('delete-drg', { decisionRequirementsKey: drg.decisionRequirementsKey, evaluateAfterDelete: afterDelete })

await zeebe.close()
