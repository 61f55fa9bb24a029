import { renameSync } from 'node:fs';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { proxyInFront, type TcpProxy } from '../support/tcp-proxy';

describe('health and metrics', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ metrics: { token: 'scrape-secret' } }); });
  afterAll(() => gw.close());

  it('is live and ready without a token', async () => {
    expect((await gw.request('GET', '/health/live', { token: null })).body).toEqual({ status: 'ok' });
    const ready = await gw.request('GET', '/health/ready', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', ready: true, checks: { store: { status: 'up' }, events: { status: 'up' } } });
  });

  it('serves Prometheus metrics only with the configured token', async () => {
    await gw.request('GET', '/v1/conversations');
    expect((await gw.request('GET', '/metrics', { token: null })).status).toBe(401);
    expect((await gw.request('GET', '/metrics', { token: 'wrong' })).status).toBe(401);
    const res = await gw.request('GET', '/metrics', { token: 'scrape-secret' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/gateway_http_requests_total\{method="GET",route="\/v1\/conversations",status="200"\} \d+/);
    expect(res.text).toContain('gateway_http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('turns not ready while the Redis event bus is unreachable, and still serves the API', async () => {
    const own = await startTestGateway({ redis: { url: 'redis://127.0.0.1:1' } });
    try {
      const res = await own.request('GET', '/health/ready', { token: null });
      expect(res.status).toBe(503);
      expect(res.body.checks).toMatchObject({ store: { status: 'up' }, events: { status: 'down' } });
      const made = await own.request('POST', '/v1/conversations', { body: { contact: { name: 'Still served' } } });
      expect(made.status).toBe(201);
    } finally {
      await own.close();
    }
  });

  it('turns not ready when the SQLite file is taken away', async () => {
    const own = await startTestGateway();
    try {
      const file = own.config.database.url.slice('sqlite:'.length);
      renameSync(file, `${file}.moved`);
      const res = await own.request('GET', '/health/ready', { token: null });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unavailable', ready: false, checks: { store: { status: 'down' } } });
      expect(res.body.checks.store.error).toMatch(/gone or was replaced/);
      renameSync(`${file}.moved`, file);
      expect((await own.request('GET', '/health/ready', { token: null })).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describeWithPostgres('readiness on PostgreSQL', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let gw: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    const line = await proxyInFront(db.url, 5432);
    proxy = line.proxy;
    gw = await startTestGateway({ database: { url: line.url }, health: { readyTimeoutMs: 500 } });
  });
  afterAll(async () => {
    await gw.close();
    await db.drop();
  });

  it('answers 503 naming the store when PostgreSQL becomes unreachable, and 503 (not 500) to API calls', async () => {
    expect((await gw.request('GET', '/health/ready', { token: null })).status).toBe(200);
    await proxy.stop();
    const res = await gw.request('GET', '/health/ready', { token: null });
    expect(res.status).toBe(503);
    expect(res.body.checks.store.status).toBe('down');
    expect((await gw.request('GET', '/health/live', { token: null })).status).toBe(200);
    const api = await gw.request('POST', '/v1/conversations', { body: { contact: { name: 'Lost' } } });
    expect([api.status, api.headers.get('retry-after'), api.body.detail]).toEqual([503, '1', 'the store is unavailable; retry shortly']);
  });
});
