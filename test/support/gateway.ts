import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { startGateway } from '../../src/bootstrap';
import { JwtService } from '../../src/common/auth/jwt.service';
import type { Principal, Role } from '../../src/common/auth/principal';
import { loadConfig, type DeepPartial } from '../../src/config/config.loader';
import type { AppConfig } from '../../src/config/config.schema';

export interface TestGateway {
  url: string;
  app: NestFastifyApplication;
  config: AppConfig;
  /** A signed token for an agent of a tenant (default: agent `a1` of `default`). */
  token(principal?: Partial<Principal> & { roles?: Role[] }): Promise<string>;
  /** fetch with JSON in and out, and a bearer token unless `token: null`. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  token?: string | null;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/**
 * Boots the whole gateway on 127.0.0.1 port 0 with its own store: a fresh SQLite file unless a
 * DATABASE_URL is given in overrides. `nodeEnv: 'production'` lays config/production.yaml under
 * the overrides, as a production start-up would.
 */
export async function startTestGateway(overrides: DeepPartial<AppConfig> = {}, options: { nodeEnv?: 'test' | 'production' } = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const config = loadConfig({
    env: { NODE_ENV: options.nodeEnv ?? 'test' },
    overrides: {
      ...overrides,
      database: { url: `sqlite:${join(dir, 'gateway.db')}`, ...overrides.database },
      auth: { jwtSecret: randomBytes(32).toString('hex'), ...overrides.auth },
      // Recordings go to the test's own directory, never under the checkout's ./data.
      media: { recordingsDir: join(dir, 'recordings'), ...overrides.media },
    },
  });
  const logger = pino({ level: 'silent' });
  const { app, url } = await startGateway(config, logger);
  const jwt = new JwtService(config.auth.jwtSecret);
  const token = (p: Partial<Principal> = {}): Promise<string> =>
    jwt.sign({ agentId: p.agentId ?? 'a1', tenantId: p.tenantId ?? 'default', roles: p.roles ?? ['agent'], pii: p.pii ?? false }, 3600);
  let defaultToken: string | undefined;
  return {
    url,
    app,
    config,
    token,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const auth = options.token === undefined ? (defaultToken ??= await token()) : options.token;
      if (auth) headers.authorization = `Bearer ${auth}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = undefined;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
