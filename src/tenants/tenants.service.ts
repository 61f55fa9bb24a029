import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import { nowIso } from '../common/ids';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import type { TenantSettings } from './tenant';

export const DEFAULT_TENANT_ID = 'default';

/**
 * The tenants come from configuration and are written to the store at start-up (the event log
 * keeps its counter on the tenant row). With none configured there is one, `default`.
 */
@Injectable()
export class TenantsService implements OnModuleInit {
  private readonly byId = new Map<string, TenantSettings>();
  private readonly byNumber = new Map<string, TenantSettings>();

  constructor(
    private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
  ) {}

  async onModuleInit(): Promise<void> {
    const configured = this.config.tenants?.length
      ? this.config.tenants
      : [{ id: DEFAULT_TENANT_ID, name: 'Default tenant', numbers: [] }];
    await this.uow.run(async ({ tenants: repo }) => {
      for (const t of configured) {
        const tenant: TenantSettings = {
          id: t.id, name: t.name ?? t.id, defaultRegion: t.defaultRegion ?? this.config.defaults.region,
          numbers: t.numbers ?? [], smsProvider: t.smsProvider, voiceProvider: t.voiceProvider,
          requireConsent: t.requireConsent ?? false, doNotCall: new Set(t.doNotCall ?? []),
          maxComposeLength: t.maxComposeLength ?? 1600, maskSensitiveData: t.maskSensitiveData ?? false,
          agentEndpoints: t.agentEndpoints ?? this.config.defaults.agentEndpoints,
          inboundRouting: t.inboundRouting ?? 'sticky', stickyDays: t.stickyDays ?? 7,
          unattendedAlertSeconds: t.unattendedAlertSeconds ?? 120,
        };
        await repo.upsert({ id: tenant.id, name: tenant.name, defaultRegion: tenant.defaultRegion }, nowIso());
        await repo.replaceNumbers(tenant.id, tenant.numbers);
        this.byId.set(tenant.id, tenant);
        for (const number of tenant.numbers) this.byNumber.set(number, tenant);
      }
    });
  }

  all(): TenantSettings[] {
    return [...this.byId.values()];
  }

  find(id: string): TenantSettings | undefined {
    return this.byId.get(id);
  }

  /** The tenant owning a number; with no tenants configured, `default` owns every number. */
  ownerOf(number: string): TenantSettings | undefined {
    if (!this.config.tenants?.length) return this.byId.get(DEFAULT_TENANT_ID);
    return this.byNumber.get(number);
  }

  get(id: string): TenantSettings {
    const tenant = this.byId.get(id);
    if (!tenant) throw new Error(`unknown tenant ${id}`);
    return tenant;
  }
}
