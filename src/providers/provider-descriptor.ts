import type { Provider, Type } from '@nestjs/common';
import type { ProviderCallObserver } from './provider-calls';
import type { Logger } from 'pino';
import type { CallbackUrls } from './callbacks/callback-urls';
import type { SmsProvider } from './sms-provider.port';
import type { VoiceProvider } from './voice-provider.port';

export type Channel = 'sms' | 'voice';

/**
 * What an agent may ask of a live call beyond placing and hanging it up. `record` and `conference`
 * join when their commands land; adding one here makes every voice descriptor say where it stands.
 */
export type VoiceCapability = 'hold' | 'mute' | 'dtmf' | 'transfer' | MultipartyCapability | MediaCapability;

/** A call's media (src/media): recording it (`POST /v1/calls/:id/recording`) and its live audio (`GET /v1/calls/:id/audio`). */
export type MediaCapability = 'record' | 'liveAudio';

/** Calls of more than two parties (src/calls/participants): consult/complete/cancel, merge and added parties, supervision. */
export type MultipartyCapability = 'consult' | 'conference' | 'supervise';

/** Per capability: `true` when the provider does it, else the reason it cannot (said in the 422). */
export type VoiceCapabilities = Readonly<Record<VoiceCapability, true | string>>;

/** What a factory may use besides its own settings. */
export interface ProviderDeps {
  logger: Logger;
  callbacks: CallbackUrls;
  /** Told of every request to the provider's API (/metrics), where the adapter can see them. */
  observe?: ProviderCallObserver;
}

/** The adapters one provider account gives, one per channel it serves. */
export interface ProviderAdapters {
  sms?: SmsProvider;
  voice?: VoiceProvider;
  /**
   * A cheap authenticated read of the account (never a call or a message): readiness says
   * `provider:<name>` is down when it fails — unreachable API, revoked credentials.
   */
  probe?: () => Promise<void>;
}

/**
 * How a provider's settings sit in the configuration, under `providers.`: each property it owns
 * with the class-validator decorators that check it (a nested section is `ValidateNested()` plus
 * `Type(() => ItsConfigClass)`), the environment variables that set them and which are secret.
 */
export interface ProviderConfigSection<S extends object> {
  properties: { readonly [K in keyof S]-?: readonly PropertyDecorator[] };
  /** ENV_NAME → full setting path, e.g. `TWILIO_AUTH_TOKEN: 'providers.twilio.authToken'`. */
  env: Readonly<Record<string, string>>;
  /** Full setting paths whose values are never echoed in a configuration error. */
  secrets: readonly string[];
}

/** One field of a tenant's own account with a provider (see `tenantAccount`). */
export interface AccountField {
  required: boolean;
  /** What the value must match, and how to say so. */
  pattern: RegExp;
  hint: string;
}

/**
 * A tenant's own account with the provider (`PUT /v1/admin/providers/:provider/credentials`): the
 * fields an admin gives, laid over the gateway's `providers.<name>` settings when the provider's
 * adapters are built for that tenant (src/providers/provider.registry.ts), and stored sealed.
 */
export interface TenantAccountSpec {
  readonly fields: Readonly<Record<string, AccountField>>;
  /** The field naming the account in the provider's webhooks (Twilio's `AccountSid`), if any. */
  readonly accountIdField?: string;
  /** The field holding the secret that signs the provider's webhooks, if it is one of the account's. */
  readonly webhookSecretField?: string;
}

/** The settings of a provider that has none (the simulator). */
export type NoSettings = Record<never, never>;

/**
 * Everything the gateway knows of one provider. Its folder exports one (`<name>.provider.ts`) and
 * `providers.ts` lists them: the provider name unions, the `@IsIn` lists, the config schema, the
 * registry and the mounted webhook controllers all derive from that list. Write the descriptor's
 * type out (`export const twilio: ProviderDescriptor<'twilio', 'sms' | 'voice', { twilio:
 * TwilioConfig }> = …`): inferring it would be circular, as the ports' name unions derive from it.
 *
 * Import discipline (module load order): a descriptor and what it imports (adapters, config
 * classes, webhook controllers, guards) must not import services, DTOs or `config.schema` at run
 * time, because `config.schema` and the DTOs import the list. Controllers take their services
 * through the ports' abstract classes (`InboundSmsReceiver`, `SmsStatusReceiver`,
 * `CallCallbackReceiver`, `VoiceAdapters`, bound in app.module); guards take the config through
 * `@Inject(APP_CONFIG)` with `import type { AppConfig }`.
 */
export interface ProviderDescriptor<N extends string = string, C extends Channel = Channel, S extends object = NoSettings> {
  readonly name: N;
  readonly channels: readonly C[];
  /** Its settings under `providers.` (none for the simulator). */
  readonly config?: ProviderConfigSection<S>;
  /**
   * Builds its adapters from its validated settings, or undefined when they leave it unconfigured
   * (it is then unavailable on this gateway, and a tenant or request naming it gets a 422).
   */
  create(settings: S, deps: ProviderDeps): ProviderAdapters | undefined;
  /** The account a tenant may bring instead of the gateway's (absent: tenants use the gateway's only). */
  readonly tenantAccount?: TenantAccountSpec;
  /** For voice providers: what a call through it can do. */
  readonly capabilities?: VoiceCapabilities;
  /** The URL its delivery reports for one outbound message are to be posted to (SMS providers). */
  smsStatusCallbackUrl?(callbacks: CallbackUrls, interactionId: string): string;
  /**
   * Its webhook routes, mounted by the app module, what they need injected (guards), and the media
   * type the provider posts to them when it is not JSON (the OpenAPI document says so).
   */
  readonly webhooks?: {
    readonly controllers: readonly Type<unknown>[];
    readonly providers?: readonly Provider[];
    readonly requestMediaType?: string;
  };
  /**
   * Used only when no other provider of the channel is configured; it is never the default when
   * one is (the simulator). Otherwise the first configured provider in `PROVIDERS` order is.
   */
  readonly fallback?: true;
  /**
   * The sender a message or call may show when the tenant has no numbers of its own (only where
   * no one sees it: the simulator).
   */
  readonly standInSender?: string;
}

/** A descriptor of any name and settings (what lists and loops hold). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProviderDescriptor = ProviderDescriptor<string, Channel, any>;

/**
 * The names of the descriptors in `L` that serve channel `C`. Matched on `name` and `channels`
 * only: the ports' name types derive from this, so looking into `create` would be circular.
 */
export type NamesFor<L extends readonly { readonly name: string }[], C extends Channel> = {
  [I in keyof L]: L[I] extends { readonly name: infer N; readonly channels: readonly (infer K)[] } ? (C extends K ? N : never) : never;
}[number];

/** The settings shape of a descriptor (what it owns under `providers.`), read off its config section. */
export type SettingsOf<D> = D extends { readonly config?: ProviderConfigSection<infer S> } ? S : never;
