import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { descriptorOf } from '../../providers/providers';
import type { TenantAccountSpec } from '../../providers/provider-descriptor';
import { UnitOfWork, type Work } from '../../unit-of-work/unit-of-work';
import { TenantsService } from '../tenants.service';
import { CredentialsSealer } from './credentials-sealer';
import { hintsOf, readAccount } from './domain/account-input';
import type { StoredCredentials } from './provider-credentials.repository';

/** A tenant's account with a provider as the admin API shows it: never a secret, at most 4 characters of each field. */
export interface CredentialsView {
  provider: string;
  /** Field → `…` and its last 4 characters (values under 16 characters show none). */
  fields: Record<string, string>;
  updatedAt: string;
}

/**
 * Tenants' own accounts with providers (admins, their own tenant). Stored sealed; a change moves
 * the tenant's version and is announced as `tenant.updated`, so every instance reopens the
 * tenant's accounts and the registry rebuilds its adapters for them on next use.
 */
@Injectable()
export class ProviderCredentialsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly sealer: CredentialsSealer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(principal: Principal): Promise<{ items: CredentialsView[] }> {
    return { items: (await this.uow.direct.providerCredentials.list([principal.tenantId])).map(view) };
  }

  async put(principal: Principal, provider: string, body: unknown): Promise<CredentialsView> {
    const spec = accountSpec(provider);
    const read = readAccount(spec, body);
    if ('errors' in read) throw new DomainError(ErrorCode.ValidationFailed, read.errors.map((e) => `${e.field} ${e.message}`).join('; '), read.errors);
    if (!this.sealer.available) {
      throw new DomainError(ErrorCode.Unprocessable, 'CREDENTIALS_KEY is not set on this gateway, so no provider credentials can be stored; the operator must set it (README "Security")');
    }
    const at = nowIso();
    const row: StoredCredentials = { tenantId: principal.tenantId, provider, sealed: this.sealer.seal(principal.tenantId, provider, read.fields), hints: hintsOf(read.fields), updatedAt: at };
    await this.uow.run(async (w) => {
      await w.providerCredentials.put(row);
      await announce(w, principal, provider, at);
    });
    await this.tenants.refresh();
    this.logger.info({ tenantId: principal.tenantId, provider, by: principal.agentId }, 'tenant provider credentials set');
    return view(row);
  }

  async delete(principal: Principal, provider: string): Promise<void> {
    accountSpec(provider);
    const at = nowIso();
    const found = await this.uow.run(async (w) => {
      if (!(await w.providerCredentials.delete(principal.tenantId, provider))) return false;
      await announce(w, principal, provider, at);
      return true;
    });
    if (!found) throw DomainError.notFound(`${provider} credentials`);
    await this.tenants.refresh();
    this.logger.info({ tenantId: principal.tenantId, provider, by: principal.agentId }, 'tenant provider credentials removed; the gateway’s account applies again');
  }
}

/** What the provider's account consists of; 404 for a provider the gateway does not know, 422 for one that takes no tenant account. */
function accountSpec(provider: string): TenantAccountSpec {
  const descriptor = descriptorOf(provider);
  if (!descriptor) throw DomainError.notFound('provider');
  if (!descriptor.tenantAccount) throw DomainError.invalidField('provider', `${provider} takes no per-tenant credentials`, ErrorCode.Unprocessable);
  return descriptor.tenantAccount;
}

async function announce(w: Work, principal: Principal, provider: string, at: string): Promise<void> {
  const version = await w.tenants.bumpVersion(principal.tenantId, at);
  if (version === undefined) throw DomainError.notFound('tenant');
  await w.emit(principal.tenantId, [{ type: 'tenant.updated', conversationId: null, data: { version, changed: [`credentials.${provider}`], by: principal.agentId } }], at);
}

function view(row: StoredCredentials): CredentialsView {
  return { provider: row.provider, fields: row.hints, updatedAt: row.updatedAt };
}
