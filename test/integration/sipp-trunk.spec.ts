import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import type { CallReport } from '../../src/providers/voice-provider.port';
import { describeIfEnv } from '../support/describe-if';
import { eventually, sippUas, type Sipp, type SipMessage } from '../support/sipp';

/**
 * The customer leg through a carrier's trunk that authenticates (digest, 401 and 407) and shows
 * our caller ID, against a real drachtio-server with SIPp playing the agent's device and the
 * trunk (scenarios test/sipp/agent*.xml, trunk-*.xml). Runs when DRACHTIO_HOST names a reachable
 * drachtio-server, and then must pass. Its SIPp ports (SIPP_TRUNK_PORT, 5191: agent, +1: trunk)
 * differ from sipp.spec.ts's, so that both files may run at once.
 */
const describeWithDrachtio = describeIfEnv('DRACHTIO_HOST');

const SIPP_ADDRESS = process.env.SIPP_ADDRESS ?? '127.0.0.1';
const AGENT_PORT = Number(process.env.SIPP_TRUNK_PORT ?? 5191);
const TRUNK_PORT = AGENT_PORT + 1;
const ACCOUNT = { username: 'trunk-user', password: 'trunk-secret' }; // what the trunk scenarios accept
const CALLER_ID = '+14155550111'; // what they expect to see

/** RFC 2617 §3.2.2 (qop=auth): the response a client knowing `password` sends, from its own header. */
function digestValid(header: string, method: string, password: string): boolean {
  const params = Object.fromEntries([...header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
  const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
  const ha1 = md5(`${params.username}:${params.realm}:${password}`);
  const ha2 = md5(`${method}:${params.uri}`);
  return params.response === md5(`${ha1}:${params.nonce}:${params.nc}:${params.cnonce}:${params.qop}:${ha2}`);
}

describeWithDrachtio('SIP trunk: digest authentication and caller ID on the wire (real drachtio-server, SIPp)', () => {
  const logs = mkdtempSync(join(tmpdir(), 'sipp-trunk-'));
  let reports: CallReport[];
  let running: Sipp[] = [];
  const providers: SipVoiceProvider[] = [];

  const connect = async (password: string): Promise<SipVoiceProvider> => {
    const provider = new SipVoiceProvider({
      host: process.env.DRACHTIO_HOST ?? '', port: Number(process.env.DRACHTIO_PORT ?? 9022), secret: process.env.DRACHTIO_SECRET ?? 'cymru',
      trunkUri: `sip:${SIPP_ADDRESS}:${TRUNK_PORT}`, trunkCredentials: { username: ACCOUNT.username, password },
    });
    providers.push(provider);
    provider.connect(async (report) => void reports.push(report));
    await eventually(() => provider.check(), 10000); // DRACHTIO_HOST is set: not reaching it is a failure
    return provider;
  };

  /** Places a call through `provider` with SIPp as the agent and as `trunkScenario`; returns the trunk's SIPp. */
  const placeCall = async (provider: SipVoiceProvider, trunkScenario: string, agentScenario = 'agent.xml'): Promise<{ trunk: Sipp; providerRef: string }> => {
    const trunk = sippUas(trunkScenario, SIPP_ADDRESS, TRUNK_PORT, { messageLog: join(logs, `${trunkScenario}-${Date.now()}.log`) });
    running = [sippUas(agentScenario, SIPP_ADDRESS, AGENT_PORT), trunk];
    await new Promise((resolve) => setTimeout(resolve, 500)); // let SIPp bind its ports
    const handle = await provider.place({
      callId: `sipp-trunk-${Date.now()}`, to: '+14155550123', agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}`,
      callerId: CALLER_ID, callbacks: new CallbackUrls('http://localhost', 'a-test-secret-of-32-characters!!'),
    });
    return { trunk, providerRef: handle.providerRef };
  };
  const facts = (): unknown[] => reports.map((r) => r.fact);
  const scenariosPass = (): Promise<void[]> => Promise.all(running.map((s) => s.done));
  const invites = (trunk: Sipp): SipMessage[] => trunk.received().filter((m) => m.startLine.startsWith('INVITE '));

  beforeEach(() => {
    reports = [];
  });

  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
  });

  afterAll(async () => {
    await Promise.all(providers.map((provider) => provider.close()));
  });

  it.each([
    ['trunk-401.xml', 'Authorization', 1],
    ['trunk-407.xml', 'Proxy-Authorization', 2], // this proxy challenges the BYE as well
  ])('%s: answers the challenge with a digest of the account (%s), and the call goes through', async (scenario, header, byes) => {
    const provider = await connect(ACCOUNT.password);
    const { trunk, providerRef } = await placeCall(provider, scenario);
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    await provider.hangup({ callId: reports[0]!.callId ?? '', providerRef, refs: {} });
    await scenariosPass();
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]);

    const [first, retried] = invites(trunk);
    expect(first!.header(header)).toBeUndefined();
    const credentials = retried!.header(header)!;
    expect(credentials).toMatch(/^Digest .*username="trunk-user"/);
    expect(digestValid(credentials, 'INVITE', ACCOUNT.password)).toBe(true);
    expect(retried!.header('Call-ID')).toBe(providerRef); // one Call-ID, kept on the retry
    const bye = trunk.received().filter((m) => m.startLine.startsWith('BYE '));
    expect(bye).toHaveLength(byes);
    if (byes > 1) expect(digestValid(bye[1]!.header(header)!, 'BYE', ACCOUNT.password)).toBe(true);
  });

  it('a wrong password: the trunk refuses (403) and the call ends failed', async () => {
    const provider = await connect('not-the-password');
    await placeCall(provider, 'trunk-401.xml', 'agent-released.xml');
    await scenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'failed' }]));
  });

  it('a trunk that challenges the retry again: one retry only, and the call ends failed', async () => {
    const provider = await connect('not-the-password');
    const { trunk } = await placeCall(provider, 'trunk-rechallenges.xml', 'agent-released.xml');
    await scenariosPass();
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'failed' }]));
    expect(invites(trunk)).toHaveLength(2);
  });

  it('shows the caller ID as the From user and in P-Asserted-Identity', async () => {
    const provider = await connect(ACCOUNT.password);
    const { trunk, providerRef } = await placeCall(provider, 'trunk-401.xml');
    await eventually(() => expect(facts()).toContainEqual({ kind: 'answered' }));
    await provider.hangup({ callId: reports[0]!.callId ?? '', providerRef, refs: {} });
    await scenariosPass();
    for (const invite of invites(trunk)) {
      expect(invite.header('From')).toMatch(/^<?sip:\+14155550111@[^>;]+>?;tag=/);
      expect(invite.header('P-Asserted-Identity')).toBe(`<sip:${CALLER_ID}@${SIPP_ADDRESS}>`);
    }
  });
});
