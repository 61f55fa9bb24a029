import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config.schema';
import { LOGGER } from '../common/logging/logger.token';
import { nowIso } from '../common/ids';
import { EVENT_FANOUT, type EventFanout } from '../events/fanout/event-fanout';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import type { TenantSettings } from './tenant';
import { RING_TIMEOUT_LIMITS } from '../calls/domain/ring-timeout';
import { documentFromSeed, readDocument, toSettings, type DocumentDefaults, type TenantDocument } from './tenant-document';

export const DEFAULT_TENANT_ID = 'default';

/** A tenant as this instance has loaded it: what the admin API changes on top of. */
export interface LoadedTenant {
  settings: TenantSettings;
  document: TenantDocument;
  version: number;
  updatedAt: string;
}

/**
 * The tenants live in the store (`tenant_settings`, `tenant_numbers`), changed through the admin
 * API. A tenant of the configuration the store does not hold yet is written there at start-up
 * (the seed; with none configured there is one, `default`); the store's copy wins afterwards.
 *
 * Every instance keeps them in memory and reloads a tenant whose stored version moved: at once
 * when a signal says `tenant.updated` (its own commit, or another instance's through Redis), and
 * on the events poll otherwise (a lost signal, or instances sharing a SQLite file without Redis).
 */
@Injectable()
export class TenantsService implements OnModuleInit, OnApplicationShutdown {
  private byId = new Map<string, LoadedTenant>();
  private byNumber = new Map<string, TenantSettings>();
  private readonly defaults: DocumentDefaults;
  private timer?: NodeJS.Timeout;
  /** The refresh under way, and whether another was asked for meanwhile (signals coalesce). */
  private refreshing?: Promise<void>;
  private again = false;

  constructor(
    private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    @Inject(EVENT_FANOUT) private readonly fanout: EventFanout,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.defaults = { region: config.defaults.region, agentEndpoints: config.defaults.agentEndpoints, ringTimeoutSeconds: RING_TIMEOUT_LIMITS.default };
  }

  async onModuleInit(): Promise<void> {
    await this.seed();
    await this.load();
    this.fanout.onSignal((_tenantId, _seq, committed, types) => {
      if (types?.includes('tenant.updated') || committed?.some((event) => event.type === 'tenant.updated')) void this.refresh();
    });
    this.timer = setInterval(() => void this.refresh(), this.config.events.pollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  all(): TenantSettings[] {
    return [...this.byId.values()].map((t) => t.settings);
  }

  find(id: string): TenantSettings | undefined {
    return this.byId.get(id)?.settings;
  }

  /** The tenant as loaded here, with its stored document and version (the admin API's view). */
  loaded(id: string): LoadedTenant | undefined {
    return this.byId.get(id);
  }

  /** A stored document, read with this gateway's defaults for what it lacks. */
  parse(document: string): TenantDocument {
    return readDocument(document, this.defaults);
  }

  /** The tenant owning a number; with no tenants configured, `default` owns every number. */
  ownerOf(number: string): TenantSettings | undefined {
    return this.byNumber.get(number) ?? (this.config.tenants?.length ? undefined : this.byId.get(DEFAULT_TENANT_ID)?.settings);
  }

  get(id: string): TenantSettings {
    const tenant = this.byId.get(id);
    if (!tenant) throw new Error(`unknown tenant ${id}`);
    return tenant.settings;
  }

  /**
   * Reloads every tenant whose stored version differs from the one loaded here. Concurrent calls
   * share one run, plus one more after it when asked for meanwhile (a change may have committed
   * after the run read the versions).
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          const versions = await this.uow.direct.tenants.settingsVersions();
          const moved = versions.filter((v) => this.byId.get(v.tenantId)?.version !== v.version).map((v) => v.tenantId);
          if (moved.length > 0) await this.load(moved);
        } catch (error) {
          this.logger.warn({ err: (error as Error).message }, 'tenant settings not refreshed; the next poll tries again');
        }
      } while (this.again);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Writes the configuration's tenants the store does not hold yet (never overwrites a stored one). */
  private async seed(): Promise<void> {
    const configured = this.config.tenants?.length
      ? this.config.tenants
      : [{ id: DEFAULT_TENANT_ID, name: 'Default tenant', numbers: [] }];
    await this.uow.run(async ({ tenants: repo }) => {
      const stored = new Set((await repo.settingsVersions()).map((v) => v.tenantId));
      const at = nowIso();
      const kept = configured.filter((seed) => stored.has(seed.id)).map((seed) => seed.id);
      if (kept.length > 0) {
        this.logger.info({ tenants: kept }, 'tenants already in the store keep the store’s settings and numbers (the configuration only seeds new ones; change them through /v1/admin/tenants)');
      }
      for (const seed of configured) {
        if (stored.has(seed.id)) continue;
        const document = documentFromSeed(seed, this.defaults);
        await repo.upsert({ id: seed.id, name: document.name, defaultRegion: document.defaultRegion }, at);
        // Another instance starting at the same moment may have seeded it: its copy stands.
        if (await repo.insertSettings(seed.id, JSON.stringify(document), at)) await repo.replaceNumbers(seed.id, seed.numbers ?? []);
      }
    });
  }

  /** Reads the given tenants (all without `ids`) from the store and makes them current here. */
  private async load(ids?: string[]): Promise<void> {
    const { rows, numbers } = await this.uow.snapshot(async ({ tenants: repo }) => ({ rows: await repo.settings(ids), numbers: await repo.numbers(ids) }));
    const byId = new Map(this.byId);
    for (const row of rows) {
      const current = byId.get(row.tenantId);
      if (current && current.version >= row.version) continue;
      const document = readDocument(row.document, this.defaults);
      const own = numbers.filter((n) => n.tenantId === row.tenantId);
      byId.set(row.tenantId, { settings: toSettings(row.tenantId, document, own, row.version), document, version: row.version, updatedAt: row.updatedAt });
      if (current) this.logger.info({ tenantId: row.tenantId, version: row.version }, 'tenant settings reloaded');
    }
    const byNumber = new Map<string, TenantSettings>();
    for (const tenant of byId.values()) for (const number of tenant.settings.numbers) byNumber.set(number, tenant.settings);
    // Swapped whole, so a reader never sees half a reload.
    this.byId = byId;
    this.byNumber = byNumber;
  }
}
