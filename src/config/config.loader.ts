import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import type { AnyProviderDescriptor } from '../providers/provider-descriptor';
import { PROVIDERS } from '../providers/providers';
import { AppConfig } from './config.schema';

/** Environment variables and the setting each one overrides (contract §9). */
export const ENV_SETTINGS: Readonly<Record<string, string>> = {
  NODE_ENV: 'env',
  HOST: 'http.host',
  PORT: 'http.port',
  PUBLIC_BASE_URL: 'http.publicBaseUrl',
  TRUSTED_PROXIES: 'http.trustedProxies',
  HTTP_HEADERS_TIMEOUT_MS: 'http.headersTimeoutMs',
  HTTP_REQUEST_TIMEOUT_MS: 'http.requestTimeoutMs',
  HTTP_CONNECTION_TIMEOUT_MS: 'http.connectionTimeoutMs',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 'http.keepAliveTimeoutMs',
  DATABASE_URL: 'database.url',
  SQLITE_SYNCHRONOUS: 'database.sqliteSynchronous',
  REDIS_URL: 'redis.url',
  JWT_SECRET: 'auth.jwtSecret',
  CREDENTIALS_KEY: 'auth.credentialsKey',
  LOG_LEVEL: 'log.level',
  METRICS_TOKEN: 'metrics.token',
  METRICS_PUBLIC: 'metrics.public',
  SHUTDOWN_GRACE_MS: 'shutdown.graceMs',
  DEFAULT_REGION: 'defaults.region',
  DEFAULT_AGENT_ENDPOINTS: 'defaults.agentEndpoints',
  SIMULATOR_ALL_TENANTS: 'simulator.allTenants',
  SIMULATOR_MEDIA_MAX_BYTES: 'simulator.mediaMaxBytes',
  ROUTING_UNATTENDED_SWEEP_MS: 'routing.unattendedSweepMs',
  RECORDINGS_DIR: 'media.recordingsDir',
  RECORDING_RETENTION_SWEEP_MS: 'media.retentionSweepMs',
  AUDIO_STREAM_TARGETS: 'media.streamTargets',
  ROUTING_RING_NO_ANSWER_SWEEP_MS: 'routing.ringNoAnswerSweepMs',
  ROUTING_CALLBACK_OFFLINE_GRACE_MS: 'routing.callbackOfflineGraceMs',
  EVENTS_HEARTBEAT_MS: 'events.heartbeatMs',
  EVENTS_POLL_MS: 'events.pollMs',
  EVENTS_MAX_SOCKETS_PER_TOKEN: 'events.maxSocketsPerToken',
  EVENTS_MAX_TOPICS_PER_SOCKET: 'events.maxTopicsPerSocket',
  EVENTS_MAX_TOPICS_PER_FRAME: 'events.maxTopicsPerFrame',
  EVENTS_FRAMES_PER_SECOND: 'events.framesPerSecond',
  EVENTS_FRAME_BURST: 'events.frameBurst',
  RATE_LIMIT_API_PER_SECOND: 'rateLimits.apiPerSecond',
  RATE_LIMIT_WEBHOOK_PER_SECOND: 'rateLimits.webhookPerSecond',
  // Each provider's own variables, as its descriptor declares them.
  ...Object.assign({}, ...PROVIDERS.map((provider: AnyProviderDescriptor) => provider.config?.env ?? {})),
};

/** Settings whose values are never echoed in an error message. */
const SECRET_SETTINGS = new Set([
  'auth.jwtSecret', 'auth.credentialsKey', 'metrics.token',
  ...PROVIDERS.flatMap((provider: AnyProviderDescriptor) => provider.config?.secrets ?? []),
]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Folder holding default.yaml and <env>.yaml. */
  configDir?: string;
  /** The environment to read overrides from (the process environment in main.ts). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values laid over everything else, as nested objects (tests use this). */
  overrides?: DeepPartial<AppConfig>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

type Tree = Record<string, unknown>;

/**
 * Loads default.yaml, then <NODE_ENV>.yaml, then the operator's CONFIG_FILE (tenants, numbers,
 * policies: the file docker/compose.yaml mounts), then environment variables, then overrides;
 * validates.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const configDir = options.configDir ?? join(__dirname, '..', '..', 'config');
  const env = options.env ?? {};
  const tree = readYaml(join(configDir, 'default.yaml'), true);
  const envName = env.NODE_ENV ?? (options.overrides?.env as string | undefined) ?? 'development';
  merge(tree, readYaml(join(configDir, `${envName}.yaml`), false));
  if (env.CONFIG_FILE) merge(tree, readYaml(env.CONFIG_FILE, true));
  for (const [name, path] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value !== undefined) setPath(tree, path, value);
  }
  if (options.overrides) merge(tree, options.overrides as Tree);
  return validateConfig(tree);
}

export function validateConfig(tree: Tree): AppConfig {
  const config = plainToInstance(AppConfig, tree, { enableImplicitConversion: false });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors[0]!, '', tree));
  checkTenants(config);
  return config;
}

/**
 * What no single setting can say wrong: a tenant id used twice, or a number claimed twice (the
 * store gives each number one owner, and inbound traffic to it must go to one tenant).
 */
function checkTenants(config: AppConfig): void {
  const tenantOf = new Map<string, string>();
  const ids = new Set<string>();
  for (const [i, tenant] of (config.tenants ?? []).entries()) {
    if (ids.has(tenant.id)) throw new ConfigError(`Invalid configuration: tenants.${i}.id "${tenant.id}" is used by two tenants`);
    ids.add(tenant.id);
    for (const number of tenant.numbers ?? []) {
      const owner = tenantOf.get(number);
      if (owner === tenant.id) {
        throw new ConfigError(`Invalid configuration: tenants.${i}.numbers lists ${number} twice (tenant "${tenant.id}")`);
      }
      if (owner !== undefined) {
        throw new ConfigError(`Invalid configuration: tenants.${i}.numbers: ${number} is listed by tenant "${owner}" and by tenant "${tenant.id}"; a number belongs to one tenant`);
      }
      tenantOf.set(number, tenant.id);
    }
    for (const [number, provider] of Object.entries(tenant.numberProviders ?? {})) {
      if (!(tenant.numbers ?? []).includes(number)) {
        throw new ConfigError(`Invalid configuration: tenants.${i}.numberProviders: ${number} is not one of the tenant's numbers`);
      }
      if (typeof provider !== 'string' || !PROVIDERS.some((p) => p.name === provider)) {
        throw new ConfigError(`Invalid configuration: tenants.${i}.numberProviders.${number} must be one of ${PROVIDERS.map((p) => p.name).join(', ')}`);
      }
    }
  }
}

function describe(error: ValidationError, prefix: string, tree: Tree): string {
  const path = prefix ? `${prefix}.${error.property}` : error.property;
  if (error.children && error.children.length > 0 && !error.constraints) {
    return describe(error.children[0]!, path, tree);
  }
  const envName = Object.keys(ENV_SETTINGS).find((k) => ENV_SETTINGS[k] === path);
  const setting = envName ? `${envName} (${path})` : path;
  // A type check ("must be an integer") says more than a range check on the same bad value.
  const constraints = Object.entries(error.constraints ?? {}).sort(([a], [b]) => Number(!a.startsWith('is')) - Number(!b.startsWith('is')));
  const raw = constraints[0]?.[1] ?? 'is invalid';
  const message = raw.startsWith(`${error.property} `) ? raw.slice(error.property.length + 1) : raw;
  const value = SECRET_SETTINGS.has(path) ? '' : `, got ${JSON.stringify(getPath(tree, path))}`;
  return `Invalid configuration: ${setting} ${message}${value}`;
}

function readYaml(file: string, required: boolean): Tree {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`Invalid configuration: ${file} is missing`);
    return {};
  }
  const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Invalid configuration: ${file} must hold a mapping`);
  }
  return parsed as Tree;
}

function merge(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isTree(value) && isTree(current)) merge(current, value);
    else target[key] = value;
  }
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function getPath(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const key of path.split('.')) node = isTree(node) ? node[key] : undefined;
  return node;
}
