import { Expose, plainToInstance, Transform } from 'class-transformer';
import { probeAccount } from '../provider-calls';
import { ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { TelnyxSignatureGuard } from './telnyx-signature.guard';
import { TelnyxConfig } from './telnyx.config';
import { TelnyxSmsProvider } from './telnyx.sms';
import { TelnyxWebhooksController } from './telnyx.webhooks.controller';

/**
 * Telnyx Messaging (SMS/MMS), one account (`providers.telnyx`). Registered by one line in
 * providers.ts; everything else about it lives in this folder.
 */
export const telnyx: ProviderDescriptor<'telnyx', 'sms', { telnyx: TelnyxConfig }> = {
  name: 'telnyx',
  channels: ['sms'],
  config: {
    properties: {
      // Built from nothing when the YAML has no `telnyx:` section: TelnyxConfig's initialisers are
      // its defaults, so config/default.yaml needs no block for a provider that is not used.
      telnyx: [
        Expose(),
        Transform(({ value }) => (value instanceof TelnyxConfig ? value : plainToInstance(TelnyxConfig, value ?? {}))),
        ValidateNested(),
      ],
    },
    env: {
      TELNYX_API_KEY: 'providers.telnyx.apiKey',
      TELNYX_PUBLIC_KEY: 'providers.telnyx.publicKey',
      TELNYX_MESSAGING_PROFILE_ID: 'providers.telnyx.messagingProfileId',
      TELNYX_API_BASE_URL: 'providers.telnyx.apiBaseUrl',
      TELNYX_MEDIA_PREFIXES: 'providers.telnyx.mediaPrefixes',
    },
    secrets: ['providers.telnyx.apiKey'],
  },
  create: ({ telnyx: settings }, { observe }) => {
    if (!settings.apiKey) return undefined;
    return {
      // Readiness: the account's balance, read with the API key (Telnyx has no cheaper authenticated read).
      probe: () => probeAccount(observe, 'telnyx', `${settings.apiBaseUrl.replace(/\/+$/, '')}/v2/balance`, `Bearer ${settings.apiKey}`),
      sms: new TelnyxSmsProvider({
        apiKey: settings.apiKey, apiBaseUrl: settings.apiBaseUrl, mediaPrefixes: settings.mediaPrefixes,
        ...(settings.messagingProfileId ? { messagingProfileId: settings.messagingProfileId } : {}),
      }, observe),
    };
  },
  tenantAccount: {
    fields: {
      apiKey: { required: true, pattern: /^\S{8,300}$/, hint: 'must be a Telnyx API key (v2)' },
      publicKey: { required: true, pattern: /^[A-Za-z0-9+/]{43}=$/, hint: 'must be the base64 of a 32-byte Ed25519 public key, as the Telnyx portal shows it' },
      messagingProfileId: { required: false, pattern: /^[\w-]{1,100}$/, hint: 'must be a messaging profile id' },
    },
  },
  // Telnyx posts every event of a message to one URL and names the event in the body, so its
  // statuses come to the same route as its inbound messages, with our signed `mid`.
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/telnyx/sms', { mid: interactionId }),
  webhooks: { controllers: [TelnyxWebhooksController], providers: [TelnyxSignatureGuard] },
};
