import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { describeIfEnv } from '../support/describe-if';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * The console's voice features beyond one agent and one customer, in a real browser (Debian's
 * chromium driven by playwright-core) against the gateway on the simulator: warm transfer and its
 * participants list, a supervisor's modes, an inbound call that rings (Web Audio) and is answered
 * with one click, and a recording played inline. Screenshots go to test-results/.
 */
const describeWithChromium = describeIfEnv('CHROMIUM_PATH');
const RESULTS = join(__dirname, '..', '..', 'test-results');
const ACME_NUMBER = '+14155550100';

/**
 * Counts what the page does with the Web Audio API: every AudioContext made, every oscillator
 * started and stopped. Installed before the console's script runs. With `blockUntilGesture` it
 * also plays the browser's autoplay rule, which headless Chromium does not enforce (its contexts
 * always run, whatever --autoplay-policy says, and it reports navigator.userActivation as active
 * from the start): a context made before any real click or key press on the page stays suspended,
 * and `resume()` does nothing until there was one.
 */
function audioProbe(blockUntilGesture: boolean): void {
  const w = globalThis as any;
  w.__audio = { contexts: [], started: [], stopped: 0 };
  const Original = w.AudioContext;
  let gesture = false;
  for (const type of ['pointerdown', 'keydown']) w.addEventListener(type, (e: { isTrusted: boolean }) => { if (e.isTrusted) gesture = true; }, true);
  const blocked = () => blockUntilGesture && !gesture;
  w.AudioContext = class extends Original {
    constructor(...args: unknown[]) {
      super(...args);
      w.__audio.contexts.push(this);
      if (blocked()) void super.suspend();
    }

    resume(): Promise<void> {
      return blocked() ? new Promise(() => {}) : super.resume();
    }
  };
  const start = w.OscillatorNode.prototype.start;
  w.OscillatorNode.prototype.start = function (this: any, ...args: unknown[]) {
    w.__audio.started.push(this.frequency.value);
    return start.apply(this, args);
  };
  const stop = w.OscillatorNode.prototype.stop;
  w.OscillatorNode.prototype.stop = function (this: any, ...args: unknown[]) {
    w.__audio.stopped++;
    return stop.apply(this, args);
  };
}

interface AudioState { contexts: string[]; started: number[]; stopped: number }
const audioState = (page: Page) => page.evaluate<AudioState>('({ contexts: __audio.contexts.map((c) => c.state), started: __audio.started, stopped: __audio.stopped })');

describeWithChromium('the agent console: parties, ringing and recordings', () => {
  let gw: TestGateway;
  let browser: Browser;
  let alice: string;
  let sue: string;
  let phone = 0;
  const nextPhone = () => `+1415555${String(2700 + ++phone)}`;

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [{
        id: 'acme', name: 'Acme Insurance', numbers: [ACME_NUMBER], inboundRouting: 'queue', recordCalls: 'on-demand', ringNoAnswerSeconds: 120,
        dispositions: ['Resolved'], agents: [{ id: 'alice', endpoint: 'user:alice' }, { id: 'bob', endpoint: 'user:bob' }],
      }, { id: 'masked', name: 'Masked Ltd', numbers: ['+14155550200'], maskSensitiveData: true }],
    } as never);
    alice = await gw.token({ agentId: 'alice', tenantId: 'acme', roles: ['agent'] });
    sue = await gw.token({ agentId: 'sue', tenantId: 'acme', roles: ['supervisor'] });
    browser = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function newPage(options: { blockAudioUntilGesture?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(audioProbe, Boolean(options.blockAudioUntilGesture));
    return page;
  }

  async function signIn(page: Page, token: string, who: string): Promise<void> {
    await page.goto(gw.url);
    await page.fill('#token', token);
    await page.click('#signin');
    await page.locator('#whoami').getByText(who).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
  }

  const noError = async (page: Page) => expect(await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '').toBe('');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(RESULTS, name), fullPage: true });
  const party = (page: Page, role: string, extra = '') => page.locator(`#participants li[data-role="${role}"]${extra}`);

  /** Alice's new conversation, open in her console, with a connected call to the customer. */
  async function aliceOnACall(page: Page, name: string): Promise<string> {
    const created = await gw.request('POST', '/v1/conversations', { token: alice, body: { contact: { phone: nextPhone(), name } } });
    expect(created.status).toBe(201);
    await page.locator(`#mine li[data-id="${created.body.id}"] button.open`).click();
    await page.locator('#contact-name').getByText(name).waitFor();
    await page.click('#contact-phone');
    await page.locator('#call-state').getByText('Connected').waitFor({ timeout: 10_000 });
    return created.body.id as string;
  }

  it('consults colleagues: one rings out (a refusal said in words), one is cancelled, one merged, one takes the customer; the participants list follows each step', async () => {
    const page = await newPage();
    await signIn(page, alice, 'alice');
    await aliceOnACall(page, 'Consulted Carla');

    // The call's own two parties, from GET /v1/calls/:id; nothing to complete before a consultation.
    await party(page, 'customer', '[data-state="connected"]').waitFor();
    await party(page, 'agent', '[data-state="connected"]').waitFor();
    expect(await page.locator('#consult').isDisabled()).toBe(true); // no colleague typed yet
    for (const id of ['#consult-complete', '#consult-merge', '#consult-cancel']) expect(await page.locator(id).isDisabled()).toBe(true);
    await expect(page.locator('#supervise-box').isVisible()).resolves.toBe(false); // agents do not supervise

    // A colleague who never answers: the consult rings (and gives up after half a second on the
    // simulator); complete must wait, and the gateway's 409 is said in words if clicked anyway.
    await page.fill('#party-to', 'user:no-answer');
    await page.click('#consult');
    await page.locator('#call-state').getByText('On hold').waitFor();
    await party(page, 'consultee', '[data-mode="private"]').waitFor();
    await party(page, 'customer', '[data-state="held"]').waitFor();
    expect(await page.locator('#consult-complete').isDisabled()).toBe(true); // ringing, or already given up: nothing to complete
    // A console whose buttons were stale: the gateway's 409 reaches the agent as a sentence.
    await page.$eval('#consult-complete', (b) => { (b as any).disabled = false; (b as any).click(); });
    await page.locator('#party-feedback.failed').getByText(/^Not possible right now: (the consulted party has not answered|no consultation is under way)/).waitFor();
    // It rang out: the colleague left, the customer still holds with the agent, who takes them back.
    await party(page, 'consultee', '[data-state="left"]').getByText('Left (no answer)').waitFor({ timeout: 10_000 });
    expect(await page.locator('#consult-cancel').isDisabled()).toBe(true);
    await party(page, 'customer', '[data-state="held"]').waitFor();
    await page.click('#resume');
    await page.locator('#call-state').getByText('Connected').waitFor();

    // Carol answers, and the agent thinks better of it: cancel drops her and takes the customer off hold.
    await page.fill('#party-to', 'user:carol');
    await page.click('#consult');
    await page.locator('#participants li[data-role="consultee"][data-state="connected"]').filter({ hasText: 'user:carol' }).waitFor({ timeout: 10_000 });
    // While consulting: no second consult, no added party, no resume or keys; complete, merge or cancel.
    for (const id of ['#consult', '#add-party', '#resume', '#dtmf [data-digit="1"]']) expect(await page.locator(id).isDisabled()).toBe(true);
    for (const id of ['#consult-complete', '#consult-merge', '#consult-cancel']) expect(await page.locator(id).isDisabled()).toBe(false);
    await page.click('#consult-cancel');
    await page.locator('#party-feedback.done').getByText('Consultation cancelled').waitFor();
    await page.locator('#participants li[data-role="consultee"][data-state="left"]').filter({ hasText: 'user:carol' }).waitFor();
    await page.locator('#call-state').getByText('Connected').waitFor();

    // Dave answers and is merged: a three-way call, everyone talking, the customer off hold.
    await page.fill('#party-to', 'user:dave');
    await page.click('#consult');
    await page.locator('#participants li[data-role="consultee"][data-state="connected"][data-mode="private"]').filter({ hasText: 'user:dave' }).waitFor({ timeout: 10_000 });
    await page.click('#consult-merge');
    await page.locator('#party-feedback.done').getByText('Merged').waitFor();
    await page.locator('#participants li[data-role="consultee"][data-state="connected"][data-mode="talk"]').filter({ hasText: 'user:dave' }).waitFor();
    await party(page, 'customer', '[data-state="connected"]').waitFor();
    expect(await page.locator('#consult-cancel').isDisabled()).toBe(true);

    // Bob answers the consultation: now it can be completed.
    await page.fill('#party-to', 'user:bob');
    await page.click('#consult');
    const bob = party(page, 'consultee', '[data-state="connected"][data-mode="private"]');
    await bob.waitFor({ timeout: 10_000 });
    expect(await bob.locator('.endpoint').innerText()).toBe('user:bob');
    expect(await page.locator('#consult-complete').isDisabled()).toBe(false);
    expect(await page.locator('#consult-merge').isDisabled()).toBe(false);
    await shot(page, 'console-consult.png');

    await page.click('#consult-complete');
    await page.locator('#party-feedback.done').getByText('Transferred').waitFor();
    // Alice left, Bob has the customer, who is off hold.
    await page.locator('#participants li[data-participant$="-agent"][data-state="left"]').getByText('removed').waitFor();
    await page.locator('#participants li[data-state="connected"][data-mode="talk"]').filter({ hasText: 'user:bob' }).waitFor();
    await party(page, 'customer', '[data-state="connected"]').waitFor();
    await page.locator('#transcript [data-kind="transferred"]').getByText('Handed over to user:bob').waitFor();
    await noError(page);
  }, 60_000);

  it('shows an agent of a masking tenant the customer masked in the participants list too', async () => {
    const max = await gw.token({ agentId: 'max', tenantId: 'masked', roles: ['agent'] });
    const created = await gw.request('POST', '/v1/conversations', { token: max, body: { contact: { phone: '+447966197542' } } });
    expect(created.status).toBe(201);
    const page = await newPage();
    await signIn(page, max, 'max');
    await page.locator(`#mine li[data-id="${created.body.id}"] button.open`).click();
    await page.click('#contact-phone');
    await page.locator('#call-state').getByText('Connected').waitFor({ timeout: 10_000 });
    await party(page, 'customer', '[data-state="connected"]').locator('.endpoint').getByText('*********7542').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('7966197542');
    await noError(page);
  }, 60_000);

  it('adds a colleague to a call, and lets a supervisor monitor it and switch to whisper and barge; the agent sees who listens and how', async () => {
    const agentPage = await newPage();
    await signIn(agentPage, alice, 'alice');
    const conversationId = await aliceOnACall(agentPage, 'Supervised Sam');
    await agentPage.fill('#party-to', 'user:erin');
    await agentPage.click('#add-party');
    await agentPage.locator('#participants li[data-role="agent"][data-state="connected"][data-mode="talk"]').filter({ hasText: 'user:erin' }).waitFor({ timeout: 10_000 });
    await party(agentPage, 'customer', '[data-state="connected"]').waitFor(); // nobody holds in a conference

    const page = await newPage();
    await signIn(page, sue, 'sue');
    await page.locator(`#all li[data-id="${conversationId}"] button.open`).click();
    await party(page, 'customer', '[data-state="connected"]').waitFor();
    await page.locator('#supervise-box').waitFor();
    expect(await page.inputValue('#agent-endpoint')).toBe('user:sue');
    expect(await page.locator('#supervise-switch').isDisabled()).toBe(true); // not supervising yet
    await page.selectOption('#supervise-mode', 'monitor');
    await page.click('#supervise');
    await party(page, 'supervisor', '.me[data-state="connected"][data-mode="monitor"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#supervise').isDisabled()).toBe(true);
    // The agent's console hears of it through the socket.
    await party(agentPage, 'supervisor', '[data-mode="monitor"]').getByText('listening').waitFor({ timeout: 10_000 });

    await page.selectOption('#supervise-mode', 'whisper');
    expect(await page.locator('#supervise-switch').innerText()).toBe('Switch to whisper');
    await page.click('#supervise-switch');
    await party(page, 'supervisor', '[data-mode="whisper"]').getByText('whispering to the agent').waitFor();
    await party(agentPage, 'supervisor', '[data-mode="whisper"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#supervise-switch').isDisabled()).toBe(true); // already in whisper
    await page.selectOption('#supervise-mode', 'barge');
    await page.click('#supervise-switch');
    await party(page, 'supervisor', '[data-mode="barge"]').waitFor();
    await shot(page, 'console-supervise.png');
    await noError(page);
    await noError(agentPage);
  }, 60_000);

  it('rings for an inbound call in the queue (a Web Audio ring tone), answers it with one click, and asks for sound when the browser blocks it', async () => {
    const page = await newPage();
    await signIn(page, alice, 'alice'); // a click on the page: the browser lets it sound
    await expect(page.locator('#ring').isVisible()).resolves.toBe(false);
    expect((await audioState(page)).contexts).toEqual([]); // no audio until something rings

    const caller = nextPhone();
    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: sue, body: { from: caller, to: ACME_NUMBER } });
    expect(placed.status).toBe(202);
    const { callId, conversationId } = placed.body as { callId: string; conversationId: string };
    await page.locator(`#ring[data-ringing="true"][data-call="${callId}"]`).waitFor({ timeout: 10_000 });
    await page.locator('#ring-text').getByText(`Incoming call from ${caller}`).waitFor();
    await page.locator('#ring[data-audio="running"]').waitFor();
    const ringing = await audioState(page);
    expect(ringing.contexts).toEqual(['running']);
    expect(ringing.started.sort()).toEqual([400, 450]); // the two tones of the ring
    expect(ringing.stopped).toBe(0);
    await expect(page.locator('#enable-sound').isVisible()).resolves.toBe(false);
    await shot(page, 'console-ringing.png');

    await page.click('#ring-answer');
    await page.locator('#ring[data-ringing="false"]').waitFor({ state: 'attached' });
    await expect(page.locator('#ring').isVisible()).resolves.toBe(false);
    expect((await audioState(page)).stopped).toBe(2);
    await page.locator('#conversation-agent').getByText('Assigned to you').waitFor();
    await page.locator(`#transcript [data-type="call"][data-id="${callId}"]`).getByText(`Inbound call from ${caller}`).waitFor();
    await page.locator('#call-state').getByText('Connected').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('contact-gateway.conversation'))).toBe(conversationId);
    await page.click('#hangup');
    await page.locator('#call-state').getByText('Ended').waitFor({ timeout: 10_000 });

    // A tab that signs in by itself (its token kept from before) and nobody has clicked on yet: the
    // browser blocks the tone, and the banner says how to allow it.
    const idle = await newPage({ blockAudioUntilGesture: true });
    await idle.addInitScript((token) => { (globalThis as any).sessionStorage.setItem('contact-gateway.token', token); }, alice);
    await idle.goto(gw.url);
    await idle.locator('#whoami').getByText('alice').waitFor();
    await idle.locator('#connection[data-state="live"]').waitFor();
    const second = await gw.request('POST', '/v1/simulator/inbound-call', { token: sue, body: { from: nextPhone(), to: ACME_NUMBER } });
    expect(second.status).toBe(202);
    await idle.locator(`#ring[data-ringing="true"][data-call="${second.body.callId}"]`).waitFor({ timeout: 10_000 });
    await idle.locator('#ring[data-audio="suspended"]').waitFor();
    await idle.locator('#enable-sound').waitFor();
    expect((await audioState(idle)).contexts).toEqual(['suspended']);
    await idle.click('#enable-sound');
    await idle.locator('#ring[data-audio="running"]').waitFor();
    await idle.locator('#enable-sound').waitFor({ state: 'hidden' });
    expect((await audioState(idle)).contexts).toEqual(['running']);

    // Another agent takes it: call.accepted stops the ring here.
    const bob = await gw.token({ agentId: 'bob', tenantId: 'acme', roles: ['agent'] });
    expect((await gw.request('POST', `/v1/calls/${second.body.callId}/answer`, { token: bob })).status).toBe(200);
    await idle.locator('#ring[data-ringing="false"]').waitFor({ state: 'attached', timeout: 10_000 });
    expect((await audioState(idle)).stopped).toBe(2);
    await noError(page);
    await noError(idle);
  }, 60_000);

  it('plays a finished recording inline in the transcript (fetched with the token, seekable)', async () => {
    const page = await newPage();
    await signIn(page, alice, 'alice');
    await aliceOnACall(page, 'Recorded Rita');
    const callId = await page.locator('#transcript [data-type="call"]').getAttribute('data-id');
    expect((await gw.request('POST', `/v1/calls/${callId}/recording`, { token: alice, body: { action: 'start' } })).status).toBe(200);
    await page.locator('#transcript [data-type="recording_started"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.click('#hangup');

    const item = page.locator('#transcript [data-type="recording_available"]');
    await item.waitFor({ timeout: 15_000 });
    await item.locator('audio[src^="blob:"]').waitFor({ timeout: 10_000 });
    const media = await item.locator('audio').evaluate(async (el) => {
      const audio = el as any;
      for (let i = 0; i < 100 && audio.readyState < 1; i++) await new Promise((r) => setTimeout(r, 50));
      return { readyState: audio.readyState, duration: audio.duration, error: audio.error?.message ?? null };
    });
    expect(media.error).toBeNull();
    expect(media.readyState).toBeGreaterThanOrEqual(1);
    expect(media.duration).toBeGreaterThan(1);
    // It plays: the clock moves.
    const played = await item.locator('audio').evaluate(async (el) => {
      const audio = el as any;
      audio.muted = true;
      await audio.play();
      await new Promise((r) => setTimeout(r, 600));
      audio.pause();
      return audio.currentTime;
    });
    expect(played).toBeGreaterThan(0.2);
    await shot(page, 'console-recording.png');
    await noError(page);
  }, 60_000);
});
