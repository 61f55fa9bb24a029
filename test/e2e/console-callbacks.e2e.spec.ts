import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * The console's Callbacks list in a real browser (Debian's chromium driven by playwright-core):
 * a caller whose wait timed out asks for a callback, it appears as the signed-in agent's, and
 * Dial calls the caller back from the agent's device in the caller's conversation.
 */
const describeWithChromium = describeIfEnv('CHROMIUM_PATH');
const RESULTS = join(__dirname, '..', '..', 'test-results');
const ACME_NUMBER = '+14155550100';

describeWithChromium('the agent console: callbacks', () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [{
        id: 'acme', name: 'Acme Insurance', numbers: [ACME_NUMBER], inboundRouting: 'queue', queueTimeoutSeconds: 1, queueTimeoutOffer: 'callback',
        agents: [{ id: 'alice', endpoint: 'user:alice' }],
      }],
      routing: { ringNoAnswerSweepMs: 100 },
    } as never);
    browser = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function signIn(page: Page, token: string, who: string): Promise<void> {
    await page.goto(gw.url);
    await page.fill('#token', token);
    await page.click('#signin');
    await page.locator('#whoami').getByText(who).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
  }

  it('lists the callback assigned to the agent; Dial calls the caller back in their conversation', async () => {
    const alice = await gw.token({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] });
    const sue = await gw.token({ agentId: 'sue', tenantId: 'acme', roles: ['supervisor'] });
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await signIn(page, alice, 'alice');
    await page.locator('#callbacks').getByText('No callbacks to make.').waitFor();

    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: sue, body: { from: '+14155552801', to: ACME_NUMBER } });
    expect(placed.status).toBe(202);
    const row = page.locator('#callbacks li[data-state="assigned"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('+14155552801');
    expect(await row.innerText()).toContain('yours');
    await page.screenshot({ path: join(RESULTS, 'console-callbacks.png'), fullPage: true });

    await row.locator('button.dial').click();
    await page.locator('#call-state').getByText('Connected').waitFor({ timeout: 10_000 });
    await page.locator('#callbacks').getByText('No callbacks to make.').waitFor();
    const tasks = (await gw.request('GET', '/v1/callbacks', { token: sue })).body.items;
    expect(tasks).toEqual([expect.objectContaining({ state: 'dialed', agentId: 'alice', conversationId: placed.body.conversationId })]);
    const call = await gw.request('GET', `/v1/calls/${tasks[0].dialedCallId}`, { token: sue });
    expect(call.body).toMatchObject({ direction: 'outbound', to: '+14155552801', agentEndpoint: 'user:alice', conversationId: placed.body.conversationId });
    expect(await page.locator('#error').isVisible()).toBe(false);
  });
});
