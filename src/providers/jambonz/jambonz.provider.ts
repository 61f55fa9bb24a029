import { Type } from 'class-transformer';
import { probeAccount } from '../provider-calls';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { JambonzConfig } from './jambonz.config';
import { JambonzSmsProvider } from './jambonz.sms';
import { JambonzVoiceProvider } from './jambonz.voice';
import { JambonzInboundController } from './jambonz-inbound.controller';
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
  create: ({ jambonz: settings }, { callbacks, observe }) => {
    if (!settings.apiBaseUrl || !settings.accountSid || !settings.apiKey) return undefined;
    // Readiness: jambonz's "retrieve an account" with the API key.
    const account = `${settings.apiBaseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/Accounts/${encodeURIComponent(settings.accountSid)}`;
    return {
      sms: new JambonzSmsProvider(settings), voice: new JambonzVoiceProvider(settings, callbacks),
      probe: () => probeAccount(observe, 'jambonz', account, `Bearer ${settings.apiKey}`),
    };
  },
  // A dialled leg has no hold in jambonz's live call control (its adapter refuses alike).
  capabilities: {
    hold: 'jambonz cannot hold a dialled call', mute: true, dtmf: true, transfer: true,
    // Its conference verb would need the call re-hooked into a named conference; not built yet (README "Participants").
    consult: 'the jambonz adapter does not bridge calls through a conference yet, so it cannot hold the customer while an agent consults',
    conference: 'the jambonz adapter does not bridge calls through a conference yet',
    supervise: 'the jambonz adapter does not bridge calls through a conference yet',
    // README "Recording and live audio": its listen verb would feed the gateway; not built yet.
    record: 'the jambonz adapter does not send a call\'s audio to the gateway (listen) yet',
    liveAudio: 'the jambonz adapter does not send a call\'s audio to the gateway (listen) yet',
  },
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/jambonz/sms/status', { mid: interactionId }),
  webhooks: { controllers: [JambonzWebhooksController, JambonzInboundController], providers: [JambonzSignatureGuard] },
};
