/**
 * What the auth guard and the answers' masking need to know of a tenant: whether it exists, and
 * whether it masks personal data. TenantsService answers it; app.module.ts passes it in, so common/
 * does not import the tenants feature (rule `common-imports-no-feature` of .dependency-cruiser.cjs).
 */
export interface TenantLookup {
  find(id: string): { maskSensitiveData: boolean } | undefined;
}

/** The injection token app.module.ts binds to the TenantLookup (for the answers' masking). */
export const TENANT_LOOKUP = 'TenantLookup';
