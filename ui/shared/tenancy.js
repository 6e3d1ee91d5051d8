// Multi-tenancy as the UI sees it. The REST API names no flag for it (neither /v2/topology nor
// /v2/license says), so the apps decide from GET /v2/authentication/me: without
// `--multi-tenancy` the broker always lists the caller in the one tenant `<default>`; with it, a
// caller lists the tenants it is assigned to (maybe none), and requests must name one.

export const DEFAULT_TENANT = '<default>';

/** {multi, tenants: [{tenantId, name}]} from an /authentication/me answer (null when it failed). */
export function tenancyOf(me) {
  const tenants = (me && Array.isArray(me.tenants)) ? me.tenants : [ { tenantId: DEFAULT_TENANT, name: 'Default' } ];
  const multi = tenants.length === 0 || tenants.some((tenant) => tenant.tenantId !== DEFAULT_TENANT);
  return { multi, tenants };
}

/** A tenant's label: its name with the id when they differ. */
export function tenantLabel(tenancy, tenantId) {
  const tenant = tenancy.tenants.find((candidate) => candidate.tenantId === tenantId);
  return tenant && tenant.name && tenant.name !== tenantId ? `${tenant.name} (${tenantId})` : tenantId;
}
