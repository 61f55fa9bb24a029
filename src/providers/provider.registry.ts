import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { TenantSettings } from '../tenants/tenant';
import { JambonzSmsProvider } from './jambonz/jambonz.sms';
import { SimulatorSmsProvider } from './simulator/simulator.sms';
import type { SmsProvider, SmsProviderName } from './sms-provider.port';
import { createTwilioClient } from './twilio/twilio-client';
import { TwilioSmsProvider } from './twilio/twilio.sms';

/**
 * One immutable adapter per configured provider account, built at start-up. A tenant uses its
 * configured provider, a request may name another configured one, and with nothing configured the
 * simulator answers.
 */
@Injectable()
export class ProviderRegistry {
  readonly simulator: SimulatorSmsProvider;
  private readonly sms = new Map<SmsProviderName, SmsProvider>();
  private readonly defaultSms: SmsProviderName;

  constructor(config: AppConfig) {
    const { twilio, jambonz } = config.providers;
    this.simulator = new SimulatorSmsProvider();
    this.sms.set('simulator', this.simulator);
    if (twilio.accountSid && twilio.authToken) {
      const client = createTwilioClient(twilio.accountSid, twilio.authToken, twilio.apiBaseUrl);
      this.sms.set('twilio', new TwilioSmsProvider(client, twilio.accountSid, twilio.authToken, twilio.apiBaseUrl));
    }
    if (jambonz.apiBaseUrl && jambonz.accountSid && jambonz.apiKey) {
      this.sms.set('jambonz', new JambonzSmsProvider(jambonz));
    }
    this.defaultSms = this.sms.has('twilio') ? 'twilio' : this.sms.has('jambonz') ? 'jambonz' : 'simulator';
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
}
