import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { nowIso } from '../../common/ids';
import { AppConfig } from '../../config/config.schema';
import { ProviderRegistry } from '../../providers/provider.registry';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import { applyPatch, type TenantPatch, type TenantPolicies } from '../tenant-document';
import { TenantsService, type LoadedTenant } from '../tenants.service';

/** A tenant as the admin API answers it. */
export interface TenantAdminView {
  id: string;
  name: string;
  defaultRegion: string;
  /** null: the gateway's default provider. */
  smsProvider: string | null;
  voiceProvider: string | null;
  /** Providers in failover order ([]: the single provider above). */
  smsProviders: string[];
  voiceProviders: string[];
  numbers: Array<{ number: string; provider: string | null }>;
  policies: TenantPolicies;
  /** Bumped by every change; PATCH may send it back to refuse a change made on top of an old one. */
  version: number;
  updatedAt: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** Attempts of a change without `version` when other changes keep coming first. */
const ATTEMPTS = 10;

/**
 * The admin API over tenants. An admin manages their own tenant only: any other id is refused
 * (403) whether it exists or not. New tenants come from the configuration's seed.
 */
@Injectable()
export class TenantAdminService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  list(principal: Principal): { items: TenantAdminView[] } {
    const own = this.tenants.loaded(principal.tenantId);
    return { items: own ? [view(own)] : [] };
  }

  get(principal: Principal, tenantId: string): TenantAdminView {
    return view(this.own(principal, tenantId));
  }

  /** Applies a change: the store first (conditional on the version it was made on), then every instance reloads. */
  async update(principal: Principal, tenantId: string, patch: TenantPatch & { version?: number }): Promise<TenantAdminView> {
    this.own(principal, tenantId);
    if (patch.smsProvider && !this.providers.smsByName(patch.smsProvider, tenantId)) {
      throw DomainError.invalidField('smsProvider', `${patch.smsProvider} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    if (patch.voiceProvider && !this.providers.voiceByName(patch.voiceProvider, tenantId)) {
      throw DomainError.invalidField('voiceProvider', `${patch.voiceProvider} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    for (const [n, name] of (patch.smsProviders ?? []).entries()) {
      if (!this.providers.smsByName(name, tenantId)) throw DomainError.invalidField(`smsProviders.${n}`, `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    for (const [n, name] of (patch.voiceProviders ?? []).entries()) {
      if (!this.providers.voiceByName(name, tenantId)) throw DomainError.invalidField(`voiceProviders.${n}`, `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    const music = patch.policies?.holdMusicUrl;
    if (music) {
      const refused = holdMusicRefusal(music, this.config.env === 'production');
      if (refused) throw DomainError.invalidField('policies.holdMusicUrl', refused, ErrorCode.Unprocessable);
    }
    for (let attempt = 1; ; attempt++) {
      const at = nowIso();
      // Read, patched and written in one transaction, conditional on the version read: a change
      // another instance committed meanwhile is never overwritten (the loser runs again on top of it).
      const outcome = await this.uow.run(async (w): Promise<{ kind: 'written' | 'unchanged' | 'raced' } | { kind: 'stale'; current: number }> => {
        const [row] = await w.tenants.settings([tenantId]);
        if (!row) throw DomainError.notFound('tenant');
        if (patch.version !== undefined && patch.version !== row.version) return { kind: 'stale', current: row.version };
        const { document, changed } = applyPatch(this.tenants.parse(row.document, tenantId), patch);
        if (changed.length === 0) return { kind: 'unchanged' };
        if (!(await w.tenants.updateSettings(tenantId, JSON.stringify(document), row.version, at))) return { kind: 'raced' };
        await w.tenants.upsert({ id: tenantId, name: document.name, defaultRegion: document.defaultRegion }, at);
        await w.emit(tenantId, [{ type: 'tenant.updated', conversationId: null, data: { version: row.version + 1, changed, by: principal.agentId } }], at);
        return { kind: 'written' };
      });
      if (outcome.kind === 'stale') throw stale(patch.version!, outcome.current);
      if (outcome.kind !== 'raced') {
        await this.tenants.refresh();
        return view(this.own(principal, tenantId));
      }
      if (attempt >= ATTEMPTS) throw new DomainError(ErrorCode.Conflict, 'the tenant keeps changing; try again');
    }
  }

  /** Gives the tenant a number (or says which provider owns one of its numbers). */
  async putNumber(principal: Principal, tenantId: string, number: string, provider: string | null): Promise<TenantAdminView> {
    const loaded = this.own(principal, tenantId);
    if (!E164.test(number)) throw DomainError.invalidField('number', 'must be an E.164 number (+ and 7 to 15 digits)');
    if (provider !== null && !this.providers.smsByName(provider, tenantId) && !this.providers.voiceByName(provider, tenantId)) {
      throw DomainError.invalidField('provider', `${provider} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    if (loaded.settings.numbers.includes(number) && (loaded.settings.numberProviders?.get(number) ?? null) === provider) return view(loaded);
    const at = nowIso();
    const taken = await this.uow.run(async (w) => {
      if (!(await w.tenants.putNumber(tenantId, number, provider))) return true;
      await this.announce(w, principal, tenantId, at);
      return false;
    });
    if (taken) throw DomainError.invalidField('number', 'belongs to another tenant', ErrorCode.Conflict);
    await this.tenants.refresh();
    return view(this.own(principal, tenantId));
  }

  async deleteNumber(principal: Principal, tenantId: string, number: string): Promise<void> {
    this.own(principal, tenantId);
    const at = nowIso();
    const found = await this.uow.run(async (w) => {
      if (!(await w.tenants.deleteNumber(tenantId, number))) return false;
      await this.announce(w, principal, tenantId, at);
      return true;
    });
    if (!found) throw DomainError.notFound('number');
    await this.tenants.refresh();
  }

  /** A change of numbers moves the version too, so that every instance reloads the tenant. */
  private async announce(w: Parameters<Parameters<UnitOfWork['run']>[0]>[0], principal: Principal, tenantId: string, at: string): Promise<void> {
    const version = await w.tenants.bumpVersion(tenantId, at);
    if (version === undefined) throw DomainError.notFound('tenant');
    await w.emit(tenantId, [{ type: 'tenant.updated', conversationId: null, data: { version, changed: ['numbers'], by: principal.agentId } }], at);
  }

  /** The caller's own tenant; any other id is refused alike, so an admin learns nothing of other tenants. */
  private own(principal: Principal, tenantId: string): LoadedTenant {
    const loaded = principal.tenantId === tenantId ? this.tenants.loaded(tenantId) : undefined;
    if (!loaded) throw new DomainError(ErrorCode.Forbidden, 'an admin manages their own tenant only');
    return loaded;
  }
}

/**
 * Why a hold music URL is refused (the DTO has checked its form): the provider fetches it while the
 * caller waits, so it must parse and carry no credentials; in production it must be https, as the
 * configuration's production checks ask of every URL a provider is sent to.
 */
export function holdMusicRefusal(url: string, production: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (production && parsed.protocol !== 'https:') return 'must be an https URL in production';
  return undefined;
}

function stale(sent: number, current: number): DomainError {
  return DomainError.invalidField('version', `is ${sent}, but the tenant is at version ${current}: GET it and apply the change again`, ErrorCode.Conflict);
}

function view(tenant: LoadedTenant): TenantAdminView {
  const { document, settings } = tenant;
  return {
    id: settings.id, name: document.name, defaultRegion: document.defaultRegion,
    smsProvider: document.smsProvider, voiceProvider: document.voiceProvider,
    smsProviders: document.smsProviders, voiceProviders: document.voiceProviders,
    numbers: settings.numbers.map((number) => ({ number, provider: settings.numberProviders?.get(number) ?? null })),
    policies: document.policies, version: tenant.version, updatedAt: tenant.updatedAt,
  };
}
