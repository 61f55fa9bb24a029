import { Writable } from 'node:stream';
import pino from 'pino';
import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import type { ParticipantReport } from '../../src/providers/voice-participants.port';
import type { CallHandle, CallReport } from '../../src/providers/voice-provider.port';
import { describeIfEnv } from '../support/describe-if';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { eventually, sippUas as sippAt, type Sipp } from '../support/sipp';

/**
 * Warm transfer over SIP (sip.consult.ts) through a real drachtio-server, with SIPp playing the
 * agent's device, the customer's phone and the consultee's (scenarios test/sipp/consult-*.xml,
 * which check the media address and direction of every re-INVITE each phone gets). The steps are
 * the participants service's, in its order: consult = the call's hold, then dial; complete =
 * remove the agent, update the consultee to talk, the call's resume; cancel = remove the
 * consultee, the call's resume. Runs when DRACHTIO_HOST names a reachable drachtio-server, and
 * then must pass; without it the suite is reported as not run.
 *
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET (cymru)
 *   SIPP_ADDRESS        where drachtio-server reaches SIPp (127.0.0.1)
 *   SIPP_CONSULT_PORT   5095: agent, +1: customer (the trunk), +2: consultee (apart from sipp.spec.ts's 5091–5094)
 */
const describeWithDrachtio = describeIfEnv('DRACHTIO_HOST');

const SIPP_ADDRESS = process.env.SIPP_ADDRESS ?? '127.0.0.1';
const AGENT_PORT = Number(process.env.SIPP_CONSULT_PORT ?? 5095);
const CUSTOMER_PORT = AGENT_PORT + 1;
const CONSULTEE_PORT = AGENT_PORT + 2;
const callbacks = new CallbackUrls('http://localhost', 'a-test-secret-of-32-characters!!');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithDrachtio('SIP warm transfer through drachtio-server, with SIPp phones (customer, agent, consultee)', () => {
  let provider: SipVoiceProvider;
  let reports: CallReport[];
  let parties: ParticipantReport[];
  let running: Sipp[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => { logs.push(chunk.toString()); done(); } }));

  const facts = (): unknown[] => reports.map((r) => r.fact);
  const partyFacts = (): unknown[] => parties.map((r) => r.fact);
  const allScenariosPass = (): Promise<void[]> => Promise.all(running.map((s) => s.done));

  /** Starts the three phones, places the call and waits until agent and customer talk. */
  const answeredCall = async (scenarios: { agent: string; customer: string; consultee: string }, ringTimeoutSeconds?: number): Promise<CallHandle> => {
    running = [
      sippAt(scenarios.agent, SIPP_ADDRESS, AGENT_PORT),
      sippAt(scenarios.customer, SIPP_ADDRESS, CUSTOMER_PORT),
      sippAt(scenarios.consultee, SIPP_ADDRESS, CONSULTEE_PORT),
    ];
    await sleep(500); // let SIPp bind its ports
    const callId = `sipp-consult-${Date.now()}`;
    const handle = await provider.place({
      callId, to: '+14155550123', agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}`, callerId: '+14155550100', ringTimeoutSeconds, callbacks,
    });
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    return handle;
  };
  /** The service's consult: the call's hold, then the consultee's INVITE. */
  const consult = async (handle: CallHandle): Promise<void> => {
    await provider.hold(handle);
    await provider.participants.dial(handle, {
      participantId: 'P1', role: 'consultee', to: `sip:consultee@${SIPP_ADDRESS}:${CONSULTEE_PORT}`, mode: 'private', callerId: '+14155550100', callbacks,
    });
  };

  beforeAll(async () => {
    provider = new SipVoiceProvider({
      host: process.env.DRACHTIO_HOST ?? '', port: Number(process.env.DRACHTIO_PORT ?? 9022), secret: process.env.DRACHTIO_SECRET ?? 'cymru',
      trunkUri: `sip:${SIPP_ADDRESS}:${CUSTOMER_PORT}`,
    }, logger);
    provider.connect(async (report) => void reports.push(report));
    provider.participants.connect(async (report) => {
      parties.push(report);
      return 'applied';
    });
    await eventually(() => provider.check(), 10000); // DRACHTIO_HOST is set: not reaching it is a failure
  });

  beforeEach(() => {
    reports = [];
    parties = [];
  });

  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
  });

  afterAll(async () => {
    await provider?.close();
  });

  it('consult, then complete: the customer is re-INVITEd with the consultee\'s media and the consultee with the customer\'s, the agent gets a BYE; the consultee, now the agent, ends the call', async () => {
    const handle = await answeredCall({ agent: 'consult-agent-completed.xml', customer: 'consult-customer-completed.xml', consultee: 'consult-consultee-completed.xml' });
    await consult(handle);
    await eventually(() => expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await provider.participants.remove(handle, 'agent', 'agent');
    await provider.participants.update(handle, 'P1', 'consultee', { mode: 'talk' });
    await provider.resume(handle);
    await allScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
    expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]);
    expect(logs.filter((line) => line.includes('"level":50'))).toEqual([]);
  }, 40_000);

  it('consult, then cancel: the consultee is BYEd, the agent re-INVITEd with the customer\'s media, the customer resumed with the agent\'s', async () => {
    const handle = await answeredCall({ agent: 'consult-agent-cancelled.xml', customer: 'consult-customer-held-resumed.xml', consultee: 'consult-consultee-cancelled.xml' });
    await consult(handle);
    await eventually(() => expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await provider.participants.remove(handle, 'P1', 'consultee');
    await provider.resume(handle);
    await sleep(500); // the resume's ACK
    await provider.hangup(handle);
    await allScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
    expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]);
  }, 40_000);

  it('consult with no answer: the consultee is CANCELled after the ring timeout and leaves no-answer; the customer stays held with the agent, who resumes', async () => {
    const handle = await answeredCall({ agent: 'agent.xml', customer: 'consult-customer-held-resumed.xml', consultee: 'consult-consultee-no-answer.xml' }, 2);
    await consult(handle);
    await eventually(() => expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]), 8000);
    await provider.resume(handle);
    await sleep(500);
    await provider.hangup(handle);
    await allScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  }, 40_000);

  it('consult with a busy consultee (486): it leaves busy, the agent is not re-INVITEd, the customer stays held until resumed', async () => {
    const handle = await answeredCall({ agent: 'agent.xml', customer: 'consult-customer-held-resumed.xml', consultee: 'consult-consultee-busy.xml' });
    await consult(handle);
    await eventually(() => expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'busy' }]));
    await provider.resume(handle);
    await sleep(500);
    await provider.hangup(handle);
    await allScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  }, 40_000);

  it('the consultee hangs up during the consultation: it leaves, the agent is re-INVITEd back onto the customer\'s media, the call goes on', async () => {
    const handle = await answeredCall({ agent: 'consult-agent-cancelled.xml', customer: 'consult-customer-held-resumed.xml', consultee: 'consult-consultee-hangs-up.xml' });
    await consult(handle);
    await eventually(() => expect(partyFacts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
    await sleep(500); // the agent's re-INVITE back onto the customer's media
    await provider.resume(handle);
    await sleep(500);
    await provider.hangup(handle);
    await allScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  }, 40_000);
});
