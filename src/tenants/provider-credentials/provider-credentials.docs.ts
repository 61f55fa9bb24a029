/* eslint-disable @typescript-eslint/no-explicit-any */
import type { OperationDoc } from '../../openapi/operation-docs';

type Json = Record<string, any>;

const CREDENTIALS_SCHEMA: Json = {
  type: 'object',
  required: ['provider', 'fields', 'updatedAt'],
  properties: {
    provider: { type: 'string' },
    fields: {
      type: 'object', additionalProperties: { type: 'string' },
      description: 'Each field the account was given with `…` and its last 4 characters (none for values under 16 characters): never a secret.',
    },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const EXAMPLE = { provider: 'twilio', fields: { accountSid: '…9f3a', authToken: '…c41d' }, updatedAt: '2026-12-04T09:00:00.000Z' };

export const PROVIDER_CREDENTIALS_DOCS = {
  list: {
    summary: 'The tenant’s own provider accounts',
    description: 'Which providers the caller’s tenant has its own credentials for, and when they were set. The credentials themselves are never answered.',
    response: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: CREDENTIALS_SCHEMA } } },
    responseExample: { items: [EXAMPLE] },
  },
  put: {
    summary: 'Set the tenant’s own account with a provider',
    description: 'The tenant’s messages and calls through the provider use this account instead of the gateway’s, on every instance without a restart, '
      + 'and the provider’s webhooks for the tenant must be signed with its secret (Twilio: the auth token; jambonz: the webhook secret). '
      + 'Fields per provider — twilio: `accountSid`, `authToken`; jambonz: `accountSid`, `apiKey`, `webhookSecret` (the API base URL stays the gateway’s); '
      + 'telnyx: `apiKey`, `publicKey`, optional `messagingProfileId`. The whole account is replaced. Stored sealed with AES-256-GCM (CREDENTIALS_KEY; '
      + '422 when the gateway has none), never answered; announced as `tenant.updated`. A provider the gateway does not know is 404, one that takes no account 422.',
    response: CREDENTIALS_SCHEMA,
    requestExample: { accountSid: 'AC0123456789abcdef0123456789ab9f3a', authToken: '<the account’s auth token>' },
    responseExample: EXAMPLE,
  },
  delete: {
    summary: 'Remove the tenant’s own account with a provider',
    description: 'The gateway’s own account with the provider applies to the tenant again. 404 when the tenant had none.',
  },
} satisfies Record<string, OperationDoc>;
