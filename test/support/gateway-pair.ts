import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '../../src/common/auth/jwt.service';
import { spawnGateway, type GatewayProcess } from './gateway-process';
import { createTestDatabase, type TestDatabase } from './postgres';

/** Two `node dist/main.js` processes on one fresh PostgreSQL database and one Redis, as behind a balancer. */
export interface GatewayPair {
  a: GatewayProcess;
  b: GatewayProcess;
  urlA: string;
  urlB: string;
  /** Signs tokens with the secret both instances share. */
  jwt: JwtService;
  close(): Promise<void>;
}

export async function startGatewayPair(env: Record<string, string> = {}): Promise<GatewayPair> {
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) throw new Error('TEST_REDIS_URL must be set with TEST_POSTGRES_URL (see .ci/run)');
  const db: TestDatabase = await createTestDatabase();
  const cwd = mkdtempSync(join(tmpdir(), 'gateway-pair-'));
  const secret = randomBytes(32).toString('hex');
  const all = { NODE_ENV: 'test', PORT: '0', DATABASE_URL: db.url, REDIS_URL: redisUrl, JWT_SECRET: secret, LOG_LEVEL: 'info', ...env };
  const a = spawnGateway(all, cwd);
  const urlA = await a.url();
  const b = spawnGateway(all, cwd);
  const urlB = await b.url();
  return {
    a, b, urlA, urlB, jwt: new JwtService(secret),
    async close() {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
