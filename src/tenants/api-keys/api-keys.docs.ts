/* eslint-disable @typescript-eslint/no-explicit-any */
import type { OperationDoc } from '../../openapi/operation-docs';

type Json = Record<string, any>;

const ROLE: Json = { enum: ['agent', 'supervisor', 'admin'] };

export const API_KEY_SCHEMA: Json = {
  type: 'object',
  required: ['id', 'name', 'roles', 'agentId', 'createdBy', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string', description: 'The key’s id (the part after `gk_`); DELETE takes it.' },
    name: { type: 'string' },
    roles: { type: 'array', items: ROLE },
    agentId: { anyOf: [{ type: 'string', description: 'The agent the key acts as.' }, { type: 'null' }] },
    createdBy: { type: 'string', description: 'The admin who created it.' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { anyOf: [{ type: 'string', format: 'date-time', description: 'Written at most once a minute per instance.' }, { type: 'null' }] },
  },
};

const EXAMPLE = {
  id: '3f9c2a7b10d4e865', name: 'CRM sync', roles: ['supervisor'], agentId: null, createdBy: 'ada',
  createdAt: '2026-12-04T09:00:00.000Z', lastUsedAt: null,
};

export const API_KEY_DOCS = {
  create: {
    summary: 'Create an API key',
    description: 'A key for a machine client of the caller’s tenant, used as `Authorization: Bearer <key>` (or `?access_token=` on the sockets) '
      + 'wherever a JWT is. The whole key is in this answer only: the gateway keeps its SHA-256 and can never show it again. '
      + 'Its roles may not exceed the caller’s (422); a key with the `agent` role names the agent it acts as (`agentId`), '
      + 'a key without one acts as `apikey:<id>`. Announced as `tenant.updated`.',
    response: { ...API_KEY_SCHEMA, required: [...API_KEY_SCHEMA.required, 'key'], properties: { ...API_KEY_SCHEMA.properties, key: { type: 'string', description: '`gk_<id>_<secret>`: shown once.' } } },
    requestExample: { name: 'CRM sync', roles: ['supervisor'] },
    responseExample: { ...EXAMPLE, key: 'gk_3f9c2a7b10d4e865_q0Vd5m1xZr9bYc2T8kLwP4sNfH6jA3uE7gRiOtKvMyB' },
  },
  list: {
    summary: 'The tenant’s API keys',
    description: 'Every live key of the caller’s tenant, oldest first, without secrets.',
    response: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: API_KEY_SCHEMA } } },
    responseExample: { items: [EXAMPLE] },
  },
  revoke: {
    summary: 'Revoke an API key',
    description: 'Every instance refuses the key (401) from the moment this answers: each request with a key reads it from the store. 404 for a key the tenant does not have.',
  },
} satisfies Record<string, OperationDoc>;
