import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { JwtService } from '../../src/common/auth/jwt.service';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * The agent console in a real browser (Debian's chromium driven by playwright-core) against the
 * gateway on the simulator, with two tenants: `acme` (queue routing, a 1,000-character compose
 * limit, wrap-up reasons and an SMS template) and `masked` (personal data masked for agents).
 * CI installs chromium and sets CHROMIUM_PATH (see .ci/run); without it the suite says why it did
 * not run. Screenshots of the main screens go to test-results/ (linked from the README).
 */
const describeWithChromium = describeIfEnv('CHROMIUM_PATH');
const RESULTS = join(__dirname, '..', '..', 'test-results');
const ACME_NUMBER = '+14155550100';
const MASKED_NUMBER = '+14155550200';
const TEMPLATE = 'Hi <name>, your claim <claim> is open.';
/** A 1×1 PNG, as a customer's picture. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describeWithChromium('the agent console', () => {
  let gw: TestGateway;
  let browser: Browser;
  let alice: string;
  let supervisor: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', name: 'Acme Insurance', numbers: [ACME_NUMBER], inboundRouting: 'queue', maxComposeLength: 1000, dispositions: ['Resolved', 'Callback requested'], smsTemplates: [TEMPLATE] },
        { id: 'masked', name: 'Masked Ltd', numbers: [MASKED_NUMBER], maskSensitiveData: true, requireConsent: true },
      ],
    } as never);
    alice = await gw.token({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] });
    supervisor = await gw.token({ agentId: 'sue', tenantId: 'acme', roles: ['supervisor'] });
    browser = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  /** A fresh browser profile (its own sessionStorage), like another agent's machine. */
  async function newPage(width = 1366, height = 768): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, token: string, who: string): Promise<void> {
    await page.goto(gw.url);
    await page.fill('#token', token);
    await page.click('#signin');
    await page.locator('#whoami').getByText(who).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
  }

  const noError = async (page: Page) => expect(await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '').toBe('');
  const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(RESULTS, name), fullPage });
  const customerTexts = (from: string, body: string, media?: Array<{ contentType: string; data: string }>) =>
    gw.request('POST', '/v1/simulator/inbound-sms', { token: supervisor, body: { from, to: ACME_NUMBER, body, ...(media ? { media } : {}) } }).then((res) => { expect(res.status).toBe(202); return res.body as { conversationId: string }; });
  const transcriptTypes = (page: Page) => page.locator('#transcript > li').evaluateAll((items) => items.map((i) => `${i.getAttribute('data-type')}:${i.getAttribute('data-id') ?? ''}`));

  it('renders the API reference: operations with their examples, and the socket with every event type', async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${gw.url}/docs`);
    const create = page.locator('details', { has: page.locator('summary', { hasText: 'Open a conversation' }) }).first();
    await create.locator('summary').first().click();
    await create.getByText('Request (application/json) example:').waitFor();
    await create.getByText('Response 201 (application/json) example:').waitFor();
    await page.locator('#events details[data-message="sms.received"]').waitFor();
    await page.locator('#events details[data-message="heartbeat"]').waitFor();
    expect(await page.locator('#ops').innerText()).not.toContain('/{file}');
    await shot(page, 'docs.png', false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('remembers the token per tab and shows a plain signed-out state for a bad or expired token, without retrying the socket', async () => {
    const page = await newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(gw.url);
    await page.locator('#signin-view').waitFor();
    await expect(page.locator('#app').isVisible()).resolves.toBe(false);

    await page.fill('#token', 'not-a-token');
    await page.click('#signin');
    await page.locator('#signin-message').getByText('not an access token').waitFor();

    const forged = await new JwtService('another-secret-of-at-least-32-characters!!').sign({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] }, 3600);
    await page.fill('#token', forged);
    await page.click('#signin');
    await page.locator('#signin-message').getByText('refused your token').waitFor();
    expect(sockets).toEqual([]);
    await shot(page, 'console-signed-out.png');

    // A token that expires while the agent works: the gateway closes the socket (4001), the tab signs out.
    const shortLived = await new JwtService(gw.config.auth.jwtSecret).sign({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] }, 2);
    await page.fill('#token', shortLived);
    await page.click('#signin');
    await page.locator('#whoami').getByText('alice').waitFor();
    await page.locator('#signin-message').getByText('session expired').waitFor({ timeout: 15_000 });
    const socketsAtSignOut = sockets.length;
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length as number)).toBe(0);
    // Longer than any reconnect delay of the console: a retry loop would have opened another socket by now.
    await page.waitForTimeout(3000);
    expect(sockets.length).toBe(socketsAtSignOut);

    await signIn(page, alice, 'alice');
    await page.reload();
    await page.locator('#whoami').getByText('alice').waitFor();
    await expect(page.locator('#signin-view').isVisible()).resolves.toBe(false);
    // Another tab of the same browser starts signed out: the token is kept per tab.
    const otherTab = await page.context().newPage();
    await otherTab.goto(gw.url);
    await otherTab.locator('#signin-view').waitFor();
    await page.click('#signout');
    await page.locator('#signin-view').waitFor();
    await noError(page);
  }, 60_000);

  it('takes an agent from chat to call to SMS to wrap-up, through the transcript, contact panel and call controls', async () => {
    const page = await newPage();
    await signIn(page, alice, 'alice');

    await page.click('#new-card summary');
    await page.fill('#new-session', 'browser-chat-1');
    await page.fill('#new-phone', '+14155552671');
    await page.fill('#new-name', 'Melissa Jones');
    await page.fill('#new-context', '{"gps":[51.50142,-0.14189],"vehicle":"AB12 CDE"}');
    await page.click('#create');
    await page.locator('#conversation-status').getByText('active').waitFor();
    await page.locator('#mine [data-id]').first().waitFor();
    // The contact panel: name, number, the app's GPS position with a map link, the other context keys.
    await page.locator('#contact-name').getByText('Melissa Jones').waitFor();
    await page.locator('#gps-coordinates').getByText('51.50142, -0.14189').waitFor();
    expect(await page.locator('#context a').getAttribute('href')).toContain('mlat=51.50142');
    await page.locator('#context dd').getByText('AB12 CDE').waitFor();
    await page.locator('#transcript [data-type="chat_linked"]').waitFor();

    // An empty composer says what may be typed, not "0 characters"; the tenant's limit applies.
    await page.locator('#sms-counter').getByText('Up to 1,000 characters').waitFor();
    expect(await page.locator('#sms-counter').innerText()).not.toMatch(/\b0 characters|segment/);
    expect(await page.locator('#sms-body').getAttribute('maxlength')).toBe('1000');
    expect(await page.locator('#sms-send').isDisabled()).toBe(true);

    await page.click('#contact-phone');
    await page.locator('#transcript [data-type="call"][data-state="answered"]').waitFor({ timeout: 10_000 });
    await page.locator('#call-state').getByText('Connected').waitFor();
    // A live call card counts up from the answer.
    await page.locator('#transcript [data-type="call"] .timer.live').waitFor();
    expect(await page.locator('#call-timer').getAttribute('data-since')).toBeTruthy();

    await page.click('#mute');
    await page.locator('#mute-state').waitFor();
    expect(await page.locator('#mute').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#transcript [data-kind="muted"]').waitFor();
    await page.click('#unmute');
    await page.locator('#mute-state').waitFor({ state: 'hidden' });

    await page.click('#dtmf [data-digit="5"]');
    await page.locator('#dtmf-feedback').getByText('Sent 5 ✓').waitFor();
    await page.click('#dtmf [data-digit="#"]');
    await page.locator('#dtmf-feedback').getByText('Sent 5# ✓').waitFor();
    await page.locator('#transcript [data-kind="dtmf_sent"]').first().waitFor();

    await page.click('#hold');
    await page.locator('#call-state').getByText('On hold').waitFor();
    await page.click('#resume');
    await page.locator('#call-state').getByText('Connected').waitFor();

    await page.fill('#sms-body', 'x'.repeat(161));
    await page.locator('#sms-counter').getByText('161 / 1,000 characters · 2 segments · GSM-7').waitFor();
    await page.fill('#sms-body', 'Thanks, we are on it 👍');
    await page.locator('#sms-counter').getByText('UCS-2').waitFor();
    await page.click('#sms-send');
    await page.locator('#transcript .bubble.out[data-state="delivered"]').getByText('we are on it 👍').waitFor({ timeout: 10_000 });
    await page.locator('#transcript .bubble.out .delivery').getByText('Delivered').first().waitFor();
    // The emoji is drawn by a colour emoji font, not as a box.
    // Drawn in the bubble's own font: a colour glyph has saturated yellow pixels, a missing one ("tofu") none.
    const yellowPixels = await page.evaluate<number>(`(() => {
      const bubble = document.querySelector('#transcript .bubble.out .body');
      const canvas = document.createElement('canvas');
      canvas.width = 64; canvas.height = 64;
      const g = canvas.getContext('2d');
      g.font = '40px ' + getComputedStyle(bubble).fontFamily;
      g.textBaseline = 'top';
      g.fillStyle = '#000';
      g.fillText('👍', 4, 4);
      const data = g.getImageData(0, 0, 64, 64).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && data[i] > 200 && data[i + 1] > 140 && data[i + 2] < 100) n++;
      return n;
    })()`);
    expect(yellowPixels).toBeGreaterThan(20);

    // A template: its <param> fields are filled in a small form, the preview and counter follow.
    await page.selectOption('#sms-template', { index: 1 });
    await page.locator('#template-params input[data-param="name"]').fill('Melissa');
    await page.locator('#sms-counter').getByText('fill in claim').waitFor();
    expect(await page.locator('#sms-send').isDisabled()).toBe(true);
    await page.locator('#template-params input[data-param="claim"]').fill('4711');
    expect(await page.locator('#sms-body').inputValue()).toBe('Hi Melissa, your claim 4711 is open.');
    await page.click('#sms-send');
    await page.locator('#transcript .bubble.out').getByText('Hi Melissa, your claim 4711 is open.').waitFor({ timeout: 10_000 });
    await shot(page, 'console-conversation.png');

    await page.click('#hangup');
    await page.locator('#transcript [data-type="call"][data-state="ended"] .duration').getByText('Duration').waitFor({ timeout: 10_000 });
    await page.locator('#call-state').getByText('Ended').waitFor();

    // Wrap-up offers the tenant's reasons as a choice; nothing looks chosen until the agent chooses.
    expect(await page.locator('#disposition option').allInnerTexts()).toEqual(['Choose a reason…', 'Resolved', 'Callback requested']);
    expect(await page.locator('#disposition').inputValue()).toBe('');
    expect(await page.locator('#wrapup').isDisabled()).toBe(true);
    await page.selectOption('#disposition', 'Resolved');
    await page.fill('#notes', 'Tow truck sent.');
    await page.click('#wrapup');
    await page.locator('#conversation-status').getByText('closed').waitFor({ timeout: 10_000 });
    await page.locator('#transcript [data-type="wrapped_up"]').getByText('Wrapped up: Resolved').waitFor();
    await page.locator('#transcript [data-type="wrapped_up"]').getByText('Tow truck sent.').waitFor();
    await shot(page, 'console-wrapped-up.png');
    await noError(page);
  }, 90_000);

  it('shows the same transcript after a reload and resumes live events from its cursor', async () => {
    const page = await newPage();
    await signIn(page, alice, 'alice');
    await page.click('#new-card summary');
    await page.fill('#new-session', 'browser-chat-reload');
    await page.fill('#new-phone', '+14155552672');
    await page.click('#create');
    await page.locator('#conversation-status').getByText('active').waitFor();
    await page.click('#contact-phone');
    await page.locator('#transcript [data-type="call"][data-state="answered"]').waitFor({ timeout: 10_000 });
    await page.click('#mute');
    await page.locator('#transcript [data-kind="muted"]').waitFor();
    await customerTexts('+14155552672', 'I can hear you');
    await page.locator('#transcript .bubble.in').getByText('I can hear you').waitFor();
    const before = await transcriptTypes(page);
    expect(before.map((t) => t.split(':')[0])).toEqual(['chat_linked', 'call', 'message']);

    await page.reload();
    await page.locator('#conversation').waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('#transcript .bubble.in').getByText('I can hear you').waitFor();
    expect(await transcriptTypes(page)).toEqual(before);
    await page.locator('#call-state').getByText('Connected').waitFor();
    await page.locator('#mute-state').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('contact-gateway.cursor') as string | null)).toMatch(/^\d+$/);
    await page.locator('#connection[data-state="live"]').waitFor();

    // Live again: the customer's next text and the hang-up arrive without another reload.
    await customerTexts('+14155552672', 'Still there?');
    await page.locator('#transcript .bubble.in').getByText('Still there?').waitFor({ timeout: 10_000 });
    await page.click('#hangup');
    await page.locator('#transcript [data-type="call"][data-state="ended"]').waitFor({ timeout: 10_000 });
    // The chat ends too: the conversation waits in wrap-up, and the wrap-up timer runs.
    const id = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('contact-gateway.conversation') as string);
    expect((await gw.request('POST', `/v1/conversations/${id}/chat/end`, { token: alice })).status).toBe(200);
    await page.locator('#conversation-status').getByText('wrap-up').waitFor({ timeout: 10_000 });
    await page.locator('#wrapup-timer[data-since]').waitFor();
    await noError(page);
  }, 60_000);

  it('announces a returning customer’s text with a notice, an unread count and a title badge, and lets an agent claim it', async () => {
    // The customer's earlier conversation, closed.
    const first = await gw.request('POST', '/v1/conversations', { token: supervisor, body: { contact: { phone: '+14155552673', name: 'Returning Rita' } } });
    expect((await gw.request('POST', `/v1/conversations/${first.body.id}/wrap-up`, { token: supervisor, body: { disposition: 'Resolved' } })).status).toBe(200);

    const page = await newPage();
    await signIn(page, alice, 'alice');
    expect(await page.title()).toBe('Agent console');
    const { conversationId } = await customerTexts('+14155552673', 'Hi again, the car still will not start', [{ contentType: 'image/png', data: PNG }]);

    const item = page.locator(`#queue li[data-id="${conversationId}"]`);
    await item.locator('.unread').getByText('1').waitFor({ timeout: 10_000 });
    await page.locator('#notices .notice').getByText('New message from +14155552673').waitFor();
    expect(await page.title()).toBe('(1) Agent console');
    await shot(page, 'console-inbox-notice.png');

    await item.locator('button.claim').click();
    await page.locator(`#mine li[data-id="${conversationId}"]`).waitFor();
    await page.locator('#conversation-agent').getByText('Assigned to you').waitFor();
    await page.locator('#transcript .bubble.in').getByText('the car still will not start').waitFor();
    await page.locator('#transcript [data-type="assigned"]').getByText('Assigned to alice').waitFor();
    // The picture she sent, inline (fetched with the token), enlarged on click.
    const thumb = page.locator('#transcript .bubble.in .thumb img[src^="data:image/png"]');
    await thumb.waitFor();
    await page.click('#transcript .bubble.in .thumb');
    await page.locator('#lightbox[open] img[src^="data:image/png"]').waitFor();
    await page.click('#lightbox-close');
    await page.locator('#lightbox').waitFor({ state: 'hidden' });
    expect(await page.title()).toBe('Agent console');
    expect(await page.locator(`#mine li[data-id="${conversationId}"] .unread`).count()).toBe(0);
    // Her earlier conversation is under the contact.
    await page.locator(`#history button[data-id="${first.body.id}"]`).getByText('Resolved').waitFor();
    await noError(page);
  }, 60_000);

  it('shows an agent of a masking tenant the customer’s number masked', async () => {
    const agent = await gw.token({ agentId: 'max', tenantId: 'masked', roles: ['agent'] });
    const created = await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone: '+447966197542', email: 'melissa@gmail.com' } } });
    expect(created.status).toBe(201);
    const page = await newPage();
    await signIn(page, agent, 'max');
    await page.locator(`#mine [data-id="${created.body.id}"] button.open`).click();
    await page.locator('#contact-phone').getByText('*********7542').waitFor();
    await page.locator('#contact-email').getByText('m******@gmail.com').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('7966197542');
    // This tenant needs the customer's consent before a call: the number is clickable once it is recorded.
    expect(await page.locator('#contact-phone').isDisabled()).toBe(true);
    await page.check('#consent');
    await page.click('#contact-phone');
    await page.locator('#transcript [data-type="call"]').getByText('consent chat').waitFor({ timeout: 10_000 });
    await noError(page);
  }, 60_000);

  it('lets a supervisor see every conversation and who is online, and assign one to an agent', async () => {
    const agentPage = await newPage();
    await signIn(agentPage, alice, 'alice');
    const { conversationId } = await customerTexts('+14155552674', 'Anyone there?');

    const page = await newPage(800, 900);
    await signIn(page, supervisor, 'sue');
    await page.locator('#supervisor').waitFor();
    await page.locator('#agents [data-agent="alice"]').waitFor();
    await page.locator(`#all li[data-id="${conversationId}"] button.open`).click();
    await page.locator('#assign-box').waitFor();
    await page.selectOption('#assign-agent', 'alice');
    await shot(page, 'console-supervisor-800px.png');
    await page.click('#assign');
    await page.locator('#conversation-agent').getByText('Assigned to alice').waitFor();

    await agentPage.locator(`#mine li[data-id="${conversationId}"]`).waitFor({ timeout: 10_000 });
    await agentPage.locator('#notices .notice').getByText('assigned to you').waitFor();
    await noError(page);
    await noError(agentPage);
  }, 60_000);
});
