import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging/logger.token';
import { AppConfig } from '../config/config.schema';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { TenantSettings } from '../tenants/tenant';
import { CallbackUrls } from './callbacks/callback-urls';
import { JambonzSmsProvider } from './jambonz/jambonz.sms';
import { JambonzVoiceProvider } from './jambonz/jambonz.voice';
import { SimulatorSmsProvider } from './simulator/simulator.sms';
import { SimulatorVoiceProvider } from './simulator/simulator.voice';
import { SipVoiceProvider } from './sip/sip.voice';
import type { SmsProvider, SmsProviderName } from './sms-provider.port';
import type { VoiceProvider, VoiceProviderName } from './voice-provider.port';
import { createTwilioClient } from './twilio/twilio-client';
import { TwilioSmsProvider } from './twilio/twilio.sms';
import { TwilioVoiceProvider } from './twilio/twilio.voice';

/**
 * One immutable adapter per configured provider account, built at start-up. A tenant uses its
 * configured provider, a request may name another configured one, and with nothing configured the
 * simulator answers.
 */
@Injectable()
export class ProviderRegistry {
  readonly simulator: SimulatorSmsProvider;
  readonly simulatorVoice = new SimulatorVoiceProvider();
  private readonly sms = new Map<SmsProviderName, SmsProvider>();
  private readonly voice = new Map<VoiceProviderName, VoiceProvider>();
  private readonly defaultSms: SmsProviderName;
  private readonly defaultVoice: VoiceProviderName;

  constructor(config: AppConfig, @Inject(LOGGER) logger: Logger, callbacks: CallbackUrls) {
    const { twilio, jambonz } = config.providers;
    this.simulator = new SimulatorSmsProvider();
    this.sms.set('simulator', this.simulator);
    if (twilio.accountSid && twilio.authToken) {
      const client = createTwilioClient(twilio.accountSid, twilio.authToken, twilio.apiBaseUrl);
      this.sms.set('twilio', new TwilioSmsProvider(client, twilio.accountSid, twilio.authToken, twilio.apiBaseUrl, twilio.mediaCdnPrefixes));
      this.voice.set('twilio', new TwilioVoiceProvider(client));
    }
    if (jambonz.apiBaseUrl && jambonz.accountSid && jambonz.apiKey) {
      this.sms.set('jambonz', new JambonzSmsProvider(jambonz));
      this.voice.set('jambonz', new JambonzVoiceProvider(jambonz, callbacks));
    }
    this.defaultSms = this.sms.has('twilio') ? 'twilio' : this.sms.has('jambonz') ? 'jambonz' : 'simulator';
    this.voice.set('simulator', this.simulatorVoice);
    const { drachtio, sipTrunkUri } = config.providers;
    if (drachtio.host && sipTrunkUri) {
      this.voice.set('sip', new SipVoiceProvider({ ...drachtio, trunkUri: sipTrunkUri }, logger.child({ component: 'sip' })));
    }
    const order: VoiceProviderName[] = ['twilio', 'jambonz', 'sip'];
    this.defaultVoice = order.find((name) => this.voice.has(name)) ?? 'simulator';
  }

  /** The voice provider for a tenant, or the one a request names. */
  voiceFor(tenant: TenantSettings, requested?: VoiceProviderName): VoiceProvider {
    const name = requested ?? tenant.voiceProvider ?? this.defaultVoice;
    const provider = this.voice.get(name);
    if (!provider) {
      throw DomainError.invalidField(requested ? 'provider' : 'tenant.voiceProvider', `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    return provider;
  }

  voiceByName(name: string): VoiceProvider | undefined {
    return this.voice.get(name as VoiceProviderName);
  }

  /** Every configured voice provider (readiness checks, start-up wiring, shutdown). */
  voiceProviders(): VoiceProvider[] {
    return [...this.voice.values()];
  }

  /** The SMS provider for a tenant, or the one a request names. */
  smsFor(tenant: TenantSettings, requested?: SmsProviderName): SmsProvider {
    const name = requested ?? tenant.smsProvider ?? this.defaultSms;
    const provider = this.sms.get(name);
    if (!provider) {
      throw DomainError.invalidField(requested ? 'provider' : 'tenant.smsProvider', `${name} is not configured on this gateway`, ErrorCode.Unprocessable);
    }
    return provider;
  }

  smsByName(name: string): SmsProvider | undefined {
    return this.sms.get(name as SmsProviderName);
  }

  /** The name of the SMS provider a tenant's messages go through, configured on this gateway or not. */
  smsNameFor(tenant: TenantSettings): SmsProviderName {
    return tenant.smsProvider ?? this.defaultSms;
  }
}
