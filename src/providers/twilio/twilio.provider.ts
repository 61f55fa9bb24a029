import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { createTwilioClient } from './twilio-client';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioConfig } from './twilio.config';
import { TwilioSmsProvider } from './twilio.sms';
import { TwilioVoiceProvider } from './twilio.voice';
import { TwilioWebhooksController } from './twilio.webhooks.controller';

/** Twilio Programmable Messaging and Voice, one account (`providers.twilio`). */
export const twilio: ProviderDescriptor<'twilio', 'sms' | 'voice', { twilio: TwilioConfig }> = {
  name: 'twilio',
  channels: ['sms', 'voice'],
  config: {
    properties: { twilio: [ValidateNested(), Type(() => TwilioConfig)] },
    env: {
      TWILIO_ACCOUNT_SID: 'providers.twilio.accountSid',
      TWILIO_AUTH_TOKEN: 'providers.twilio.authToken',
      TWILIO_API_BASE_URL: 'providers.twilio.apiBaseUrl',
      TWILIO_MEDIA_CDN_PREFIXES: 'providers.twilio.mediaCdnPrefixes',
    },
    secrets: ['providers.twilio.authToken'],
  },
  create: ({ twilio: settings }, { logger }) => {
    if (!settings.accountSid || !settings.authToken) return undefined;
    const client = createTwilioClient(settings.accountSid, settings.authToken, settings.apiBaseUrl);
    return {
      sms: new TwilioSmsProvider(client, settings.accountSid, settings.authToken, settings.apiBaseUrl, settings.mediaCdnPrefixes),
      voice: new TwilioVoiceProvider(client, logger.child({ component: 'twilio' })),
    };
  },
  capabilities: { hold: true, mute: true, dtmf: true, transfer: true },
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/twilio/sms/status', { mid: interactionId }),
  // Twilio posts its webhooks as HTML forms.
  webhooks: { controllers: [TwilioWebhooksController], providers: [TwilioSignatureGuard], requestMediaType: 'application/x-www-form-urlencoded' },
};
