import type { INestApplicationContext } from '@nestjs/common';
import {
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { IS_PUBLIC } from '../common/auth/auth.decorators';
import { ROLES } from '../common/auth/principal';
import { declaredRoles } from '../common/auth/roles.decorator';
import { isIdempotent } from '../idempotency/idempotent';
import { EVENT_TYPES } from '../events/domain/event-catalogue';
import type { AnyProviderDescriptor } from '../providers/provider-descriptor';
import { PROVIDERS } from '../providers/providers';
import { allowNullWhereAccepted, withoutNull } from './nullability';
import { API_DOC, HIDDEN_FROM_DOCS } from './api-doc.decorator';
import { OPERATION_DOCS, type OperationDoc } from './operation-docs';
import { RESPONSE_SCHEMAS } from './response-schemas';
import { VOICE_OPERATION_DOCS, VOICE_RESPONSE_SCHEMAS } from './operation-docs.voice';

// class-transformer keeps its @Type() metadata here; the package ships no typings for this subpath.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/*
 * Builds the gateway's OpenAPI 3.1 document from what Nest and class-validator already know at run
 * time: every controller's routes (path, method, status code), which of them are public, the roles
 * each of the others needs (@Roles(), as `x-roles` and in the description), and the
 * JSON schema of every @Body()/@Query() DTO. Nothing here is hand-maintained per route, except the
 * WebSocket endpoint (not an HTTP route of Nest) and the request media type of the provider
 * webhooks (the code cannot tell what a provider posts).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;
type Ctor = abstract new (...args: any[]) => unknown;

export interface OpenApiInfo {
  title?: string;
  version?: string;
  description?: string;
  /** The socket's heartbeat interval (`events.heartbeatMs`), stated in the WebSocket's description. */
  heartbeatMs?: number;
}

/** One HTTP operation as read from Nest's metadata, before it becomes OpenAPI. */
export interface DiscoveredRoute {
  controller: Ctor;
  handlerName: string;
  handler: (...args: unknown[]) => unknown;
  method: string;
  path: string;
}

const PROBLEM_MEDIA = 'application/problem+json';
const SCHEMA_PREFIX = '#/components/schemas/';

/** What providers post to their webhook controllers (contract §1), as their descriptors say; every other body is JSON. */
const REQUEST_MEDIA_BY_CONTROLLER = new Map<unknown, string>((PROVIDERS as readonly AnyProviderDescriptor[]).flatMap(({ webhooks }) =>
  webhooks?.requestMediaType ? webhooks.controllers.map((controller) => [controller, webhooks.requestMediaType!] as [unknown, string]) : []));

/** Nest's `:id` path segments become OpenAPI's `{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)\??/g, '{$1}');
}

function joinPath(...parts: Array<string | undefined>): string {
  const joined = parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return '/' + joined;
}

function asArray(value: unknown): string[] {
  if (value === undefined || value === null) return [''];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Every (controller, handler, method, path) registered in the application. */
export function discoverRoutes(source: INestApplicationContext | ModulesContainer): DiscoveredRoute[] {
  const modules = source instanceof ModulesContainer ? source : source.get(ModulesContainer, { strict: false });
  const scanner = new MetadataScanner();
  const seen = new Set<Ctor>();
  const routes: DiscoveredRoute[] = [];
  for (const moduleRef of modules.values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as Ctor | undefined;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prefixes = asArray(Reflect.getMetadata(PATH_METADATA, controller));
      for (const handlerName of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[handlerName];
        if (typeof handler !== 'function') continue;
        const routePaths = Reflect.getMetadata(PATH_METADATA, handler);
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (routePaths === undefined || requestMethod === undefined) continue;
        const methods = requestMethod === RequestMethod.ALL ? ['get', 'post', 'put', 'patch', 'delete'] : [RequestMethod[requestMethod].toLowerCase()];
        for (const prefix of prefixes) {
          for (const routePath of asArray(routePaths)) {
            for (const method of methods) {
              routes.push({ controller, handlerName, handler: handler as DiscoveredRoute['handler'], method, path: joinPath(prefix, routePath) });
            }
          }
        }
      }
    }
  }
  return routes;
}

interface RouteArg {
  type: RouteParamtypes | undefined;
  index: number;
  data: unknown;
  paramType: unknown;
}

/** The handler's parameters as Nest's decorators described them, with their design-time classes. */
function routeArgs(route: DiscoveredRoute): RouteArg[] {
  const meta = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handlerName) ?? {}) as Record<string, { index: number; data: unknown }>;
  const paramTypes = (Reflect.getMetadata('design:paramtypes', route.controller.prototype, route.handlerName) ?? []) as unknown[];
  return Object.entries(meta).map(([key, value]) => {
    // Built-in decorators use `${type}:${index}`; custom ones `${type}__customRouteArgs__:${index}`.
    const head = key.split(':')[0] ?? '';
    const type = /^\d+$/.test(head) ? (Number(head) as RouteParamtypes) : undefined;
    return { type, index: value.index, data: value.data, paramType: paramTypes[value.index] };
  });
}

function isDtoClass(value: unknown): value is Ctor {
  return typeof value === 'function' && ![Object, String, Number, Boolean, Array, Promise, Function].includes(value as never);
}

function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function tagOf(controller: Ctor): string {
  return humanize(controller.name.replace(/Controller$/, ''));
}

function scalarSchema(paramType: unknown): Json {
  if (paramType === Number) return { type: 'number' };
  if (paramType === Boolean) return { type: 'boolean' };
  return { type: 'string' };
}

function problemResponse(description: string, status = 400): Json {
  const example = { type: 'about:blank', title: PROBLEM_TITLES[status] ?? 'Bad Request', status, detail: description };
  return { description, content: { [PROBLEM_MEDIA]: { schema: { $ref: `${SCHEMA_PREFIX}Problem` }, example } } };
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity',
};

/** The `$ref` names a schema uses, directly. */
function refsIn(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, into));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_PREFIX)) into.add(v.slice(SCHEMA_PREFIX.length));
      else refsIn(v, into);
    }
  }
  return into;
}

const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem document.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** `GET /v1/events`: a WebSocket upgrade, documented by hand (contract §7). */
function eventsOperation(heartbeatMs: number | undefined): Json {
  return {
    tags: ['Events'],
    operationId: 'events_subscribe',
    summary: 'Event stream over WebSocket',
    description: [
      'Plain RFC 6455 WebSocket (`Upgrade: websocket`) carrying JSON text frames. The token goes in the',
      '`Authorization` header or in `?access_token=` (browsers cannot set headers); it is checked before the',
      'upgrade completes (401 otherwise).',
      '',
      'Client → server frames:',
      '- `{ "op": "subscribe", "topics": ["conversation:<id>", "agent:<id>", "tenant"], "since": "<cursor>"? }`',
      '- `{ "op": "unsubscribe", "topics": [...] }`',
      '- `{ "op": "ping" }`',
      '',
      'Server → client frames:',
      '- `{ "op": "event", "cursor": "<opaque>", "topic": "...", "event": { "id", "type", "conversationId", "interactionId"?, "at", "data" } }`',
      '- `{ "op": "subscribed", "topics": [...] }`',
      '- `{ "op": "error", "status", "detail" }`',
      '- `{ "op": "pong" }`',
      `- \`{ "op": "heartbeat", "cursor": "<opaque>" }\` ${heartbeatMs ? `every ${heartbeatMs / 1000} s` : 'every `EVENTS_HEARTBEAT_MS`'} (\`EVENTS_HEARTBEAT_MS\`, 15 s by default), with a WebSocket ping; a peer that leaves a ping unanswered for an interval is closed.`,
      '',
      `Event types (each with its payload schema in /asyncapi.json): ${EVENT_TYPES.map((type) => `\`${type}\``).join(', ')}.`,
      '',
      '`since` replays every event after that cursor from the durable log, then continues live (no gap, no',
      'duplicate, order kept per conversation). Topics are authorised: own tenant only; `tenant` and',
      '`agent:<other>` need the `supervisor` or `admin` role; a token with none of the roles gets every topic refused (403 frame).',
      '',
      `Roles: ${ROLES.join(', ')}.`,
    ].join('\n'),
    'x-roles': [...ROLES],
    security: [{ bearer: [] }, { accessToken: [] }],
    parameters: [
      { name: 'Upgrade', in: 'header', required: true, schema: { type: 'string', const: 'websocket' } },
      { name: 'access_token', in: 'query', required: false, description: 'The JWT, when the client cannot set headers.', schema: { type: 'string' } },
    ],
    responses: {
      '101': { description: 'Switching Protocols: the WebSocket is open and JSON frames flow as described.' },
      '401': problemResponse('Missing, expired or forged token.', 401),
    },
  };
}

/** The whole document for a running (or initialised) Nest application, or its ModulesContainer. */
export function buildOpenApiDocument(app: INestApplicationContext | ModulesContainer, info: OpenApiInfo = {}): Json {
  const allSchemas = validationMetadatasToSchemas({
    refPointerPrefix: SCHEMA_PREFIX,
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, Json>;
  allowNullWhereAccepted(allSchemas);
  Object.assign(allSchemas, RESPONSE_SCHEMAS, VOICE_RESPONSE_SCHEMAS);
  const used = new Set<string>();
  const paths: Record<string, Record<string, Json>> = {};
  const operationIds = new Set<string>();
  const tags = new Set<string>();

  for (const route of discoverRoutes(app)) {
    if (Reflect.getMetadata(HIDDEN_FROM_DOCS, route.handler) === true || Reflect.getMetadata(HIDDEN_FROM_DOCS, route.controller) === true) continue;
    const path = toOpenApiPath(route.path);
    const doc = (Reflect.getMetadata(API_DOC, route.handler) as OperationDoc | undefined) 
      ?? OPERATION_DOCS[`${route.method} ${path}`] ?? VOICE_OPERATION_DOCS[`${route.method} ${path}`];
    const tag = tagOf(route.controller);
    tags.add(tag);
    const args = routeArgs(route);
    const isPublic = Reflect.getMetadata(IS_PUBLIC, route.handler) === true || Reflect.getMetadata(IS_PUBLIC, route.controller) === true;
    // What JwtAuthGuard enforces: none declared means no token may call the route.
    const roles = isPublic ? undefined : [...(declaredRoles(route.handler, route.controller) ?? [])];

    const parameters: Json[] = [];
    const pathParams = new Set<string>();
    let requestBody: Json | undefined;
    let hasInput = false;
    let rawResponse = false;
    for (const arg of args.sort((a, b) => a.index - b.index)) {
      switch (arg.type) {
        case RouteParamtypes.PARAM:
          if (typeof arg.data === 'string') {
            pathParams.add(arg.data);
            parameters.push({ name: arg.data, in: 'path', required: true, schema: scalarSchema(arg.paramType) });
          }
          break;
        case RouteParamtypes.QUERY:
          if (typeof arg.data === 'string') {
            parameters.push({ name: arg.data, in: 'query', required: false, schema: scalarSchema(arg.paramType) });
          } else if (isDtoClass(arg.paramType) && allSchemas[arg.paramType.name]) {
            hasInput = true;
            const schema = allSchemas[arg.paramType.name]!;
            const required = new Set<string>(schema.required ?? []);
            for (const [name, prop] of Object.entries<Json>(schema.properties ?? {})) {
              parameters.push({ name, in: 'query', required: required.has(name), schema: withoutNull(prop) });
              refsIn(prop, used);
            }
          }
          break;
        case RouteParamtypes.HEADERS:
          if (typeof arg.data === 'string' && arg.data.toLowerCase() !== 'authorization') {
            parameters.push({ name: arg.data, in: 'header', required: false, schema: { type: 'string' } });
          }
          break;
        case RouteParamtypes.BODY: {
          hasInput = true;
          const media = REQUEST_MEDIA_BY_CONTROLLER.get(route.controller) ?? 'application/json';
          let schema: Json;
          if (isDtoClass(arg.paramType) && allSchemas[arg.paramType.name]) {
            schema = { $ref: SCHEMA_PREFIX + arg.paramType.name };
            used.add(arg.paramType.name);
          } else {
            schema = { type: 'object', additionalProperties: true };
          }
          requestBody = { required: true, content: { [media]: { schema } } };
          break;
        }
        case RouteParamtypes.RESPONSE: {
          const options = arg.data as { passthrough?: boolean } | undefined;
          if (!options?.passthrough) rawResponse = true;
          break;
        }
        default:
          break;
      }
    }
    // Every templated segment must be declared, even when the handler does not read it.
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      if (name && !pathParams.has(name)) {
        pathParams.add(name);
        parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
      }
    }
    const idempotent = isIdempotent(route.handler);
    if (idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Keys belong to the caller (tenant and token subject): the same caller with the same key and body within 24 h gets the first response; with another body a 422. Another caller’s use of the key is independent.',
        schema: { type: 'string', maxLength: 200 },
      });
    }

    const explicitCode = Reflect.getMetadata(HTTP_CODE_METADATA, route.handler) as number | undefined;
    const status = explicitCode ?? (route.method === 'post' ? 201 : 200);
    const headers = (Reflect.getMetadata(HEADERS_METADATA, route.handler) ?? []) as Array<{ name: string; value: string }>;
    const declaredType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
    const success: Json = { description: status === 204 ? 'No Content' : status === 202 ? 'Accepted' : status === 201 ? 'Created' : 'OK' };
    if (status !== 204 && doc?.response) {
      success.content = { [declaredType ?? doc.responseMedia ?? 'application/json']: { schema: doc.response, example: doc.responseExample } };
      refsIn(doc.response, used);
    } else if (status !== 204 && !rawResponse) {
      success.content = { [declaredType ?? 'application/json']: { schema: declaredType?.includes('xml') ? { type: 'string' } : {} } };
    }
    const responses: Json = { [String(status)]: success };
    if (hasInput) responses['400'] = problemResponse('Invalid input; `errors` names each field.', 400);
    if (!isPublic) responses['401'] = problemResponse('Missing, expired or forged bearer token.', 401);
    if (roles) {
      responses['403'] = problemResponse(roles.length > 0 ? `The token has none of the roles ${roles.join(', ')}.` : 'No role may call this operation.', 403);
    }
    if (route.path.startsWith('/webhooks/')) responses['403'] = problemResponse('Missing or wrong provider signature.', 403);
    if (pathParams.size > 0) responses['404'] = problemResponse('No such resource in the caller’s tenant.', 404);
    if (idempotent) responses['422'] = problemResponse('Idempotency-Key reused with another body.', 422);
    responses['4XX'] = problemResponse('Any other client error, as a problem document.');

    let operationId = `${tag.replace(/\s+/g, '_').toLowerCase()}_${route.handlerName}`;
    for (let n = 2; operationIds.has(operationId); n++) operationId = `${operationId}_${n}`;
    operationIds.add(operationId);

    const operation: Json = {
      tags: [tag],
      operationId,
      summary: doc?.summary ?? humanize(route.handlerName),
      security: isPublic ? [] : [{ bearer: [] }],
      responses,
    };
    const rolesLine = roles && (roles.length > 0 ? `Roles: ${roles.join(', ')} (the token needs one of them).` : 'Roles: none declared, so every token is refused (403).');
    const description = [doc?.description, rolesLine].filter(Boolean).join('\n\n');
    if (description) operation.description = description;
    if (roles) operation['x-roles'] = roles;
    if (parameters.length > 0) operation.parameters = parameters;
    if (requestBody && doc?.requestExample !== undefined) {
      for (const media of Object.values<Json>(requestBody.content)) media.example = doc.requestExample;
    }
    if (requestBody) operation.requestBody = requestBody;
    (paths[path] ??= {})[route.method] = operation;
  }

  (paths['/v1/events'] ??= {}).get = eventsOperation(info.heartbeatMs);
  tags.add('Events');

  // Only the schemas the operations reach, transitively.
  const schemas: Record<string, Json> = { Problem: PROBLEM_SCHEMA };
  const queue = [...used];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (schemas[name] || !allSchemas[name]) continue;
    schemas[name] = allSchemas[name]!;
    for (const ref of refsIn(allSchemas[name], new Set())) queue.push(ref);
  }

  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Contact gateway API',
      version: info.version ?? '1',
      description: info.description ?? 'Generated at run time from the gateway’s controllers and DTOs.',
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths: sortedPaths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT, or a tenant API key (`gk_…`, POST /v1/admin/api-keys) wherever a JWT is accepted.' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'The JWT or API key, where the client cannot set headers (the sockets).' },
      },
    },
  };
}
