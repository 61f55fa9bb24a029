import { randomUUID } from 'node:crypto';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeJambonz, JAMBONZ_ACCOUNT, JAMBONZ_KEY } from '../support/fake-jambonz';
import { FakeMediaHost } from '../support/fake-media-host';
import { FakeTwilio, hex, TWILIO_SID } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';
const CUSTOMER = '+14155552671';
const JPEG = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes', 'latin1');

/** Issue 11, findings 9, 10 and 13: the attachment proxy and outbound media URLs. */
describe('MMS media over Twilio: the attachment proxy and outbound media URLs', () => {
  const twilio = new FakeTwilio();
  /** Twilio's CDN stand-in: only `/signed/` on it is configured as a redirect target. */
  const cdn = new FakeMediaHost();
  /** A host nobody configured. */
  const elsewhere = new FakeMediaHost();
  let gw: TestGateway;
  let acme: string;

  beforeAll(async () => {
    await Promise.all([twilio.start(), cdn.start(), elsewhere.start()]);
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: 'fake-twilio-auth-token-0123456789', apiBaseUrl: twilio.url, mediaCdnPrefixes: [`${cdn.url}/signed/`] } },
    });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice' });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([twilio.stop(), cdn.stop(), elsewhere.stop()]);
  });

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000);

  /** A signed inbound MMS with one item; returns the attachment's href. */
  const receive = async (mediaUrl: string, contentType: string): Promise<string> => {
    const sid = `MM${hex()}`;
    const before = (await log()).length;
    const res = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', {
      MessageSid: sid, SmsSid: sid, AccountSid: TWILIO_SID, From: CUSTOMER, To: ACME_NUMBER, Body: '', NumMedia: '1',
      MediaUrl0: mediaUrl, MediaContentType0: contentType, ApiVersion: '2010-04-01',
    });
    expect(res.status).toBe(200);
    const received = (await log()).slice(before).find((e) => e.type === 'sms.received')!;
    return (received.data.attachments as Array<{ href: string }>)[0]!.href;
  };
  const download = (href: string) => fetch(gw.url + href, { headers: { authorization: `Bearer ${acme}` } });

  it('follows Twilio\'s redirect to its CDN, sending the credentials to the API host only', async () => {
    const signed = cdn.put(`/signed/${hex()}?Expires=1&Signature=abc`, 'image/jpeg', JPEG);
    const mediaUrl = twilio.addMediaRedirect(signed);
    const res = await download(await receive(mediaUrl, 'image/jpeg'));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
    const mediaPath = new URL(mediaUrl).pathname;
    const apiHits = twilio.requests.filter((r) => r.path === mediaPath);
    expect(apiHits.length).toBeGreaterThan(0);
    expect(apiHits.every((r) => r.authorized)).toBe(true);
    const cdnHits = cdn.requests.filter((r) => signed.endsWith(r.path));
    expect(cdnHits.length).toBeGreaterThan(0);
    expect(cdnHits.map((r) => r.authorization)).toEqual(cdnHits.map(() => undefined));
  });

  it.each<[string, () => { location: string; never: () => boolean }]>([
    ['the gateway\'s own /metrics', () => ({ location: `${gw.url}/metrics`, never: () => false })],
    ['a host nobody configured', () => {
      const path = `/x/${hex()}.jpg`;
      elsewhere.put(path, 'image/jpeg', JPEG);
      return { location: elsewhere.url + path, never: () => elsewhere.requests.some((r) => r.path === path) };
    }],
    ['the CDN host outside its configured prefix', () => {
      const path = `/other/${hex()}.jpg`;
      cdn.put(path, 'image/jpeg', JPEG);
      return { location: cdn.url + path, never: () => cdn.requests.some((r) => r.path === path) };
    }],
    ['the CDN, which redirects on to a host nobody configured', () => {
      const path = `/y/${hex()}.jpg`;
      elsewhere.put(path, 'image/jpeg', JPEG);
      return { location: cdn.redirect(`/signed/${hex()}`, elsewhere.url + path), never: () => elsewhere.requests.some((r) => r.path === path) };
    }],
    ['a path on the API host that is not media (Messages.json)', () => ({
      location: `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`,
      never: () => twilio.requests.some((r) => r.method === 'GET' && r.path.endsWith('/Messages.json')),
    })],
    ['more than three redirects', () => {
      const last = `/signed/${hex()}`;
      cdn.put(last, 'image/jpeg', JPEG);
      const third = cdn.redirect(`/signed/${hex()}`, cdn.url + last);
      const second = cdn.redirect(`/signed/${hex()}`, third);
      return { location: cdn.redirect(`/signed/${hex()}`, second), never: () => cdn.requests.some((r) => r.path === last) };
    }],
  ])('does not follow a redirect to %s (502)', async (_name, target) => {
    const { location, never } = target();
    const res = await download(await receive(twilio.addMediaRedirect(location), 'image/jpeg'));
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.text()).not.toMatch(/process_|# HELP/);
    expect(never()).toBe(false);
  });

  it.each<[string, () => string]>([
    ['Messages.json on the API host', () => `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`],
    ['the media list of a message', () => `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Messages/MM${hex()}/Media`],
    ['a media path of another account', () => `${twilio.url}/2010-04-01/Accounts/AC${'1'.repeat(32)}/Messages/MM${hex()}/Media/ME${hex()}`],
    ['the gateway\'s own /metrics', () => `${gw.url}/metrics`],
  ])('never fetches %s named as a media URL (404)', async (_name, url) => {
    const mediaUrl = url();
    const path = new URL(mediaUrl).pathname;
    const res = await download(await receive(mediaUrl, 'image/jpeg'));
    expect(res.status).toBe(404);
    expect(twilio.requests.some((r) => r.path === path)).toBe(false);
  });

  it('serves a picture inline with nosniff, a sandboxing CSP and a disposition', async () => {
    const res = await download(await receive(twilio.addMedia('image/jpeg', JPEG), 'image/jpeg'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="[A-Za-z0-9_-]+"$/);
  });

  it.each([
    ['text/html', '<script>alert(document.cookie)</script>'],
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
  ])('serves %s as a download of application/octet-stream', async (type, content) => {
    const res = await download(await receive(twilio.addMedia(type, Buffer.from(content)), type));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await res.text()).toBe(content);
  });

  it('answers a stored content type with a line break without a 500 and without the injected header', async () => {
    const res = await download(await receive(twilio.addMedia('image/png', JPEG), 'image/png\r\nX-Injected: yes'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-injected')).toBeNull();
  });

  describe('outbound mediaUrls', () => {
    let conversationId: string;
    beforeAll(async () => {
      conversationId = (await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552690' } } })).body.id;
    });
    const send = (mediaUrls: unknown[]) => gw.request('POST', `/v1/conversations/${conversationId}/messages`, { token: acme, body: { body: 'see attached', mediaUrls } });

    it.each([
      ['http', 'http://cdn.example.com/a.jpg'],
      ['a user and password', 'https://user:pass@cdn.example.com/a.jpg'],
      ['loopback', 'https://127.0.0.1/a.jpg'],
      ['loopback as a decimal number', 'https://2130706433/a.jpg'],
      ['loopback in hex', 'https://0x7f.0.0.1/a.jpg'],
      ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/'],
      ['10/8', 'https://10.0.0.5/a.jpg'],
      ['172.16/12', 'https://172.16.0.1/a.jpg'],
      ['192.168/16', 'https://192.168.0.10/a.jpg'],
      ['carrier-grade NAT', 'https://100.64.0.1/a.jpg'],
      ['IPv4 multicast', 'https://239.0.0.1/a.jpg'],
      ['IPv6 loopback', 'https://[::1]/a.jpg'],
      ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/a.jpg'],
      ['IPv6 unique-local', 'https://[fd00::1]/a.jpg'],
      ['IPv6 link-local', 'https://[fe80::1]/a.jpg'],
      ['IPv6 multicast', 'https://[ff02::1]/a.jpg'],
      ['localhost', 'https://localhost/a.jpg'],
      ['a .internal name', 'https://metadata.google.internal/a.jpg'],
      ['a .local name', 'https://nas.local/a.jpg'],
      ['a single-label name', 'https://intranet/a.jpg'],
    ])('refuses %s with 400 naming mediaUrls.1, and sends nothing', async (_name, bad) => {
      const before = twilio.messages.length;
      const res = await send(['https://cdn.example.com/ok.jpg', bad]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'mediaUrls.1', message: expect.any(String) }]);
      expect(twilio.messages.length).toBe(before);
    });

    it('refuses a non-string item naming mediaUrls', async () => {
      const res = await send([42]);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('mediaUrls');
    });

    it('passes public https URLs on to Twilio', async () => {
      const urls = ['https://cdn.example.com/a.jpg', 'https://[2606:4700:4700::1111]/b.png'];
      const res = await send(urls);
      expect(res.status).toBe(202);
      expect(twilio.messages.at(-1)!.params.getAll('MediaUrl')).toEqual(urls);
    });
  });
});

/** Finding 9 for jambonz: it serves no media, so only configured carrier prefixes, never its key. */
describe('MMS media over jambonz', () => {
  const jambonz = new FakeJambonz();
  const carrier = new FakeMediaHost();
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    await Promise.all([jambonz.start(), carrier.start()]);
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', smsProvider: 'jambonz' }],
      providers: { jambonz: { ...jambonz.providers().jambonz, mediaPrefixes: [`${carrier.url}/mms/`] } },
    });
    token = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([jambonz.stop(), carrier.stop()]);
  });

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000);
  const receive = async (media: unknown[], text = ''): Promise<{ status: number; hrefs: string[] }> => {
    const before = (await log()).length;
    const res = await jambonz.post(gw.url, '/webhooks/jambonz/sms', {
      carrier: 'peerless', messageSid: randomUUID(), accountSid: JAMBONZ_ACCOUNT, applicationSid: randomUUID(), from: CUSTOMER, to: ACME_NUMBER, cc: [], text, media,
    });
    if (res.status !== 200) return { status: res.status, hrefs: [] };
    const received = (await log()).slice(before).find((e) => e.type === 'sms.received')!;
    expect(received.data.body).toBe(text);
    return { status: res.status, hrefs: (received.data.attachments as Array<{ href: string }>).map((a) => a.href) };
  };

  it('takes a picture-only MMS (text "") with an empty body and its media', async () => {
    const url = carrier.put(`/mms/${hex()}.jpg`, 'image/jpeg', JPEG);
    const { status, hrefs } = await receive([{ url, content_type: 'image/jpeg' }]);
    expect(status).toBe(200);
    expect(hrefs).toHaveLength(1);
    const res = await fetch(gw.url + hrefs[0], { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(JPEG);
    // The carrier's media host never sees the jambonz API key, nor any other credential.
    const hits = carrier.requests.filter((r) => url.endsWith(r.path));
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.map((r) => r.authorization)).toEqual(hits.map(() => undefined));
    expect(JSON.stringify(carrier.requests)).not.toContain(JAMBONZ_KEY);
  });

  it('still refuses a message with neither text nor media (400 naming text)', async () => {
    const res = await jambonz.post(gw.url, '/webhooks/jambonz/sms', {
      carrier: 'peerless', messageSid: randomUUID(), accountSid: JAMBONZ_ACCOUNT, applicationSid: randomUUID(), from: CUSTOMER, to: ACME_NUMBER, cc: [], text: '',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].field).toBe('text');
  });

  it.each<[string, () => string]>([
    ['a path on the jambonz API host', () => `${jambonz.url}/v1/Accounts/${JAMBONZ_ACCOUNT}/Messages`],
    ['the carrier host outside its configured prefix', () => carrier.put(`/admin/${hex()}.jpg`, 'image/jpeg', JPEG)],
  ])('never fetches %s (404)', async (_name, url) => {
    const mediaUrl = url();
    const { hrefs } = await receive([{ url: mediaUrl, content_type: 'image/jpeg' }], 'look');
    const res = await fetch(gw.url + hrefs[0], { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(carrier.requests.some((r) => r.path === new URL(mediaUrl).pathname)).toBe(false);
  });
});
