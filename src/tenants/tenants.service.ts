import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config.schema';
import { LOGGER } from '../common/logging/logger.token';
import { nowIso } from '../common/ids';
import { EVENT_FANOUT, type EventFanout } from '../events/fanout/event-fanout';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import type { TenantSettings } from './tenant';
import { RING_TIMEOUT_LIMITS } from '../calls/domain/ring-timeout';
import { documentFromSeed, readDocument, toSettings, type DocumentDefaults, type InboundPolicies, type TenantDocument } from './tenant-document';
import type { TenantAccount, TenantAccounts, UnreadableAccount } from '../providers/tenant-accounts.port';
import { CredentialsSealer } from './provider-credentials/credentials-sealer';
import { envelopeStamp } from './provider-credentials/sealing';
import type { StoredCredentials } from './provider-credentials/provider-credentials.repository';

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
export class TenantsService implements OnModuleInit, OnApplicationShutdown, TenantAccounts {
  private byId = new Map<string, LoadedTenant>();
  /** Tenants' own provider accounts, opened: tenant → provider → account (never in TenantSettings, which is logged and answered). */
  private accounts = new Map<string, ReadonlyMap<string, TenantAccount | UnreadableAccount>>();
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
    private readonly sealer: CredentialsSealer,
  ) {
    this.defaults = { region: config.defaults.region, agentEndpoints: config.defaults.agentEndpoints, ringTimeoutSeconds: RING_TIMEOUT_LIMITS.default };
  }

  async onModuleInit(): Promise<void> {
    await this.seed();
    // Stored provider credentials must open with this instance's key, or it does not start (exit 78).
    this.sealer.checkStored(await this.uow.direct.providerCredentials.list());
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

  accountOf(tenantId: string, provider: string): TenantAccount | UnreadableAccount | undefined {
    return this.accounts.get(tenantId)?.get(provider);
  }

  ownerOfNumber(number: string): string | undefined {
    return this.byNumber.get(number)?.id;
  }

  accountsWith(provider: string): TenantAccount[] {
    return [...this.accounts.values()].map((accounts) => accounts.get(provider)).filter((a): a is TenantAccount => a !== undefined && 'fields' in a);
  }

  tenantWithAccount(provider: string, field: string, value: string): string | undefined {
    for (const [tenantId, accounts] of this.accounts) {
      const account = accounts.get(provider);
      if (account && 'fields' in account && account.fields[field] === value) return tenantId;
    }
    return undefined;
  }

  /** A stored document, read with this gateway's defaults (and the tenant's configured inbound settings) for what it lacks. */
  parse(document: string, tenantId?: string): TenantDocument {
    return readDocument(document, tenantId === undefined ? this.defaults : this.defaultsOf(tenantId));
  }

  /**
   * The defaults for one tenant's document: the gateway's, and the inbound call settings its
   * `tenants[]` entry of the configuration gives (before they were policies the configuration was
   * their only source, so a document stored then still follows it until an admin changes one).
   */
  private defaultsOf(tenantId: string): DocumentDefaults {
    const t = this.config.tenants?.find((seed) => seed.id === tenantId);
    if (!t) return this.defaults;
    const inbound: Partial<InboundPolicies> = {};
    if (t.ringNoAnswerSeconds !== undefined) inbound.ringNoAnswerSeconds = t.ringNoAnswerSeconds;
    if (t.queueTimeoutSeconds !== undefined) inbound.queueTimeoutSeconds = t.queueTimeoutSeconds;
    if (t.inboundGreeting !== undefined) inbound.inboundGreeting = t.inboundGreeting;
    if (t.holdMusicUrl !== undefined) inbound.holdMusicUrl = t.holdMusicUrl;
    if (t.voicemailPrompt !== undefined) inbound.voicemailPrompt = t.voicemailPrompt;
    if (t.queueTimeoutOffer !== undefined) inbound.queueTimeoutOffer = t.queueTimeoutOffer;
    if (t.callbackPrompt !== undefined) inbound.callbackPrompt = t.callbackPrompt;
    if (t.queueChoicePrompt !== undefined) inbound.queueChoicePrompt = t.queueChoicePrompt;
    return { ...this.defaults, inbound };
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
        if (await repo.insertSettings(seed.id, JSON.stringify(document), at)) {
          await repo.replaceNumbers(seed.id, seed.numbers ?? []);
          // Which provider owns a number (voice failover's caller ID), as the admin API would say it.
          for (const [number, provider] of Object.entries(seed.numberProviders ?? {})) await repo.putNumber(seed.id, number, provider);
        }
      }
    });
  }

  /** Reads the given tenants (all without `ids`) from the store and makes them current here. */
  private async load(ids?: string[]): Promise<void> {
    const { rows, numbers, credentials } = await this.uow.snapshot(async ({ tenants: repo, providerCredentials }) => ({
      rows: await repo.settings(ids), numbers: await repo.numbers(ids), credentials: await providerCredentials.list(ids),
    }));
    const byId = new Map(this.byId);
    const accounts = new Map(this.accounts);
    for (const row of rows) {
      const current = byId.get(row.tenantId);
      if (current && current.version >= row.version) continue;
      const document = readDocument(row.document, this.defaultsOf(row.tenantId));
      const own = numbers.filter((n) => n.tenantId === row.tenantId);
      byId.set(row.tenantId, { settings: toSettings(row.tenantId, document, own, row.version), document, version: row.version, updatedAt: row.updatedAt });
      accounts.set(row.tenantId, this.open(credentials.filter((c) => c.tenantId === row.tenantId)));
      if (current) this.logger.info({ tenantId: row.tenantId, version: row.version }, 'tenant settings reloaded');
    }
    const byNumber = new Map<string, TenantSettings>();
    for (const tenant of byId.values()) for (const number of tenant.settings.numbers) byNumber.set(number, tenant.settings);
    // Swapped whole, so a reader never sees half a reload.
    this.byId = byId;
    this.byNumber = byNumber;
    this.accounts = accounts;
  }

  /**
   * Opens a tenant's stored accounts. One that does not open here (another instance stored it with
   * another key) is kept as unreadable: the tenant's traffic through that provider is refused rather
   * than sent through the gateway's own account.
   */
  private open(rows: StoredCredentials[]): ReadonlyMap<string, TenantAccount | UnreadableAccount> {
    const opened = new Map<string, TenantAccount | UnreadableAccount>();
    for (const row of rows) {
      try {
        opened.set(row.provider, { fields: this.sealer.open(row.tenantId, row.provider, row.sealed), stamp: envelopeStamp(row.sealed) });
      } catch (error) {
        this.logger.error({ tenantId: row.tenantId, provider: row.provider, err: (error as Error).message }, 'tenant provider credentials cannot be opened with this instance’s CREDENTIALS_KEY');
        opened.set(row.provider, { unreadable: `the tenant's ${row.provider} credentials cannot be opened on this instance (${(error as Error).message})` });
      }
    }
    return opened;
  }
}
