import { Writable } from 'node:stream';
import pino from 'pino';
import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import type { CallReport } from '../../src/providers/voice-provider.port';
import { describeIfEnv } from '../support/describe-if';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { eventually, sippUas as sippAt, type Sipp } from '../support/sipp';

/**
 * The SIP adapter through a real drachtio-server, with SIPp (Debian: sip-tester) playing the
 * agent's device and the customer's phone (scenarios in test/sipp/). Runs when DRACHTIO_HOST names
 * a reachable drachtio-server, and then must pass; without it the suite is reported as not run.
 *
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET (cymru)
 *   SIPP_ADDRESS   where drachtio-server reaches SIPp (127.0.0.1; the host's address when
 *                  drachtio-server runs in a container), SIPP_PORT (5091: agent, +1: customer;
 *                  +2/+3: the 40 s ring that runs alongside the rest)
 */
const DRACHTIO_HOST = process.env.DRACHTIO_HOST;

const describeWithDrachtio = describeIfEnv('DRACHTIO_HOST');

const SIPP_ADDRESS = process.env.SIPP_ADDRESS ?? '127.0.0.1';
const AGENT_PORT = Number(process.env.SIPP_PORT ?? 5091);
const CUSTOMER_PORT = AGENT_PORT + 1;
const LONG_AGENT_PORT = AGENT_PORT + 2;
const LONG_CUSTOMER_PORT = AGENT_PORT + 3;
const sippUas = (scenario: string, port: number, timeoutSeconds?: number): Sipp => sippAt(scenario, SIPP_ADDRESS, port, { timeoutSeconds });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithDrachtio('SIP voice provider through drachtio-server, with SIPp user agents', () => {
  let provider: SipVoiceProvider;
  let longRingProvider: SipVoiceProvider | undefined;
  let reports: CallReport[];
  let running: Sipp[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => { logs.push(chunk.toString()); done(); } }));

  const connect = async (customerPort: number, sink: (report: CallReport) => void): Promise<SipVoiceProvider> => {
    const sip = new SipVoiceProvider({
      host: DRACHTIO_HOST ?? '', port: Number(process.env.DRACHTIO_PORT ?? 9022), secret: process.env.DRACHTIO_SECRET ?? 'cymru',
      trunkUri: `sip:${SIPP_ADDRESS}:${customerPort}`,
    }, logger);
    sip.connect(async (report) => sink(report));
    await eventually(() => sip.check(), 10000); // DRACHTIO_HOST is set: not reaching it is a failure
    return sip;
  };
  const dial = async (via: SipVoiceProvider, agentPort: number, ringTimeoutSeconds?: number): Promise<string> => {
    const handle = await via.place({
      callId: `sipp-${Date.now()}`, to: '+14155550123', agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${agentPort}`,
      callerId: '+14155550100', ringTimeoutSeconds, callbacks: new CallbackUrls('http://localhost', 'a-test-secret-of-32-characters!!'),
    });
    return handle.providerRef;
  };
  const placeCall = async (agentScenario: string, customerScenario: string, ringTimeoutSeconds?: number): Promise<string> => {
    running = [sippUas(agentScenario, AGENT_PORT), sippUas(customerScenario, CUSTOMER_PORT)];
    await sleep(500); // let SIPp bind its ports
    return dial(provider, AGENT_PORT, ringTimeoutSeconds);
  };
  const facts = (): unknown[] => reports.map((r) => r.fact);
  const bothScenariosPass = (): Promise<void[]> => Promise.all(running.map((s) => s.done));

  // The customer who rings 40 s runs on its own ports alongside the other scenarios, to keep the suite short.
  let longRing: Promise<unknown>;
  const longReports: CallReport[] = [];

  beforeAll(async () => {
    provider = await connect(CUSTOMER_PORT, (report) => reports.push(report));
    longRing = (async () => {
      longRingProvider = await connect(LONG_CUSTOMER_PORT, (report) => longReports.push(report));
      const sipps = [sippUas('agent.xml', LONG_AGENT_PORT, 70), sippUas('customer-answers-late.xml', LONG_CUSTOMER_PORT, 70)];
      await sleep(500);
      await dial(longRingProvider, LONG_AGENT_PORT);
      await Promise.all(sipps.map((s) => s.done));
    })().then(() => undefined, (err: unknown) => err);
  });

  beforeEach(() => {
    reports = [];
  });

  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
  });

  afterAll(async () => {
    await Promise.all([provider?.close(), longRingProvider?.close()]);
  });

  it('customer answers, then the gateway hangs up: the agent was ACKed at once, re-INVITEd with the answer; BYE only, no CANCEL', async () => {
    const providerRef = await placeCall('agent.xml', 'customer-answers.xml');
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await provider.hangup({ callId: reports[0].callId ?? '', providerRef, refs: {} });
    await bothScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
    expect(logs.filter((line) => line.includes('releasing a leg failed'))).toEqual([]); // the answered INVITE was not CANCELled
  });

  it('drachtio-server kept the Call-ID chosen for the customer leg (the providerRef)', () => {
    expect(logs.filter((line) => line.includes('replaced our Call-ID'))).toEqual([]);
  });

  it('customer is busy', async () => {
    await placeCall('agent-released.xml', 'customer-busy.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'busy' }]));
  });

  it('customer does not answer', async () => {
    await placeCall('agent-released.xml', 'customer-no-answer.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]));
  });

  it('customer hangs up first', async () => {
    await placeCall('agent.xml', 'customer-hangs-up.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
  });

  it('agent hangs up while the customer rings: its BYE is heard, the customer is CANCELled, the call ends canceled', async () => {
    await placeCall('agent-hangs-up-ringing.xml', 'customer-rings-cancelled.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'canceled' }]));
  });

  it('ring timeout: the customer is CANCELled after ringTimeoutSeconds, the call ends no-answer', async () => {
    const started = Date.now();
    await placeCall('agent-released.xml', 'customer-rings-cancelled.xml', 2); // the request's ringTimeoutSeconds
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('the agent refuses the re-INVITE with the customer\'s answer: the call fails, never answered, both legs released', async () => {
    await placeCall('agent-refuses-reinvite.xml', 'customer-answers.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'failed' }]));
  });

  it('the agent hangs up during that re-INVITE: never answered, the customer is BYEd', async () => {
    await placeCall('agent-hangs-up-bridging.xml', 'customer-answers.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'canceled' }]));
  });

  it('the customer\'s re-INVITEs (hold, then media moving) reach the agent, the agent\'s answers come back; a session refresh is answered, not relayed', async () => {
    await placeCall('agent-relay.xml', 'customer-reinvites.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
  });

  it('the agent\'s own hold reaches the customer, and the customer\'s answer comes back', async () => {
    const providerRef = await placeCall('agent-reinvites.xml', 'customer-held.xml');
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await sleep(1000); // the agent's re-INVITE, relayed and answered
    await provider.hangup({ callId: reports[0].callId ?? '', providerRef, refs: {} });
    await bothScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  });

  it('glare: a customer re-INVITE crossing the gateway\'s hold is answered 491, and the hold completes', async () => {
    const providerRef = await placeCall('agent.xml', 'customer-glare.xml');
    await eventually(() => expect(facts()).toEqual([{ kind: 'answered' }])); // it answers without ringing
    const handle = { callId: reports[0].callId ?? '', providerRef, refs: {} };
    await provider.hold(handle);
    await provider.hangup(handle);
    await bothScenariosPass();
    expect(facts()).toEqual([{ kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  });

  it('a customer ringing 40 s is bridged to an agent still there (no un-ACKed 200 timing out)', async () => {
    const failure = await longRing;
    if (failure) throw failure;
    await eventually(() => expect(longReports.map((r) => r.fact)).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
  }, 80_000);
});
