'use strict';
// The gateway, built by `npm run build`, on 127.0.0.1 port 0 with a fresh SQLite file and a random
// JWT secret. Sends { url, token, synchronous } to the parent (run.js, events.js, sms.js) and stops
// when the parent disconnects. Arguments are the token's roles (default: agent); answers 'memory'
// messages. BENCH_GATEWAY_CONFIG (JSON) is laid over the configuration (sms.js: tenants, Twilio,
// durability); the token is for agent `bench` of the first configured tenant, else `default`.
// BENCH_DATABASE_URL (postgres://...) replaces the SQLite file (the caller creates and drops that
// database), and BENCH_REDIS_URL sets redis.url; `synchronous` is then PostgreSQL's
// synchronous_commit ('on', ...) as read on the store's own connection.
require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { sql } = require('kysely');
const pino = require('pino');

const dist = join(__dirname, '..', '..', 'dist');
const { loadConfig } = require(join(dist, 'config', 'config.loader.js'));
const { startGateway } = require(join(dist, 'bootstrap.js'));
const { JwtService } = require(join(dist, 'common', 'auth', 'jwt.service.js'));
const { DATABASE } = require(join(dist, 'storage', 'storage.module.js'));
const answerMemoryRequests = require('./memory');
const roles = process.argv.length > 2 ? process.argv.slice(2) : ['agent'];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  // bench/media.js signs Twilio's callbacks for the gateway's calls, so it may choose the secret.
  const secret = process.env.BENCH_JWT_SECRET || randomBytes(32).toString('hex');
  const extra = JSON.parse(process.env.BENCH_GATEWAY_CONFIG || '{}');
  const postgresUrl = process.env.BENCH_DATABASE_URL;
  const redis = process.env.BENCH_REDIS_URL ? { redis: { url: process.env.BENCH_REDIS_URL } } : {};
  const config = loadConfig({
    env: { NODE_ENV: 'test' },
    overrides: {
      ...extra,
      ...redis,
      database: { ...extra.database, url: postgresUrl || `sqlite:${join(dir, 'bench.db')}` },
      auth: { jwtSecret: secret },
      log: { level: 'silent' },
    },
  });
  const { app, url } = await startGateway(config, pino({ level: 'silent' }));
  const tenantId = config.tenants && config.tenants.length > 0 ? config.tenants[0].id : 'default';
  const token = await new JwtService(secret).sign({ agentId: 'bench', tenantId, roles }, 3600);
  // The durability actually in effect: PostgreSQL's synchronous_commit, or SQLite's PRAGMA
  // synchronous (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA) — except that FULL runs as NORMAL plus the
  // gateway's own flush of the WAL after each commit (src/storage/sqlite-dialect.ts), so a
  // connection at 1 counts as FULL when the store says it flushes.
  const store = app.get(DATABASE);
  const { db } = store;
  const pragma = postgresUrl ? undefined : (await sql.raw('PRAGMA synchronous').execute(db)).rows[0]?.synchronous;
  const synchronous = postgresUrl
    ? (await sql.raw("SELECT current_setting('synchronous_commit') AS sync").execute(db)).rows[0].sync
    : store.synchronous === 'FULL' && pragma === 1 ? 2 : pragma;
  process.on('disconnect', () => {
    app.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  answerMemoryRequests();
  process.send({ url, token, synchronous, walFlushed: !postgresUrl && store.synchronous === 'FULL' });
}

main().catch((error) => {
  process.stderr.write(`bench gateway failed to start: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
