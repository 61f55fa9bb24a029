import { EventLogRepository } from '../../src/events/event-log.repository';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { startTestGateway, type TestGateway } from '../support/gateway';

const ACME_NUMBER = '+14155550100';
/** A real 1×1 PNG, and bytes that start like a JPEG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(100 * 1024, 7)]);

/** Issue 12: the simulator plays a customer sending pictures, opened like a provider's. */
describe('simulated MMS: pictures the simulator keeps, opened through the attachment proxy', () => {
  let gw: TestGateway;
  let trainer: string;
  let agent: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', smsProvider: 'simulator' },
        { id: 'other', numbers: ['+14155550200'], defaultRegion: 'US', smsProvider: 'simulator' },
      ],
    });
    trainer = await gw.token({ tenantId: 'acme', agentId: 'trainer', roles: ['supervisor'] });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice', roles: ['agent'] });
  });
  afterAll(() => gw.close());

  const log = (tenant = 'acme') => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter(tenant, 0, 100_000);
  const simulate = (body: Record<string, unknown>, token = trainer) => gw.request('POST', '/v1/simulator/inbound-sms', { token, body });
  const download = (href: string, token = agent) => fetch(gw.url + href, { headers: { authorization: `Bearer ${token}` } });

  it('turns base64 and data: URL pictures into attachments an agent opens with the safe headers', async () => {
    // Over 100 KiB of JPEG: more than http.bodyLimitBytes (64 KiB), which this route alone exceeds.
    const res = await simulate({
      from: '+14155552671', to: ACME_NUMBER, body: 'here is the damage',
      media: [{ contentType: 'image/png', data: PNG.toString('base64') }, { data: `data:image/jpeg;base64,${JPEG.toString('base64')}` }],
    });
    expect(res.status).toBe(202);

    const received = (await log()).find((e) => e.type === 'sms.received' && e.interactionId === res.body.interactionId)!;
    expect(received.data).toMatchObject({ body: 'here is the damage', mediaCount: 2 });
    const attachments = received.data.attachments as Array<{ id: string; contentType: string; href: string }>;
    expect(attachments.map((a) => a.contentType)).toEqual(['image/png', 'image/jpeg']);

    const message = await gw.request('GET', `/v1/messages/${res.body.interactionId}`, { token: agent });
    expect(message.status).toBe(200);
    expect(message.body.attachments).toEqual(attachments.map((a, i) => ({ ...a, size: [PNG, JPEG][i]!.length })));

    for (const [i, bytes] of [PNG, JPEG].entries()) {
      const file = await download(attachments[i]!.href);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
      expect(Object.fromEntries(['content-type', 'content-length', 'x-content-type-options', 'content-security-policy', 'content-disposition'].map((h) => [h, file.headers.get(h)]))).toEqual({
        'content-type': attachments[i]!.contentType,
        'content-length': String(bytes.length),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'content-disposition': `inline; filename="${attachments[i]!.id}"`,
      });
    }
    // Another tenant's agent does not reach it.
    const outsider = await gw.token({ tenantId: 'other', agentId: 'bob', roles: ['agent'] });
    expect((await download(attachments[0]!.href, outsider)).status).toBe(404);
  });

  it('keeps the 64 KiB body limit on every other route', async () => {
    const big = await gw.request('POST', '/v1/conversations', { token: trainer, body: { contact: { name: 'x'.repeat(100 * 1024) } } });
    expect(big.status).toBe(413);
  });

  it('still takes a text without pictures (mediaCount 0)', async () => {
    const res = await simulate({ from: '+14155552672', to: ACME_NUMBER, body: 'just text' });
    expect(res.status).toBe(202);
    const received = (await log()).find((e) => e.type === 'sms.received' && e.interactionId === res.body.interactionId)!;
    expect(received.data).toMatchObject({ mediaCount: 0, attachments: [] });
  });

  const png = PNG.toString('base64');
  it.each<[string, string, unknown]>([
    ['an SVG (it can script)', 'media.1.contentType', [{ contentType: 'image/png', data: png }, { contentType: 'image/svg+xml', data: png }]],
    ['HTML in a data: URL', 'media.0.contentType', [{ data: `data:text/html;base64,${png}` }]],
    ['no type', 'media.0.contentType', [{ data: png }]],
    ['data that is not base64', 'media.0.data', [{ contentType: 'image/png', data: '<script>alert(1)</script>' }]],
    ['a data: URL that is not base64', 'media.0.data', [{ data: 'data:image/png,abc' }]],
    ['a picture over simulator.mediaMaxBytes (1 MiB)', 'media.0.data', [{ contentType: 'image/jpeg', data: Buffer.alloc(1024 * 1024 + 1).toString('base64') }]],
    ['a type contradicting its data: URL', 'media.0.contentType', [{ contentType: 'image/gif', data: `data:image/png;base64,${png}` }]],
    ['a picture without data', 'media.0.data', [{ contentType: 'image/png' }]],
    ['a picture that is a string', 'media.0', ['data:image/png;base64,' + png]],
    ['six pictures', 'media', Array.from({ length: 6 }, () => ({ contentType: 'image/png', data: png }))],
    ['null (media may be left out, not nulled)', 'media', null],
    ['an unknown field in a picture', 'media.0.url', [{ contentType: 'image/png', data: png, url: 'https://x.example/a.png' }]],
  ])('refuses %s with a 400 naming %s, and stores nothing', async (_name, field, media) => {
    const before = (await log()).length;
    const res = await simulate({ from: '+14155552673', to: ACME_NUMBER, body: 'bad picture', media });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await log()).length).toBe(before);
    const stored = await gw.app.get<DatabaseHandle>(DATABASE).db.selectFrom('simulatorMedia').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(2);
  });

  it('refuses another tenant\'s number before storing a picture', async () => {
    const res = await simulate({ from: '+14155552674', to: '+14155550200', body: 'wrong tenant', media: [{ contentType: 'image/png', data: png }] });
    expect(res.status).toBe(404);
    const stored = await gw.app.get<DatabaseHandle>(DATABASE).db.selectFrom('simulatorMedia').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(2);
  });
});
