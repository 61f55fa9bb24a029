import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import { VoiceProviderError, type CallHandle, type CallReport, type CallRequest } from '../../src/providers/voice-provider.port';
import { AGENT_SDP, CUSTOMER_SDP, FakeDrachtio, ua, type SipRecord, type UaStep } from '../support/fake-drachtio';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { eventually as retry } from '../support/eventually';

/**
 * The SIP adapter against a fake drachtio-server that speaks drachtio-srf's wire protocol over
 * TCP and plays the agent's device and the customer's phone behind it.
 */
const SECRET = 'cymru';
const TRUNK = 'sip:trunk.example.com:5060';
const CUSTOMER = '+14155550123';
const AGENT = 'sip:1001@pbx.example.com';

let fake: FakeDrachtio;
let provider: SipVoiceProvider;
let reports: CallReport[];
let customerSteps: UaStep[];
let agentSteps: UaStep[];

function start(secret = SECRET): SipVoiceProvider {
  const sip = new SipVoiceProvider({ host: '127.0.0.1', port: fake.port, secret, trunkUri: TRUNK, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
  sip.connect(async (report) => void reports.push(report));
  return sip;
}

/** The fake drachtio answers within milliseconds: poll often, give up after 3 s. */
const eventually = (assertion: () => unknown, timeoutMs = 3000): Promise<void> => retry(assertion, timeoutMs, 10);

const request = (over: Partial<CallRequest> = {}): CallRequest => ({
  callId: 'call-1', to: CUSTOMER, agentEndpoint: AGENT, callerId: '+14155550100', callbacks: new CallbackUrls('https://gw.example.com', 'a-test-secret-of-32-characters!!'), ...over,
});
const facts = (): unknown[] => reports.map((r) => r.fact);
const ended = (): CallReport | undefined => reports.find((r) => r.fact.kind === 'ended');
const invites = (): { agent?: SipRecord; customer?: SipRecord } => ({
  agent: fake.requests('INVITE').find((m) => m.uri === AGENT),
  customer: fake.requests('INVITE').find((m) => m.uri?.includes('@trunk.example.com')),
});

async function answeredCall(): Promise<CallHandle> {
  const handle = await provider.place(request());
  await eventually(() => expect(facts()).toContainEqual({ kind: 'answered' }));
  return handle;
}

beforeEach(async () => {
  reports = [];
  customerSteps = ua.ringsThenAnswers();
  agentSteps = ua.answers();
  fake = await FakeDrachtio.start({ secret: SECRET, script: (invite) => (invite.uri?.includes('@trunk.example.com') ? customerSteps : agentSteps) });
  provider = start();
  await eventually(() => provider.check());
});

afterEach(async () => {
  await provider.close();
  await fake.close();
});

describe('SIP voice provider (3PCC through drachtio)', () => {
  it('is ready once connected and authenticated; a wrong secret keeps it unready', async () => {
    await expect(provider.check()).resolves.toBeUndefined();
    const wrong = start('not-the-secret');
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(wrong.check()).rejects.toThrow(/not connected to drachtio-server.*authenticate/);
    } finally {
      await wrong.close();
    }
  });

  it('bridges agent and customer: the agent is ACKed at once on hold, its offer goes to the customer, the customer\'s answer comes back in a re-INVITE', async () => {
    const handle = await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
    expect(reports.every((r) => r.provider === 'sip' && r.callId === 'call-1' && r.providerRef === handle.providerRef)).toBe(true);

    const { agent, customer } = invites();
    expect(agent?.body).toBe(''); // offer-less INVITE (RFC 3725 flow I)
    expect(agent?.headers.from).toContain(CUSTOMER); // the agent's phone shows whom it is calling
    expect(customer?.uri).toBe(`sip:${CUSTOMER}@trunk.example.com:5060`);
    expect(customer?.callId).toBe(handle.providerRef); // the Call-ID chosen up front
    expect(customer?.body).toBe(AGENT_SDP);
    expect(customer?.headers.from).toContain('+14155550100'); // caller id
    const [ackToAgent] = fake.requests('ACK', agent?.callId);
    expect(ackToAgent.body).toContain('c=IN IP4 0.0.0.0'); // a black hole: no media until the customer answers
    expect(ackToAgent.body).toContain('a=inactive');
    expect(fake.sent.indexOf(ackToAgent)).toBeLessThan(fake.sent.indexOf(customer!)); // ACKed before the customer is called
    const bridge = fake.requests('INVITE', agent?.callId)[1];
    expect(bridge.body).toBe(CUSTOMER_SDP.replace('o=customer 1000 1 IN IP4 10.0.0.20', 'o=contact-gateway ' + /o=contact-gateway (\d+)/.exec(ackToAgent.body)![1] + ' 2 IN IP4 0.0.0.0'));
    expect(handle.refs.agentCallId).toBe(agent?.callId);
    expect(provider.liveCalls).toBe(1);
  });

  it('resolves place() before the customer answers', async () => {
    customerSteps = ua.ringsForever();
    const handle = await provider.place(request());
    expect(handle.providerRef).toMatch(/@contact-gateway$/);
    expect(facts()).toEqual([]);
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }]));
  });

  it('ends busy on 486 and releases the agent (ACK, then BYE)', async () => {
    customerSteps = ua.refuses(486);
    await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'busy' }]));
    const agentCallId = invites().agent?.callId;
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === agentCallId);
    expect(fake.requests('ACK', agentCallId)).toHaveLength(1);
    expect(provider.liveCalls).toBe(0);
    expect(fake.openDialogs()).toBe(0);
  });

  it('ends no-answer when the customer rings out (180, then 480)', async () => {
    customerSteps = ua.ringsThenFails(480);
    await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]));
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === invites().agent?.callId);
  });

  it('ends failed when the agent\'s device does not answer, without calling the customer', async () => {
    agentSteps = ua.refuses(486);
    await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'failed' }]));
    expect(invites().customer).toBeUndefined();
  });

  it('completes when the customer hangs up first, and BYEs the agent', async () => {
    const handle = await answeredCall();
    await expect(fake.byeFrom(handle.providerRef)).resolves.toBe(200);
    await eventually(() => expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'completed' }));
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === invites().agent?.callId);
    expect(fake.requests('BYE', handle.providerRef)).toHaveLength(0); // no BYE back to the one who hung up
    expect(provider.liveCalls).toBe(0);
  });

  it('completes when the agent hangs up first, and BYEs the customer', async () => {
    const handle = await answeredCall();
    await fake.byeFrom(invites().agent?.callId ?? '');
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.providerRef);
    expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'completed' });
  });

  it('hangs up both legs with BYE', async () => {
    const handle = await answeredCall();
    await provider.hangup(handle);
    expect(fake.requests('BYE', handle.providerRef)).toHaveLength(1);
    expect(fake.requests('BYE', invites().agent?.callId)).toHaveLength(1);
    await eventually(() => expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'completed' }));
    expect(fake.openDialogs()).toBe(0);
  });

  it('cancels a customer still ringing and releases the agent', async () => {
    customerSteps = ua.ringsForever();
    const handle = await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }]));
    await provider.hangup(handle);
    expect(fake.requests('CANCEL', handle.providerRef)).toHaveLength(1);
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === invites().agent?.callId);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the 487 that follows changes nothing
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'canceled' }]);
  });

  it('cancels the agent\'s device while it still rings', async () => {
    agentSteps = ua.ringsForever();
    const handle = await provider.place(request());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await provider.hangup(handle);
    expect(fake.requests('CANCEL', handle.refs.agentCallId)).toHaveLength(1);
    await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'canceled' }]));
    expect(invites().customer).toBeUndefined();
  });

  it('hanging up an answered call BYEs both legs and CANCELs nothing', async () => {
    const handle = await answeredCall();
    await provider.hangup(handle);
    await eventually(() => expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'completed' }));
    expect(fake.requests('CANCEL')).toEqual([]);
  });

  it('the agent hanging up while the customer rings CANCELs the customer and ends canceled', async () => {
    customerSteps = ua.ringsForever();
    const handle = await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }]));
    await expect(fake.byeFrom(handle.refs.agentCallId)).resolves.toBe(200);
    await fake.waitFor((m) => m.method === 'CANCEL' && m.callId === handle.providerRef);
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'canceled' }]));
    expect(provider.liveCalls).toBe(0);
  });

  it('cancels the customer after the request\'s ring timeout: no-answer', async () => {
    customerSteps = ua.ringsForever();
    const handle = await provider.place(request({ ringTimeoutSeconds: 0.2 }));
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]));
    await fake.waitFor((m) => m.method === 'CANCEL' && m.callId === handle.providerRef);
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.refs.agentCallId);
  });

  it('fails, never answered, when the agent refuses the re-INVITE that bridges it', async () => {
    fake.reinvite = (callId) => (callId === invites().agent?.callId ? { status: 488 } : {});
    const handle = await provider.place(request());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'failed' }]));
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.providerRef);
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.refs.agentCallId);
  });

  it('ends failed, never answered, when the customer hangs up during the re-INVITE that bridges the agent', async () => {
    fake.reinvite = () => ({ afterMs: 150 });
    const handle = await provider.place(request());
    await fake.waitFor((m) => m.method === 'INVITE' && m.callId === handle.refs.agentCallId && m.body.includes('c=IN IP4 10.0.0.20'));
    await fake.byeFrom(handle.providerRef);
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'failed' }]));
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.refs.agentCallId);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the agent's late 200 changes nothing
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'failed' }]);
  });

  it('re-INVITEs the customer when the agent answers the bridge from another address than it offered', async () => {
    const movedAgent = AGENT_SDP.replace(/10\.0\.0\.10/g, '10.0.0.11').replace('1000 1 ', '1000 2 ');
    fake.reinvite = (callId) => (callId === invites().agent?.callId ? { sdp: movedAgent } : {});
    const handle = await answeredCall();
    const [, update] = fake.requests('INVITE', handle.providerRef);
    expect(update.body).toContain('c=IN IP4 10.0.0.11');
    expect(update.body).toMatch(/^o=agent 1000 2 /m); // the origin the customer knows, version raised
  });

  it('relays a customer re-INVITE to the agent and answers with the agent\'s real answer', async () => {
    const handle = await answeredCall();
    const moved = CUSTOMER_SDP.replace(/10\.0\.0\.20/g, '10.0.0.21').replace('1000 1 ', '1000 2 ').replace('a=sendrecv', 'a=sendonly');
    const res = await fake.reinviteFrom(handle.providerRef, moved);
    expect(res.status).toBe(200);
    expect(res.body).toContain('a=recvonly'); // the agent's device answered the hold
    expect(res.body).toContain('c=IN IP4 10.0.0.10');
    expect(res.body).toMatch(/^o=agent 1000 2 /m); // the origin the customer knows, version raised
    const relayed = fake.requests('INVITE', handle.refs.agentCallId).at(-1)!;
    expect(relayed.body).toContain('c=IN IP4 10.0.0.21'); // the moved media reached the agent
    expect(relayed.body).toContain('a=sendonly');
    expect(relayed.body).toMatch(/^o=contact-gateway \d+ 3 /m);
  });

  it('answers 491 to a customer re-INVITE that crosses a hold of ours (glare)', async () => {
    const handle = await answeredCall();
    const holding = provider.hold(handle);
    const res = await fake.reinviteFrom(handle.providerRef, CUSTOMER_SDP.replace('1000 1 ', '1000 2 '));
    expect(res.status).toBe(491);
    await holding;
  });

  it('holds and resumes with re-INVITEs to the customer, mutes and unmutes with re-INVITEs to the agent', async () => {
    const handle = await answeredCall();
    const agentCallId = invites().agent?.callId;
    await provider.hold(handle);
    await provider.resume(handle);
    const [hold, resume] = fake.requests('INVITE', handle.providerRef).slice(1);
    expect(hold.body).toContain('a=inactive');
    expect(hold.body).toContain('o=agent 1000 2 IN IP4 10.0.0.10'); // version raised
    expect(resume.body).toContain('a=sendrecv');
    expect(resume.body).toContain('o=agent 1000 3 ');

    await provider.mute(handle);
    await provider.unmute(handle);
    const [mute, unmute] = fake.requests('INVITE', agentCallId).slice(2); // after the INVITE and the re-INVITE that bridged
    expect(mute.body).toContain('a=sendonly');
    expect(mute.body).toContain('c=IN IP4 10.0.0.20'); // the customer's media, as the agent knows it
    expect(unmute.body).toContain('a=sendrecv');
  });

  it('sends DTMF as one INFO per digit on the customer leg', async () => {
    const handle = await answeredCall();
    await provider.sendDtmf(handle, '1#');
    const infos = fake.requests('INFO', handle.providerRef);
    expect(infos.map((m) => m.body)).toEqual(['Signal=1\r\nDuration=160', 'Signal=#\r\nDuration=160']);
    expect(infos[0].headers['content-type']).toBe('application/dtmf-relay');
    await expect(provider.sendDtmf(handle, 'x')).rejects.toBeInstanceOf(VoiceProviderError);
  });

  it('transfers with a REFER on the customer leg (E.164 through the trunk, sip: as is)', async () => {
    const handle = await answeredCall();
    await provider.transfer(handle, '+14155550199');
    await provider.transfer(handle, 'sip:queue@pbx.example.com');
    const refers = fake.requests('REFER', handle.providerRef);
    expect(refers.map((m) => m.headers['refer-to'])).toEqual(['<sip:+14155550199@trunk.example.com:5060>', '<sip:queue@pbx.example.com>']);
    await expect(provider.transfer(handle, 'user:bob')).rejects.toThrow(/user:/);
  });

  it('dials an E.164 agent through the trunk and refuses user: endpoints', async () => {
    await provider.place(request({ agentEndpoint: '+15551234567' }));
    await eventually(() => expect(facts()).toContainEqual({ kind: 'answered' }));
    expect(fake.requests('INVITE')[0].uri).toBe('sip:+15551234567@trunk.example.com:5060');

    const sent = fake.sent.length;
    await expect(provider.place(request({ agentEndpoint: 'user:alice' }))).rejects.toThrow(VoiceProviderError);
    await expect(provider.place(request({ agentEndpoint: 'user:alice' }))).rejects.toThrow(/cannot reach agent endpoint "user:alice"/);
    expect(fake.sent.length).toBe(sent);
  });

  it('an E.164 agent through a trunk that challenges (401): the agent\'s INVITE answers with the trunk account; a PBX agent never sees it', async () => {
    await provider.close();
    provider = new SipVoiceProvider({ host: '127.0.0.1', port: fake.port, secret: SECRET, trunkUri: TRUNK, trunkCredentials: { username: 'trunk-user', password: 'trunk-secret' } });
    provider.connect(async (report) => void reports.push(report));
    await eventually(() => provider.check());
    const challenge = { status: 401, afterMs: 5, headers: { 'www-authenticate': 'Digest realm="trunk.test", nonce="n0nce", qop="auth", algorithm=MD5' } };
    const script = fake.script;
    // The agent's number behind the trunk: challenged, then answered once the INVITE carries credentials.
    fake.script = (invite) => (invite.uri !== 'sip:+15551234567@trunk.example.com:5060' ? script(invite) : invite.headers.authorization ? ua.answers() : [challenge]);
    try {
      await provider.place(request({ agentEndpoint: '+15551234567' }));
      await eventually(() => expect(facts()).toContainEqual({ kind: 'answered' }));
      const [first, retried] = fake.requests('INVITE').filter((m) => m.uri === 'sip:+15551234567@trunk.example.com:5060');
      expect(first!.headers.authorization).toBeUndefined();
      expect(retried!.headers.authorization).toMatch(/^Digest .*username="trunk-user".*realm="trunk.test"/);

      agentSteps = [challenge];
      reports.length = 0;
      await provider.place(request({ agentEndpoint: 'sip:1001@pbx.example' }));
      await eventually(() => expect(facts()).toEqual([{ kind: 'ended', reason: 'failed' }]));
      expect(fake.requests('INVITE').filter((m) => m.uri === 'sip:1001@pbx.example' && m.headers.authorization)).toEqual([]);
    } finally {
      fake.script = script;
    }
  });

  it('controls of a call it does not know fail; a second hangup is harmless', async () => {
    const handle = await answeredCall();
    await fake.byeFrom(handle.providerRef);
    await eventually(() => expect(provider.liveCalls).toBe(0));
    const sent = fake.sent.length;
    await expect(provider.hangup(handle)).resolves.toBeUndefined(); // dispose already ran
    await expect(provider.hangup(handle)).resolves.toBeUndefined();
    await expect(provider.hold(handle)).rejects.toBeInstanceOf(VoiceProviderError);
    expect(fake.sent.length).toBe(sent);
    expect(reports.filter((r) => r.fact.kind === 'ended')).toHaveLength(1);
  });

  it('loses readiness when the connection drops, ends the calls it carried, and reconnects', async () => {
    await answeredCall();
    fake.accepting = false;
    fake.dropConnections();
    await eventually(() => expect(provider.check()).rejects.toThrow(VoiceProviderError));
    await eventually(() => expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'failed' }));
    expect(provider.liveCalls).toBe(0);
    await expect(provider.place(request({ callId: 'call-2' }))).rejects.toThrow(/not connected/);

    fake.accepting = true;
    await eventually(() => provider.check());
    await new Promise((resolve) => setTimeout(resolve, 150)); // srf's own reconnect would have struck by now
    expect(fake.connections).toBe(1);
    reports = [];
    await provider.place(request({ callId: 'call-2' }));
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
  });

  it('close() hangs up what is live and disconnects; twice is harmless', async () => {
    const handle = await answeredCall();
    await provider.close();
    await provider.close();
    expect(fake.requests('BYE', handle.providerRef)).toHaveLength(1);
    expect(ended()?.fact).toEqual({ kind: 'ended', reason: 'completed' });
    await expect(provider.check()).rejects.toThrow(VoiceProviderError);
  });
});
