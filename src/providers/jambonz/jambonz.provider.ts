import { Type } from 'class-transformer';
import { probeAccount } from '../provider-calls';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { JambonzListenGateway } from './jambonz-listen.gateway';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { JambonzConfig } from './jambonz.config';
import { JambonzSmsProvider } from './jambonz.sms';
import { JambonzVoiceProvider } from './jambonz.voice';
import { JambonzInboundController } from './jambonz-inbound.controller';
import { JambonzParticipantsWebhooksController } from './jambonz-participants.webhooks.controller';
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
      JAMBONZ_APPLICATION_SID: 'providers.jambonz.applicationSid',
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
  // A tenant's own account; the API base URL stays the gateway's (an admin never points the gateway at another host).
  tenantAccount: {
    fields: {
      accountSid: { required: true, pattern: /^[\w-]{1,100}$/, hint: 'must be the jambonz account SID' },
      apiKey: { required: true, pattern: /^\S{8,200}$/, hint: 'must be an API key of the account (8 to 200 characters, no spaces)' },
      webhookSecret: { required: true, pattern: /^\S{8,200}$/, hint: 'must be the account’s webhook secret (8 to 200 characters, no spaces)' },
    },
    accountIdField: 'accountSid', webhookSecretField: 'webhookSecret',
  },
  capabilities: {
    // Hold, consultation, added parties and supervision: the call's legs moved into its conference (jambonz.participants.ts).
    hold: true, mute: true, dtmf: true, transfer: true, consult: true, conference: true, supervise: true,
    // The dial's listen feeds the gateway, which records itself (jambonz-listen.ts).
    record: true, liveAudio: true,
  },
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/jambonz/sms/status', { mid: interactionId }),
  webhooks: { controllers: [JambonzWebhooksController, JambonzInboundController, JambonzParticipantsWebhooksController],
    // JambonzListenGateway: the WebSocket jambonz's listen connects to (live audio, recording, voicemail).
    providers: [JambonzSignatureGuard, JambonzListenGateway] },
};
