import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { JambonzConfig } from './jambonz.config';
import { JambonzSmsProvider } from './jambonz.sms';
import { JambonzVoiceProvider } from './jambonz.voice';
import { JambonzWebhooksController } from './jambonz.webhooks.controller';

/** jambonz (self-hosted or hosted), one account (`providers.jambonz`). */
export const jambonz: ProviderDescriptor<'jambonz', 'sms' | 'voice', { jambonz: JambonzConfig }> = {
  name: 'jambonz',
  channels: ['sms', 'voice'],
  config: {
    properties: { jambonz: [ValidateNested(), Type(() => JambonzConfig)] },
    env: {
      JAMBONZ_API_BASE_URL: 'providers.jambonz.apiBaseUrl',
      JAMBONZ_ACCOUNT_SID: 'providers.jambonz.accountSid',
      JAMBONZ_API_KEY: 'providers.jambonz.apiKey',
      JAMBONZ_WEBHOOK_SECRET: 'providers.jambonz.webhookSecret',
      JAMBONZ_MEDIA_PREFIXES: 'providers.jambonz.mediaPrefixes',
    },
    secrets: ['providers.jambonz.apiKey', 'providers.jambonz.webhookSecret'],
  },
  create: ({ jambonz: settings }, { callbacks }) => {
    if (!settings.apiBaseUrl || !settings.accountSid || !settings.apiKey) return undefined;
    return { sms: new JambonzSmsProvider(settings), voice: new JambonzVoiceProvider(settings, callbacks) };
  },
  // A dialled leg has no hold in jambonz's live call control (its adapter refuses alike).
  capabilities: { hold: 'jambonz cannot hold a dialled call', mute: true, dtmf: true, transfer: true },
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/jambonz/sms/status', { mid: interactionId }),
  webhooks: { controllers: [JambonzWebhooksController], providers: [JambonzSignatureGuard] },
};
