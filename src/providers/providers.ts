import type { AnyProviderDescriptor, Channel, NamesFor, SettingsOf } from './provider-descriptor';
import { jambonz } from './jambonz/jambonz.provider';
import { simulator } from './simulator/simulator.provider';
import { sip } from './sip/sip.provider';
import { telnyx } from './telnyx/telnyx.provider';
import { twilio } from './twilio/twilio.provider';

/**
 * Every provider the gateway knows, one descriptor each. Everything else derives from this list:
 * the name unions and `@IsIn` lists (in this order, which the OpenAPI enums keep), the config
 * schema under `providers.` and its environment variables, the registry, the mounted webhooks.
 * A new provider is its folder plus one entry here (appended, so existing enums keep their order).
 */
export const PROVIDERS = [twilio, jambonz, sip, simulator, telnyx] as const;

export type ProviderName = (typeof PROVIDERS)[number]['name'];
export type SmsProviderName = NamesFor<typeof PROVIDERS, 'sms'>;
export type VoiceProviderName = NamesFor<typeof PROVIDERS, 'voice'>;

/** The settings every descriptor owns under `providers.` (the config's `providers` section). */
export type ProvidersSettings = UnionToIntersection<SettingsOf<(typeof PROVIDERS)[number]>>;

export const SMS_PROVIDERS = namesFor<SmsProviderName>('sms');
export const VOICE_PROVIDERS = namesFor<VoiceProviderName>('voice');

/** The descriptor of a provider by name. */
export function descriptorOf(name: ProviderName): AnyProviderDescriptor;
export function descriptorOf(name: string): AnyProviderDescriptor | undefined;
export function descriptorOf(name: string): AnyProviderDescriptor | undefined {
  return (PROVIDERS as readonly AnyProviderDescriptor[]).find((provider) => provider.name === name);
}

function namesFor<N extends string>(channel: Channel): readonly N[] {
  return (PROVIDERS as readonly AnyProviderDescriptor[]).filter((p) => p.channels.includes(channel)).map((p) => p.name as N);
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
