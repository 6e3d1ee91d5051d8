// Camunda's TypeScript client, unmodified, with strict request and response validation, on Strom's
// identity operations: every answer must satisfy the client's schemas. Prints one JSON line per
// step with what it answered; exits non-zero on the first failure.
import createCamundaClient from '@camunda8/orchestration-cluster-api';

const camunda = createCamundaClient({
  config: {
    CAMUNDA_REST_ADDRESS: process.env.STROM_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict',
    CAMUNDA_SDK_LOG_LEVEL: 'error',
  },
});
// Gets and searches read the secondary storage: poll until the expected answer (NOT_FOUND too).
const NOW = { consistency: { waitUpToMs: 0 } };

async function until(fetch, check, timeoutMs = 10_000) {
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
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function step(name, call) {
  const answer = await call();
  console.log(JSON.stringify({ step: name, answer: answer ?? null }));
  return answer;
}

const found = (page) => page.items.length > 0;
await step('createUser', () => camunda.createUser({ username: 'nina', password: 'pw', name: 'Nina', email: 'n@x.io' }));
await step('createGroup', () => camunda.createGroup({ groupId: 'ts-group', name: 'TS group' }));
await step('assignUserToGroup', () => camunda.assignUserToGroup({ groupId: 'ts-group', username: 'nina' }));
await step('createRole', () => camunda.createRole({ roleId: 'ts-role', name: 'TS role', description: 'd' }));
await step('assignRoleToGroup', () => camunda.assignRoleToGroup({ roleId: 'ts-role', groupId: 'ts-group' }));
await step('createTenant', () => camunda.createTenant({ tenantId: 'ts-tenant', name: 'TS tenant' }));
await step('assignRoleToTenant', () => camunda.assignRoleToTenant({ tenantId: 'ts-tenant', roleId: 'ts-role' }));
const rule = { mappingRuleId: 'ts-rule', claimName: 'team', claimValue: 'ts', name: 'TS rule' };
await step('createMappingRule', () => camunda.createMappingRule(rule));
await step('assignMappingRuleToGroup', () => camunda.assignMappingRuleToGroup({ groupId: 'ts-group', mappingRuleId: 'ts-rule' }));
const grant = {
  ownerId: 'nina', ownerType: 'USER', resourceType: 'PROCESS_DEFINITION', resourceId: 'p', permissionTypes: ['READ_PROCESS_INSTANCE'],
};
const { authorizationKey } = await step('createAuthorization', () => camunda.createAuthorization(grant));

await step('searchUsersForGroup', () => until(() => camunda.searchUsersForGroup({ groupId: 'ts-group' }, NOW), found));
await step('searchRolesForGroup', () => until(() => camunda.searchRolesForGroup({ groupId: 'ts-group' }, NOW), found));
await step('searchMappingRulesForGroup', () => until(() => camunda.searchMappingRulesForGroup({ groupId: 'ts-group' }, NOW), found));
await step('searchClientsForGroup', () => camunda.searchClientsForGroup({ groupId: 'ts-group' }, NOW));
await step('searchGroupsForRole', () => until(() => camunda.searchGroupsForRole({ roleId: 'ts-role' }, NOW), found));
await step('searchRolesForTenant', () => until(() => camunda.searchRolesForTenant({ tenantId: 'ts-tenant' }, NOW), found));
await step('searchGroupIdsForTenant', () => camunda.searchGroupIdsForTenant({ tenantId: 'ts-tenant' }, NOW));
await step('getGroup', () => until(() => camunda.getGroup({ groupId: 'ts-group' }, NOW), () => true));
await step('getRole', () => camunda.getRole({ roleId: 'ts-role' }, NOW));
await step('getTenant', () => camunda.getTenant({ tenantId: 'ts-tenant' }, NOW));
await step('getMappingRule', () => camunda.getMappingRule({ mappingRuleId: 'ts-rule' }, NOW));
await step('getUser', () => camunda.getUser({ username: 'nina' }, NOW));
await step('getAuthorization', () => until(() => camunda.getAuthorization({ authorizationKey }, NOW), () => true));
await step('searchGroups', () => camunda.searchGroups({ filter: { groupId: 'ts-group' } }, NOW));
await step('searchRoles', () => camunda.searchRoles({}, NOW));
await step('searchTenants', () => camunda.searchTenants({}, NOW));
await step('searchMappingRule', () => camunda.searchMappingRule({ filter: { claimName: 'team' } }, NOW));
await step('searchAuthorizations', () => camunda.searchAuthorizations({ filter: { ownerId: 'nina' } }, NOW));

await step('updateUser', () => camunda.updateUser({ username: 'nina', name: 'Nina N.', email: 'n@x.io', password: 'pw2' }));
await step('updateGroup', () => camunda.updateGroup({ groupId: 'ts-group', name: 'TS group 2' }));
await step('updateRole', () => camunda.updateRole({ roleId: 'ts-role', name: 'TS role 2' }));
await step('updateTenant', () => camunda.updateTenant({ tenantId: 'ts-tenant', name: 'TS tenant 2' }));
await step('updateMappingRule', () => camunda.updateMappingRule({ ...rule, mappingRuleId: 'ts-rule', claimValue: 'ts2' }));
await step('updateAuthorization', () => camunda.updateAuthorization({ authorizationKey, ...grant, resourceId: '*' }));
await step('unassignUserFromGroup', () => camunda.unassignUserFromGroup({ groupId: 'ts-group', username: 'nina' }));
await step('deleteAuthorization', () => camunda.deleteAuthorization({ authorizationKey }));
await step('deleteGroup', () => camunda.deleteGroup({ groupId: 'ts-group' }));
await step('deleteUser', () => camunda.deleteUser({ username: 'nina' }));
