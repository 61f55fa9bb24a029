import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { JwtService } from '../../src/common/auth/jwt.service';
import { EVENT_CATALOGUE } from '../../src/events/domain/event-catalogue';
import { describeIfEnv } from '../support/describe-if';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process';

/**
 * The agent console in a real browser (Debian's chromium driven by playwright-core) against the
 * built gateway on the simulator: sign in, start a conversation, click the customer's number,
 * see the call answered while the chat stays active, send an SMS, hang up, wrap up.
 * CI installs chromium and sets CHROMIUM_PATH (see .ci/run); without it the suite says why it did not run.
 */
const CHROMIUM = process.env.CHROMIUM_PATH;
const describeWithChromium = describeIfEnv('CHROMIUM_PATH');
const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'console.png');

describeWithChromium('the agent console', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM!)) throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist`);
    dir = mkdtempSync(join(tmpdir(), 'gateway-console-'));
    const secret = randomBytes(32).toString('hex');
    gateway = spawnGateway({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', JWT_SECRET: secret, DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}` }, dir);
    url = await gateway.url();
    token = await new JwtService(secret).sign({ agentId: 'alice', tenantId: 'default', roles: ['agent'] }, 3600);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const feedHas = (type: string) => page.locator('#feed').getByText(type).first().waitFor({ timeout: 10_000 });

  it('takes an agent from chat to call to SMS to wrap-up', async () => {
    await page.goto(url);
    await page.fill('#token', token);
    await page.click('#signin');
    await page.locator('#whoami').getByText('alice').waitFor();

    await page.fill('#new-session', 'browser-chat-1');
    await page.fill('#new-phone', '+14155552671');
    await page.click('#create');
    await page.locator('#conversation-status').getByText('active').waitFor();
    await page.locator('#conversations [data-id]').first().waitFor();

    await page.click('#contact-phone');
    await feedHas('call.answered');
    // Each feed item says what happened, in the words of the event catalogue the page read from /asyncapi.json.
    await page.locator(`#feed li[data-type="call.answered"][title^="${EVENT_CATALOGUE['call.answered'].summary}"]`).first().waitFor({ timeout: 10_000 });
    await page.locator('#call-state').getByText('answered').waitFor();
    // The chat goes on beside the call.
    await page.locator('#interactions [data-channel="chat"][data-state="active"]').waitFor();
    await page.locator('#interactions [data-channel="voice"][data-state="answered"]').waitFor();

    await page.click('#mute');
    await feedHas('call.muted');
    await page.click('#dtmf [data-digit="5"]');

    await page.fill('#sms-body', 'Your claim 4711 is open. We call you back within 2 hours.');
    await page.locator('#sms-counter').getByText('1 segment').waitFor();
    await page.fill('#sms-body', 'x'.repeat(161));
    await page.locator('#sms-counter').getByText('2 segments').waitFor();
    await page.fill('#sms-body', 'Summary: claim 4711 opened, tow truck on its way.');
    await page.click('#sms-send');
    await feedHas('sms.delivered');

    await page.click('#hangup');
    await feedHas('call.ended');
    await page.fill('#disposition', 'claim-opened');
    await page.click('#wrapup');
    await page.locator('#conversation-status').getByText('closed').waitFor({ timeout: 10_000 });

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '').toBe('');
  }, 60_000);

  it('shows the open conversation and its earlier events again after a reload', async () => {
    await page.goto(url);
    await page.fill('#token', token);
    await page.click('#signin');
    await page.locator('#whoami').getByText('alice').waitFor();
    await page.fill('#new-session', 'browser-chat-reload');
    await page.fill('#new-phone', '+14155552672');
    await page.click('#create');
    await page.locator('#conversation-status').getByText('active').waitFor();
    await page.click('#contact-phone');
    await feedHas('call.answered');
    await page.click('#mute');
    await feedHas('call.muted');
    const before = await page.locator('#feed li').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')));

    await page.reload();
    await page.locator('#whoami').getByText('alice').waitFor();
    await page.locator('#conversation').waitFor({ state: 'visible', timeout: 10_000 });
    await feedHas('call.muted');
    const after = await page.locator('#feed li').evaluateAll((items) => items.map((i) => i.getAttribute('data-type')));
    // The same history, in the same order, each event once.
    expect(after).toEqual(before);
    expect(after).toEqual(expect.arrayContaining(['conversation.created', 'chat.linked', 'call.answered', 'call.muted']));
    await page.locator('#call-state').getByText('answered').waitFor();
    await page.click('#hangup');
    await feedHas('call.ended');
    expect(await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '').toBe('');
  }, 60_000);
});
