import type { SmsProviderName, VoiceProviderName } from '../providers/providers';
import type { TenantSettings } from './tenant';

/**
 * What the store keeps of a tenant besides its id and numbers: its providers and policies, as one
 * JSON document (`tenant_settings.document`). Pure: no Nest, no driver.
 */
export interface TenantPolicies {
  requireConsent: boolean;
  doNotCall: string[];
  maxComposeLength: number;
  maskSensitiveData: boolean;
  agentEndpoints: string[];
  inboundRouting: 'sticky' | 'queue';
  stickyDays: number;
  unattendedAlertSeconds: number;
  dispositions: string[];
  smsTemplates: string[];
  ringTimeoutSeconds: number;
  recordCalls: 'off' | 'always' | 'on-demand';
  pauseBehavior: 'silence' | 'skip';
  recordingRetentionDays: number;
  /** Inbound calls (calls/inbound): how long a console rings before RONA, the queue wait before voicemail (0: never). */
  ringNoAnswerSeconds: number;
  queueTimeoutSeconds: number;
  /** What a caller hears first, the audio looped while they wait (null: the provider's own), and the voicemail prompt. */
  inboundGreeting: string;
  holdMusicUrl: string | null;
  voicemailPrompt: string;
  /**
   * What a caller whose queue wait timed out is offered: `voicemail`, a `callback` (an agent calls
   * them back), or the `choice` (1: voicemail, 2: callback); the callback's confirmation and the question.
   */
  queueTimeoutOffer: 'voicemail' | 'callback' | 'choice';
  callbackPrompt: string;
  queueChoicePrompt: string;
}

/** The inbound call policies: changed through the admin API like any other, read by calls/inbound. */
export type InboundPolicies = Pick<TenantPolicies, 'ringNoAnswerSeconds' | 'queueTimeoutSeconds' | 'inboundGreeting' | 'holdMusicUrl' | 'voicemailPrompt'
  | 'queueTimeoutOffer' | 'callbackPrompt' | 'queueChoicePrompt'>;

export const INBOUND_POLICY_DEFAULTS: InboundPolicies = {
  ringNoAnswerSeconds: 20,
  queueTimeoutSeconds: 0,
  inboundGreeting: 'Thank you for calling. Please hold while we connect you to an agent.',
  holdMusicUrl: null,
  voicemailPrompt: 'Nobody is free to take your call. Please leave a message after the tone, and we will call you back.',
  queueTimeoutOffer: 'voicemail',
  callbackPrompt: 'Thank you. An agent will call you back as soon as one is free. Goodbye.',
  queueChoicePrompt: 'Nobody is free to take your call. To leave a message, press 1. To be called back, press 2.',
};

export interface TenantDocument {
  name: string;
  defaultRegion: string;
  smsProvider: SmsProviderName | null;
  voiceProvider: VoiceProviderName | null;
  /** Providers in failover order; empty: the single provider above (or the gateway's default). */
  smsProviders: SmsProviderName[];
  voiceProviders: VoiceProviderName[];
  policies: TenantPolicies;
}

export interface TenantNumber {
  number: string;
  /** The provider that owns the number; null: not said. */
  provider: string | null;
}

/** The configuration's view of a tenant (TenantConfig), every field optional. */
export type TenantSeed = { id: string; name?: string; defaultRegion?: string; smsProvider?: SmsProviderName; voiceProvider?: VoiceProviderName }
  & { smsProviders?: readonly SmsProviderName[]; voiceProviders?: readonly VoiceProviderName[] }
  & Partial<Omit<TenantPolicies, 'doNotCall' | 'agentEndpoints' | 'dispositions' | 'smsTemplates'>>
  & { doNotCall?: readonly string[]; agentEndpoints?: readonly string[]; dispositions?: readonly string[]; smsTemplates?: readonly string[] };

/** What applies where neither the seed nor the store says: the configuration's defaults. */
export interface DocumentDefaults {
  region: string;
  agentEndpoints: readonly string[];
  ringTimeoutSeconds: number;
  /**
   * The tenant's inbound call settings from the configuration, where it has them: they apply to a
   * stored document that lacks them (stored before these were policies), as they did then.
   */
  inbound?: Partial<InboundPolicies>;
}

export function defaultPolicies(defaults: DocumentDefaults): TenantPolicies {
  return {
    requireConsent: false, doNotCall: [], maxComposeLength: 1600, maskSensitiveData: false,
    agentEndpoints: [...defaults.agentEndpoints], inboundRouting: 'sticky', stickyDays: 7, unattendedAlertSeconds: 120,
    dispositions: [], smsTemplates: [], ringTimeoutSeconds: defaults.ringTimeoutSeconds,
    recordCalls: 'off', pauseBehavior: 'silence', recordingRetentionDays: 0,
    ...INBOUND_POLICY_DEFAULTS, ...defaults.inbound,
  };
}

export const POLICY_NAMES = Object.keys(defaultPolicies({ region: 'US', agentEndpoints: [], ringTimeoutSeconds: 30 })) as Array<keyof TenantPolicies>;

/** The document a tenant of the configuration (the seed) starts with. */
export function documentFromSeed(seed: TenantSeed, defaults: DocumentDefaults): TenantDocument {
  const policies = defaultPolicies(defaults);
  for (const name of POLICY_NAMES) {
    const value = seed[name];
    if (value !== undefined) (policies as unknown as Record<string, unknown>)[name] = Array.isArray(value) ? [...value] : value;
  }
  return {
    name: seed.name ?? seed.id, defaultRegion: seed.defaultRegion ?? defaults.region,
    smsProvider: seed.smsProvider ?? null, voiceProvider: seed.voiceProvider ?? null,
    smsProviders: [...(seed.smsProviders ?? [])], voiceProviders: [...(seed.voiceProviders ?? [])], policies,
  };
}

/**
 * A stored document, read back. A policy the document lacks (stored before the gateway knew it)
 * takes its default, so adding a policy needs no migration; a policy it no longer knows is dropped.
 */
export function readDocument(json: string, defaults: DocumentDefaults): TenantDocument {
  const stored = JSON.parse(json) as Partial<TenantDocument> & { policies?: Partial<TenantPolicies> };
  const policies = defaultPolicies(defaults);
  for (const name of POLICY_NAMES) {
    const value = stored.policies?.[name];
    if (value !== undefined && value !== null) (policies as unknown as Record<string, unknown>)[name] = value;
  }
  return {
    name: stored.name ?? '', defaultRegion: stored.defaultRegion ?? defaults.region,
    smsProvider: stored.smsProvider ?? null, voiceProvider: stored.voiceProvider ?? null,
    smsProviders: stored.smsProviders ?? [], voiceProviders: stored.voiceProviders ?? [], policies,
  };
}

/** A change asked for through the admin API: any subset of the document. */
export interface TenantPatch {
  name?: string;
  defaultRegion?: string;
  /** null: back to the gateway's default provider. */
  smsProvider?: SmsProviderName | null;
  voiceProvider?: VoiceProviderName | null;
  /** The whole failover list (replaces the stored one); []: none. */
  smsProviders?: SmsProviderName[];
  voiceProviders?: VoiceProviderName[];
  policies?: Partial<TenantPolicies>;
}

/** The document after the patch, and the names of what changed (`policies.x` for a policy); none: nothing to write. */
export function applyPatch(document: TenantDocument, patch: TenantPatch): { document: TenantDocument; changed: string[] } {
  const next: TenantDocument = { ...document, policies: { ...document.policies } };
  const changed: string[] = [];
  for (const key of ['name', 'defaultRegion', 'smsProvider', 'voiceProvider', 'smsProviders', 'voiceProviders'] as const) {
    const value = patch[key];
    if (value === undefined || sameValue(value, document[key])) continue;
    (next as unknown as Record<string, unknown>)[key] = value;
    changed.push(key);
  }
  for (const name of POLICY_NAMES) {
    const value = patch.policies?.[name];
    if (value === undefined || sameValue(value, document.policies[name])) continue;
    (next.policies as unknown as Record<string, unknown>)[name] = Array.isArray(value) ? [...value] : value;
    changed.push(`policies.${name}`);
  }
  return { document: next, changed };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The settings the rest of the gateway reads (TenantSettings keeps its shape). */
export function toSettings(id: string, document: TenantDocument, numbers: readonly TenantNumber[], version: number): TenantSettings {
  const p = document.policies;
  return {
    id, name: document.name, defaultRegion: document.defaultRegion,
    numbers: numbers.map((n) => n.number),
    numberProviders: new Map(numbers.filter((n) => n.provider !== null).map((n) => [n.number, n.provider!])),
    // A failover list names the primary provider too: it is the tenant's provider for every reader.
    smsProvider: document.smsProviders[0] ?? document.smsProvider ?? undefined,
    voiceProvider: document.voiceProviders[0] ?? document.voiceProvider ?? undefined,
    smsProviders: document.smsProviders, voiceProviders: document.voiceProviders,
    requireConsent: p.requireConsent, doNotCall: new Set(p.doNotCall), maxComposeLength: p.maxComposeLength,
    maskSensitiveData: p.maskSensitiveData, agentEndpoints: p.agentEndpoints, inboundRouting: p.inboundRouting,
    stickyDays: p.stickyDays, unattendedAlertSeconds: p.unattendedAlertSeconds, dispositions: p.dispositions,
    smsTemplates: p.smsTemplates, ringTimeoutSeconds: p.ringTimeoutSeconds, recordCalls: p.recordCalls,
    pauseBehavior: p.pauseBehavior, recordingRetentionDays: p.recordingRetentionDays,
    ringNoAnswerSeconds: p.ringNoAnswerSeconds, queueTimeoutSeconds: p.queueTimeoutSeconds, inboundGreeting: p.inboundGreeting,
    holdMusicUrl: p.holdMusicUrl, voicemailPrompt: p.voicemailPrompt, queueTimeoutOffer: p.queueTimeoutOffer,
    callbackPrompt: p.callbackPrompt, queueChoicePrompt: p.queueChoicePrompt, version,
  };
}
