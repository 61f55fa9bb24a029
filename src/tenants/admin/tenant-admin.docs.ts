/* eslint-disable @typescript-eslint/no-explicit-any */
import type { OperationDoc } from '../../openapi/operation-docs';

type Json = Record<string, any>;

/*
 * The admin API's reference text and the schema of its answer (TenantAdminView), kept beside the
 * routes; the e2e suite checks real answers against the schema.
 */
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const strings: Json = { type: 'array', items: { type: 'string' } };

export const TENANT_ADMIN_SCHEMA: Json = {
  type: 'object',
  required: ['id', 'name', 'defaultRegion', 'smsProvider', 'voiceProvider', 'numbers', 'policies', 'version', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    defaultRegion: { type: 'string', description: 'Two-letter ISO 3166 region numbers without a + are read in.' },
    smsProvider: nullable({ type: 'string', description: 'null: the gateway’s default SMS provider.' }),
    voiceProvider: nullable({ type: 'string', description: 'null: the gateway’s default voice provider.' }),
    smsProviders: { ...strings, description: 'SMS providers in failover order ([]: the single smsProvider).' },
    voiceProviders: { ...strings, description: 'Voice providers in failover order ([]: the single voiceProvider).' },
    numbers: {
      type: 'array',
      items: { type: 'object', required: ['number', 'provider'], properties: { number: { type: 'string', description: 'E.164.' }, provider: nullable({ type: 'string', description: 'The provider that owns the number; null: not said.' }) } },
    },
    policies: {
      type: 'object',
      required: ['requireConsent', 'doNotCall', 'maxComposeLength', 'maskSensitiveData', 'agentEndpoints', 'inboundRouting', 'stickyDays', 'unattendedAlertSeconds', 'dispositions', 'smsTemplates', 'ringTimeoutSeconds', 'recordCalls', 'pauseBehavior', 'recordingRetentionDays',
        'ringNoAnswerSeconds', 'queueTimeoutSeconds', 'inboundGreeting', 'holdMusicUrl', 'voicemailPrompt',
        'queueTimeoutOffer', 'callbackPrompt', 'queueChoicePrompt'],
      properties: {
        requireConsent: { type: 'boolean' }, doNotCall: strings, maxComposeLength: { type: 'integer' }, maskSensitiveData: { type: 'boolean' },
        agentEndpoints: strings, inboundRouting: { enum: ['sticky', 'queue'] }, stickyDays: { type: 'integer' }, unattendedAlertSeconds: { type: 'integer' },
        dispositions: strings, smsTemplates: strings, ringTimeoutSeconds: { type: 'integer' }, recordCalls: { enum: ['off', 'always', 'on-demand'] },
        pauseBehavior: { enum: ['silence', 'skip'] }, recordingRetentionDays: { type: 'integer' },
        ringNoAnswerSeconds: { type: 'integer', minimum: 1, maximum: 600, description: 'Inbound calls: seconds a console rings before the call goes back to the queue and the agent is marked away (RONA).' },
        queueTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 86_400, description: 'Inbound calls: seconds unanswered before the caller is offered voicemail (0: never).' },
        inboundGreeting: { type: 'string', minLength: 1, maxLength: 500, description: 'Inbound calls: what the caller hears first (spoken by Twilio and jambonz; SIP plays the deployment’s SIP_SOUNDS_DIR greeting.wav).' },
        holdMusicUrl: nullable({ type: 'string', maxLength: 2010, description: 'Inbound calls: audio looped while the caller waits (https in production); null: the provider’s own. Twilio and jambonz; SIP plays SIP_SOUNDS_DIR hold-music.wav.' }),
        voicemailPrompt: { type: 'string', minLength: 1, maxLength: 500, description: 'Inbound calls: what a caller whose wait timed out hears before leaving a message (Twilio and jambonz; SIP plays SIP_SOUNDS_DIR voicemail-prompt.wav).' },
        queueTimeoutOffer: { enum: ['voicemail', 'callback', 'choice'], description: 'Inbound calls: what a caller whose wait timed out is offered: voicemail, a callback, or the choice (1: voicemail, 2: callback; no key or another: voicemail).' },
        callbackPrompt: { type: 'string', minLength: 1, maxLength: 500, description: 'Inbound calls: what a caller who asked for a callback hears before the call ends (Twilio and jambonz; SIP plays SIP_SOUNDS_DIR callback-confirm.wav).' },
        queueChoicePrompt: { type: 'string', minLength: 1, maxLength: 500, description: 'Inbound calls: the question asked when queueTimeoutOffer is choice (Twilio and jambonz; SIP plays SIP_SOUNDS_DIR queue-choice.wav).' },
      },
    },
    version: { type: 'integer', description: 'Bumped by every change; send it back in PATCH to refuse a change made on an older one (409).' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const EXAMPLE = {
  id: 'acme', name: 'Acme', defaultRegion: 'GB', smsProvider: 'twilio', voiceProvider: 'twilio', smsProviders: ['twilio', 'telnyx'], voiceProviders: [],
  numbers: [{ number: '+447700900100', provider: 'twilio' }],
  policies: {
    requireConsent: false, doNotCall: ['+447700900999'], maxComposeLength: 1600, maskSensitiveData: true, agentEndpoints: ['user:*'],
    inboundRouting: 'sticky', stickyDays: 7, unattendedAlertSeconds: 120, dispositions: ['resolved', 'callback'], smsTemplates: [],
    ringTimeoutSeconds: 30, recordCalls: 'off', pauseBehavior: 'silence', recordingRetentionDays: 0,
    ringNoAnswerSeconds: 20, queueTimeoutSeconds: 120, inboundGreeting: 'Thank you for calling Acme. Please hold.',
    holdMusicUrl: 'https://media.acme.example/hold.mp3', voicemailPrompt: 'Please leave a message after the tone.',
    queueTimeoutOffer: 'choice', callbackPrompt: 'Thank you. An agent will call you back shortly. Goodbye.',
    queueChoicePrompt: 'To leave a message, press 1. To be called back, press 2.',
  },
  version: 3, updatedAt: '2026-12-04T09:00:00.000Z',
};

export const TENANT_ADMIN_DOCS = {
  list: {
    summary: 'Tenants I administer',
    description: 'The caller’s own tenant (an admin manages their tenant only; new tenants come from the configuration’s seed).',
    response: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: TENANT_ADMIN_SCHEMA } } },
    responseExample: { items: [EXAMPLE] },
  },
  get: {
    summary: 'A tenant’s settings',
    description: 'Providers, numbers and policies as this instance applies them. Any tenant but the caller’s own answers 403.',
    response: TENANT_ADMIN_SCHEMA, responseExample: EXAMPLE,
  },
  patch: {
    summary: 'Change a tenant’s settings',
    description: 'Any subset of name, region, providers (which must be configured on the gateway, else 422) and policies; lists replace the stored list. '
      + 'Stored, announced as `tenant.updated` (to admins) and applied by every instance without a restart. With `version`, a change made on an older version is refused (409).',
    response: TENANT_ADMIN_SCHEMA, requestExample: { voiceProvider: 'twilio', policies: { requireConsent: true, doNotCall: ['+447700900999'], queueTimeoutSeconds: 120 }, version: 3 }, responseExample: { ...EXAMPLE, version: 4 },
  },
  putNumber: {
    summary: 'Add a number, or say which provider owns it',
    description: 'Inbound messages and calls to the number belong to the tenant from then on. A number of another tenant is refused (409). '
      + 'The provider that owns it decides which numbers a failover may use: a message or call handed to the tenant’s next provider is sent from a number that provider owns (README “Provider failover”).',
    response: TENANT_ADMIN_SCHEMA, requestExample: { provider: 'twilio' }, responseExample: EXAMPLE,
  },
  deleteNumber: {
    summary: 'Remove a number',
    description: 'The number is no longer the tenant’s (404 when it was not).',
  },
} satisfies Record<string, OperationDoc>;
