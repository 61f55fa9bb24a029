import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { createTwilioClient, probeTwilioAccount } from './twilio-client';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioMediaStreamGateway } from './twilio-media-stream.gateway';
import { TwilioRecordingWebhooksController } from './twilio-recording.webhooks.controller';
import { TwilioConfig } from './twilio.config';
import { TwilioSmsProvider } from './twilio.sms';
import { TwilioVoiceProvider } from './twilio.voice';
import { TwilioInboundController } from './twilio-inbound.controller';
import { TwilioWebhooksController } from './twilio.webhooks.controller';
import { TwilioParticipantsWebhooksController } from './twilio-participants.webhooks.controller';

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
  create: ({ twilio: settings }, { logger, observe }) => {
    if (!settings.accountSid || !settings.authToken) return undefined;
    const client = createTwilioClient(settings.accountSid, settings.authToken, settings.apiBaseUrl, observe);
    return {
      probe: () => probeTwilioAccount(client, settings.accountSid),
      sms: new TwilioSmsProvider(client, settings.accountSid, settings.authToken, settings.apiBaseUrl, settings.mediaCdnPrefixes),
      voice: new TwilioVoiceProvider(client, logger.child({ component: 'twilio' })),
    };
  },
  tenantAccount: {
    fields: {
      accountSid: { required: true, pattern: /^AC[0-9a-fA-F]{32}$/, hint: 'must be a Twilio account SID (AC and 32 hexadecimal digits)' },
      authToken: { required: true, pattern: /^\S{16,200}$/, hint: 'must be the account’s auth token (16 to 200 characters, no spaces)' },
    },
    accountIdField: 'accountSid', webhookSecretField: 'authToken',
  },
  capabilities: { hold: true, mute: true, dtmf: true, transfer: true, consult: true, conference: true, supervise: true, record: true, liveAudio: true },
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/twilio/sms/status', { mid: interactionId }),
  // Twilio posts its webhooks as HTML forms.
  webhooks: { controllers: [TwilioWebhooksController, TwilioParticipantsWebhooksController, TwilioInboundController, TwilioRecordingWebhooksController],
    // TwilioMediaStreamGateway: the WebSocket Twilio Media Streams connect to (live audio).
    providers: [TwilioSignatureGuard, TwilioMediaStreamGateway], requestMediaType: 'application/x-www-form-urlencoded' },
};
