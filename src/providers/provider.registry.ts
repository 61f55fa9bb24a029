import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging/logger.token';
import { AppConfig } from '../config/config.schema';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { TenantSettings } from '../tenants/tenant';
import { providerChain } from '../failover/domain/failover';
import { CallbackUrls } from './callbacks/callback-urls';
import type { AnyProviderDescriptor, ProviderAdapters, ProviderDeps, VoiceCapability } from './provider-descriptor';
import { isUnreadable, TenantAccounts } from './tenant-accounts.port';
import { CachedProbe } from './provider-calls';
import { MetricsService } from '../metrics/metrics.service';
import { PROVIDERS, type SmsProviderName, type VoiceProviderName } from './providers';
import type { SimulatorSmsProvider } from './simulator/simulator.sms';
import type { SmsProvider } from './sms-provider.port';
import type { VoiceProvider } from './voice-provider.port';
import { mediaOf } from './call-media.port';

/** Replaces the providers' list (tests); the gateway runs with `PROVIDERS`. */
export const PROVIDER_DESCRIPTORS = 'PROVIDER_DESCRIPTORS';

/**
 * One immutable adapter per configured provider account, built at start-up from the descriptors
 * (providers.ts). A tenant uses its configured provider, a request may name another configured
 * one; the default of a channel is the first configured provider in the list's order, and the
 * simulator (the `fallback`) only when no other is configured.
 */
@Injectable()
export class ProviderRegistry {
  private readonly sms = new Map<SmsProviderName, SmsProvider>();
  private readonly voice = new Map<VoiceProviderName, VoiceProvider>();
  private readonly defaultSms: SmsProviderName;
  private readonly defaultVoice: VoiceProviderName;
  private readonly probes = new Map<string, CachedProbe>();
  /** Adapters of tenants' own accounts (`<tenant>/<provider>`), with the account stamp they were built on. */
  private readonly tenantBuilt = new Map<string, { stamp: string; adapters: ProviderAdapters | undefined }>();
  private readonly deps: ProviderDeps;

  constructor(
    private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly callbacks: CallbackUrls,
    @Optional() @Inject(PROVIDER_DESCRIPTORS) private readonly descriptors: readonly AnyProviderDescriptor[] = PROVIDERS,
    @Optional() metrics?: MetricsService,
    @Optional() private readonly accounts?: TenantAccounts,
  ) {
    this.deps = { logger, callbacks, observe: metrics?.observeProviderCall };
    for (const descriptor of descriptors) {
      const adapters = descriptor.create(config.providers, this.deps);
      if (adapters?.sms) this.sms.set(descriptor.name as SmsProviderName, adapters.sms);
      if (adapters?.voice) this.voice.set(descriptor.name as VoiceProviderName, adapters.voice);
      if (adapters?.probe) this.probes.set(descriptor.name, new CachedProbe(adapters.probe, config.health.providerCheckCacheMs));
    }
    this.defaultSms = this.firstConfigured(this.sms);
    this.defaultVoice = this.firstConfigured(this.voice);
  }

  /**
   * The readiness checks of the configured voice providers, `voice:<name>`. The fallback (the
   * simulator) has none: it is no dependency the instance could lose.
   */
  readinessChecks(): Array<[string, () => Promise<void>]> {
    const voice = [...this.voice.values()]
      .filter((provider) => !this.descriptor(provider.name)?.fallback)
      .map((provider): [string, () => Promise<void>] => [`voice:${provider.name}`, () => provider.check()]);
    // Each account's own probe (an authenticated read, cached): the API reachable and the credentials good.
    const accounts = [...this.probes].map(([name, probe]): [string, () => Promise<void>] => [`provider:${name}`, () => probe.check()]);
    return [...voice, ...accounts];
  }

  /** The simulator's SMS adapter (its routes play customers and serve simulated pictures). */
  get simulator(): SimulatorSmsProvider {
    return this.sms.get('simulator') as SimulatorSmsProvider;
  }

  /** The voice provider for a tenant, or the one a request names (the tenant's own account with it, if it has one). */
  voiceFor(tenant: TenantSettings, requested?: VoiceProviderName): VoiceProvider {
    const name = requested ?? tenant.voiceProvider ?? this.defaultVoice;
    const provider = this.voiceByName(name, tenant.id);
    if (!provider) {
      throw DomainError.invalidField(requested ? 'provider' : 'tenant.voiceProvider', `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    return provider;
  }

  /**
   * The voice providers a tenant's call is handed to, in failover order (failover/domain): only
   * the one a request names, else the tenant's list (each must be configured), else its provider.
   */
  voiceChainFor(tenant: TenantSettings, requested?: VoiceProviderName): VoiceProvider[] {
    if (requested || !tenant.voiceProviders || tenant.voiceProviders.length === 0) return [this.voiceFor(tenant, requested)];
    return providerChain(tenant.voiceProviders, tenant.voiceProvider, this.defaultVoice).map((name, n) => {
      const provider = this.voiceByName(name, tenant.id);
      if (!provider) throw DomainError.invalidField(`tenant.voiceProviders.${n}`, `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
      return provider;
    });
  }

  /** A voice provider by name: with `tenantId`, the tenant's own account with it when it has one. */
  voiceByName(name: string, tenantId?: string): VoiceProvider | undefined {
    const own = this.tenantAdapters(tenantId, name);
    return own ? own.voice : this.voice.get(name as VoiceProviderName);
  }

  /** Every configured voice provider (readiness checks, start-up wiring, shutdown). */
  voiceProviders(): VoiceProvider[] {
    return [...this.voice.values()];
  }

  /** Every configured SMS provider (start-up wiring, shutdown). */
  smsProviders(): SmsProvider[] {
    return [...this.sms.values()];
  }

  /** The SMS provider for a tenant, or the one a request names. */
  smsFor(tenant: TenantSettings, requested?: SmsProviderName): SmsProvider {
    const name = requested ?? tenant.smsProvider ?? this.defaultSms;
    const provider = this.smsByName(name, tenant.id);
    if (!provider) {
      throw DomainError.invalidField(requested ? 'provider' : 'tenant.smsProvider', `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    return provider;
  }

  /**
   * The SMS providers a tenant's message is handed to, in failover order (failover/domain): only
   * the one a request names, else the tenant's list (each must be configured), else its provider.
   */
  smsChainFor(tenant: TenantSettings, requested?: SmsProviderName): SmsProvider[] {
    if (requested) return [this.smsFor(tenant, requested)];
    return providerChain(tenant.smsProviders, tenant.smsProvider, this.defaultSms).map((name, n) => {
      const provider = this.smsByName(name, tenant.id);
      if (!provider) throw DomainError.invalidField(`tenant.smsProviders.${n}`, `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
      return provider;
    });
  }

  /** An SMS provider by name: with `tenantId`, the tenant's own account with it when it has one. */
  smsByName(name: string, tenantId?: string): SmsProvider | undefined {
    const own = this.tenantAdapters(tenantId, name);
    return own ? own.sms : this.sms.get(name as SmsProviderName);
  }

  /**
   * The adapters of a tenant's own account with a provider (admin API), built from the gateway's
   * settings of the provider with the account's fields laid over them, on first use and again
   * when the account changes; undefined when the tenant has none, so the gateway's are used. An
   * account that cannot be used is refused, never replaced by the gateway's account.
   */
  private tenantAdapters(tenantId: string | undefined, name: string): ProviderAdapters | undefined {
    const account = tenantId === undefined ? undefined : this.accounts?.accountOf(tenantId, name);
    if (!account) return undefined;
    if (isUnreadable(account)) throw new DomainError(ErrorCode.Unavailable, account.unreadable);
    const key = `${tenantId}/${name}`;
    const built = this.tenantBuilt.get(key);
    if (built?.stamp === account.stamp) return this.usable(built.adapters, name);
    const providers = this.config.providers as unknown as Record<string, object>;
    const adapters = this.descriptor(name)?.create({ ...providers, [name]: { ...providers[name], ...account.fields } }, this.deps);
    // The replaced adapters are left to finish what they do, not closed: they hold no listener of
    // the gateway's (Twilio, jambonz and Telnyx report through webhooks). A call placed before the
    // change is controlled through the new account from then on.
    this.tenantBuilt.set(key, { stamp: account.stamp, adapters });
    return this.usable(adapters, name);
  }

  private usable(adapters: ProviderAdapters | undefined, name: string): ProviderAdapters {
    if (!adapters) throw new DomainError(ErrorCode.Unprocessable, `the tenant's ${name} account needs the gateway's own ${name} settings (its API base URL), which are not configured`);
    return adapters;
  }

  /** The name of the SMS provider a tenant's messages go through, configured on this gateway or not. */
  smsNameFor(tenant: TenantSettings): SmsProviderName {
    return tenant.smsProvider ?? this.defaultSms;
  }

  /**
   * Which providers a tenant's messages and calls go through, for the start-up summary: the SMS
   * provider and whether it is the stand-in (the simulator), and the voice provider or why none.
   */
  routeOf(tenant: TenantSettings): { sms: SmsProviderName; smsIsSimulator: boolean; voice: string } {
    const sms = this.smsNameFor(tenant);
    const voice = tenant.voiceProvider ?? this.defaultVoice;
    return {
      sms, smsIsSimulator: Boolean(this.descriptor(sms)?.fallback),
      voice: this.voice.has(voice) ? voice : `${voice} (not configured)`,
    };
  }

  /** Where a provider is to post the delivery reports of one outbound message (its descriptor says). */
  smsStatusCallbackUrl(provider: string, interactionId: string): string {
    const build = this.descriptor(provider)?.smsStatusCallbackUrl;
    if (!build) throw new Error(`provider ${provider} has no SMS status callback URL`);
    return build(this.callbacks, interactionId);
  }

  /** Why calls through a provider cannot do `capability`, or undefined when they can. */
  capabilityRefusal(provider: string, capability: VoiceCapability): string | undefined {
    const answer = this.descriptor(provider)?.capabilities?.[capability] ?? `${provider} has no ${capability}`;
    // Media that depends on the adapter's settings (SIP with rtpengine): the adapter has it or not.
    if ((capability === 'record' || capability === 'liveAudio') && mediaOf(this.voice.get(provider as VoiceProviderName))) return undefined;
    return answer === true ? undefined : answer;
  }

  /** The sender a message or call through this provider may show for a tenant without numbers. */
  standInSender(provider: string): string | undefined {
    return this.descriptor(provider)?.standInSender;
  }

  private descriptor(name: string): AnyProviderDescriptor | undefined {
    return this.descriptors.find((descriptor) => descriptor.name === name);
  }

  private firstConfigured<N extends string>(adapters: ReadonlyMap<N, unknown>): N {
    const real = this.descriptors.find((d) => !d.fallback && adapters.has(d.name as N));
    const fallback = this.descriptors.find((d) => d.fallback && adapters.has(d.name as N));
    return (real ?? fallback)!.name as N;
  }
}
