import type { AppConfig } from '../../config/config.schema';

/** A tenant's inbound call settings (`tenants[]` in the configuration), with their defaults. */
export interface InboundSettings {
  ringNoAnswerSeconds: number;
  /** After this long unanswered the caller is offered voicemail; 0: never. */
  queueTimeoutSeconds: number;
  voicemailPrompt: string;
  greeting: string;
  /** null: the provider's own hold music. */
  holdMusicUrl: string | null;
  /** Agents' devices from the YAML seed, by agent id. */
  seededDevices: ReadonlyMap<string, string>;
}

export const INBOUND_DEFAULTS = {
  ringNoAnswerSeconds: 20,
  queueTimeoutSeconds: 0,
  voicemailPrompt: 'Nobody is free to take your call. Please leave a message after the tone, and we will call you back.',
  greeting: 'Thank you for calling. Please hold while we connect you to an agent.',
} as const;

/** Reads once per tenant and keeps it (the configuration does not change while running). */
export class InboundSettingsReader {
  private readonly cache = new Map<string, InboundSettings>();

  constructor(private readonly config: AppConfig) {}

  of(tenantId: string): InboundSettings {
    let settings = this.cache.get(tenantId);
    if (!settings) {
      const t = this.config.tenants?.find((tenant) => tenant.id === tenantId);
      settings = {
        ringNoAnswerSeconds: t?.ringNoAnswerSeconds ?? INBOUND_DEFAULTS.ringNoAnswerSeconds,
        queueTimeoutSeconds: t?.queueTimeoutSeconds ?? INBOUND_DEFAULTS.queueTimeoutSeconds,
        voicemailPrompt: t?.voicemailPrompt ?? INBOUND_DEFAULTS.voicemailPrompt,
        greeting: t?.inboundGreeting ?? INBOUND_DEFAULTS.greeting,
        holdMusicUrl: t?.holdMusicUrl ?? null,
        seededDevices: new Map((t?.agents ?? []).map((a) => [a.id, a.endpoint])),
      };
      this.cache.set(tenantId, settings);
    }
    return settings;
  }
}
