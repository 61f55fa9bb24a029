import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import type { TenantLookup } from '../auth/tenant-lookup';
import { maskView, seesClearData } from './view-masking';

/**
 * Masks every JSON answer — a body and a problem document alike (a provider's refusal quotes the
 * number it refused) — for a caller who may not see personal data in clear; a view only, nothing
 * stored changes. Only a request the auth guard let in has a caller (`request.principal`), so
 * @Public() routes (webhooks) pass untouched.
 *
 * A Fastify hook on the object about to be serialised rather than a Nest interceptor on every
 * @Roles() route: a route with no interceptor skips Nest's interceptor chain (rxjs, an
 * AsyncResource.bind per layer), and `POST /v1/conversations` measured 2,166–2,243 → 2,970–3,184
 * req/s, CPU per request 503–524 → 336–363 µs, once neither masking nor idempotency was one.
 * Fastify calls it for objects only: a route with a caller answers a string, buffer or stream
 * only for a file (recordings, attachments).
 */
export function maskAnswers(fastify: FastifyInstance, tenants: TenantLookup): void {
  fastify.addHook('preSerialization', (request: FastifyRequest, _reply, payload: unknown, done: (error: null, payload: unknown) => void) => {
    done(null, masksFor(request, tenants) ? maskView(payload) : payload);
  });
}

/** Whether this request's caller sees personal data masked: a caller, of a tenant that masks, without the right to clear data. */
function masksFor(request: object, tenants: TenantLookup): boolean {
  const principal = (request as { principal?: Principal }).principal;
  if (!principal) return false;
  const tenant = tenants.find(principal.tenantId);
  return tenant !== undefined && !seesClearData(principal, tenant.maskSensitiveData);
}
