import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { API_CONTENT_SECURITY_POLICY } from '../../src/common/http/security-headers';
import { describeIfEnv } from '../support/describe-if';
import { TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { RawConnection } from '../support/raw-http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves with `value` after `ms`, so that a test fails where it used to hang. */
const after = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms).unref());

describe('the HTTP edge: timeouts', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ http: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } }); });
  afterAll(() => gw.close());

  it('answers 408 to bodies that drip in, and keeps serving others meanwhile', async () => {
    const drippers = await Promise.all(Array.from({ length: 50 }, () => RawConnection.open(gw.url)));
    for (const d of drippers) {
      await d.write('POST /v1/conversations HTTP/1.1\r\nhost: gateway.test\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{');
    }
    let dripping = true;
    void (async () => {
      while (dripping) {
        for (const d of drippers) if (d.socket.writable) d.socket.write(' ');
        await sleep(100);
      }
    })();
    try {
      expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
      const outcomes = await Promise.all(drippers.map((d) => Promise.race([
        d.next().then((a) => a.status, () => 'disconnected'), after(10_000, 'still reading'),
      ])));
      expect(outcomes.filter((o) => o !== 408 && o !== 'disconnected')).toEqual([]);
      expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
    } finally {
      dripping = false;
      for (const d of drippers) d.close();
    }
  });

  it('answers 408 to headers that never end', async () => {
    const slow = await RawConnection.open(gw.url);
    await slow.write('GET /health/live HTTP/1.1\r\nhost: gateway.test\r\nx-slow: ');
    const outcome = await Promise.race([slow.next().then((a) => a.status, () => 'disconnected'), after(10_000, 'still reading')]);
    expect([408, 'disconnected']).toContain(outcome);
    slow.close();
  });
});

describe('the HTTP edge: the client address behind proxies', () => {
  const PUBLIC = 'https://gateway.example.com';
  const boot = (trustedProxies: string[]) => startTestGateway({
    http: { publicBaseUrl: PUBLIC, trustedProxies },
    rateLimits: { webhookPerSecond: 0.5, webhookBurst: 2 },
    providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: 'http://127.0.0.1:9' } },
  });
  /** Unsigned inbound-SMS webhooks, one per X-Forwarded-For value: the webhook rate limit is keyed by request.ip. */
  const statuses = async (gw: TestGateway, forwardedFor: string[]): Promise<number[]> => {
    const out = [];
    for (const xff of forwardedFor) {
      const res = await gw.request('POST', '/webhooks/twilio/sms', {
        token: null, rawBody: 'MessageSid=SM1&From=%2B14155552671&To=%2B14155550100&Body=hi',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': xff },
      });
      out.push(res.status);
    }
    return out;
  };

  it('ignores X-Forwarded-For when TRUSTED_PROXIES is empty (the default)', async () => {
    const gw = await boot([]);
    try {
      const answers = await statuses(gw, ['203.0.113.1', '203.0.113.2', '203.0.113.3']);
      expect(answers[2]).toBe(429);
    } finally {
      await gw.close();
    }
  });

  it('takes the client address from X-Forwarded-For when the connection comes from a listed proxy', async () => {
    const gw = await boot(['127.0.0.1', '::1']);
    try {
      expect(await statuses(gw, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).not.toContain(429);
      expect((await statuses(gw, ['198.51.100.7', '198.51.100.7', '198.51.100.7']))[2]).toBe(429);
    } finally {
      await gw.close();
    }
  });
});

describe('the HTTP edge: security headers', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway(); });
  afterAll(() => gw.close());

  const hashes = (html: string, tag: 'script' | 'style') =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);

  it.each([
    ['the console', '/', null],
    ['the API docs', '/docs', null],
    ['the OpenAPI document', '/openapi.json', null],
    ['the AsyncAPI document', '/asyncapi.json', null],
    ['an API route', '/v1/conversations', 'token'],
    ['an unauthenticated API call', '/v1/conversations', null],
    ['a route that does not exist', '/v1/no-such-thing', 'token'],
    ['the health check', '/health/live', null],
  ])('sends them on %s (%s)', async (_name, path, auth) => {
    const res = await gw.request('GET', path, auth ? {} : { token: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    if (!res.headers.get('content-type')?.startsWith('text/html')) {
      expect(res.headers.get('content-security-policy')).toBe(API_CONTENT_SECURITY_POLICY);
    }
  });

  it.each(['/', '/docs'])('lets %s run its own inline scripts and styles, and nothing from elsewhere', async (path) => {
    const res = await gw.request('GET', path, { token: null });
    const policy = res.headers.get('content-security-policy')!;
    expect(policy).toMatch(/^default-src 'none'; /);
    expect(policy).not.toContain('unsafe-inline');
    const scripts = hashes(res.text, 'script');
    expect(scripts.length).toBeGreaterThan(0);
    for (const hash of scripts) expect(policy).toContain(hash);
    for (const hash of hashes(res.text, 'style')) expect(policy).toContain(hash);
  });

  it('lets the console, and only it, play media from blob: URLs it made (recordings fetched with the token)', async () => {
    const consolePolicy = (await gw.request('GET', '/', { token: null })).headers.get('content-security-policy')!;
    expect(consolePolicy).toContain("media-src 'self' blob:");
    expect(consolePolicy).not.toMatch(/(img|script|connect|style)-src[^;]*blob:/);
    expect((await gw.request('GET', '/docs', { token: null })).headers.get('content-security-policy')).not.toContain('media-src');
  });
});

const describeWithChromium = describeIfEnv('CHROMIUM_PATH');

describeWithChromium('the HTTP edge: pages under their policy in a browser', () => {
  it.each([
    // The inline script has built the list of operations.
    ['/docs', '#ops h2', null],
    // The inline script has run (it gives /segments.js its `exports`).
    ['/', 'body', "typeof window.exports === 'object'"],
  ])('%s renders with no policy violation', async (path, selector, ran: string | null) => {
    if (!existsSync(process.env.CHROMIUM_PATH!)) throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
    const gw = await startTestGateway();
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      page.on('pageerror', (e) => violations.push(e.message));
      await page.goto(gw.url + path);
      await page.locator(selector).first().waitFor({ timeout: 10_000 });
      if (ran) expect(await page.evaluate(ran)).toBe(true);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await gw.close();
    }
  }, 60_000);
});
