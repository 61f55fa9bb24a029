import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import type { CallReport } from '../../src/providers/voice-provider.port';
import { describeIfEnv } from '../support/describe-if';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';

/**
 * The SIP adapter through a real drachtio-server, with SIPp (Debian: sip-tester) playing the
 * agent's device and the customer's phone (scenarios in test/sipp/). Runs when DRACHTIO_HOST names
 * a reachable drachtio-server, and then must pass; without it the suite is reported as not run.
 *
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET (cymru)
 *   SIPP_ADDRESS   where drachtio-server reaches SIPp (127.0.0.1; the host's address when
 *                  drachtio-server runs in a container), SIPP_PORT (5091: agent, +1: customer)
 */
const DRACHTIO_HOST = process.env.DRACHTIO_HOST;

const describeWithDrachtio = describeIfEnv('DRACHTIO_HOST');

const SIPP_ADDRESS = process.env.SIPP_ADDRESS ?? '127.0.0.1';
const AGENT_PORT = Number(process.env.SIPP_PORT ?? 5091);
const CUSTOMER_PORT = AGENT_PORT + 1;
const SCENARIOS = join(__dirname, '..', 'sipp');

interface Sipp {
  /** Resolves when the scenario ran through (exit 0); rejects with SIPp's last words otherwise. */
  done: Promise<void>;
  child: ChildProcess;
}

/** Starts SIPp as a UAS for one call of a scenario. */
function sippUas(scenario: string, port: number): Sipp {
  const child = spawn('sipp', ['-sf', join(SCENARIOS, scenario), '-i', SIPP_ADDRESS, '-p', String(port), '-m', '1',
    '-nostdin', '-timeout', '30s', '-timeout_error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`could not run sipp (Debian package sip-tester): ${err.message}`)));
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sipp ${scenario} exited ${code ?? signal}:\n${output}`))));
  });
  return { done, child };
}

async function eventually(assertion: () => unknown, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describeWithDrachtio('SIP voice provider through drachtio-server, with SIPp user agents', () => {
  let provider: SipVoiceProvider;
  let reports: CallReport[];
  let running: Sipp[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => { logs.push(chunk.toString()); done(); } }));

  const placeCall = async (customerScenario: string): Promise<string> => {
    running = [sippUas('agent.xml', AGENT_PORT), sippUas(customerScenario, CUSTOMER_PORT)];
    await new Promise((resolve) => setTimeout(resolve, 500)); // let SIPp bind its ports
    const handle = await provider.place({
      callId: `sipp-${Date.now()}`, to: '+14155550123', agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}`,
      callerId: '+14155550100', callbacks: new CallbackUrls('http://localhost', 'a-test-secret-of-32-characters!!'),
    });
    return handle.providerRef;
  };
  const facts = (): unknown[] => reports.map((r) => r.fact);
  const bothScenariosPass = (): Promise<void[]> => Promise.all(running.map((s) => s.done));

  beforeAll(async () => {
    provider = new SipVoiceProvider({
      host: DRACHTIO_HOST ?? '', port: Number(process.env.DRACHTIO_PORT ?? 9022), secret: process.env.DRACHTIO_SECRET ?? 'cymru',
      trunkUri: `sip:${SIPP_ADDRESS}:${CUSTOMER_PORT}`,
    }, logger);
    provider.connect(async (report) => void reports.push(report));
    await eventually(() => provider.check(), 10000); // DRACHTIO_HOST is set: not reaching it is a failure
  });

  beforeEach(() => {
    reports = [];
  });

  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
  });

  afterAll(async () => {
    await provider?.close();
  });

  it('customer answers, then the gateway hangs up', async () => {
    const providerRef = await placeCall('customer-answers.xml');
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await provider.hangup({ callId: reports[0].callId ?? '', providerRef, refs: {} });
    await bothScenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);
  });

  it('drachtio-server kept the Call-ID chosen for the customer leg (the providerRef)', () => {
    expect(logs.filter((line) => line.includes('replaced our Call-ID'))).toEqual([]);
  });

  it('customer is busy', async () => {
    await placeCall('customer-busy.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'busy' }]));
  });

  it('customer does not answer', async () => {
    await placeCall('customer-no-answer.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]));
  });

  it('customer hangs up first', async () => {
    await placeCall('customer-hangs-up.xml');
    await bothScenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
  });
});
