import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import type { ParticipantDial, ParticipantReport } from '../../src/providers/voice-participants.port';
import { VoiceProviderError, type CallHandle, type CallReport, type CallRequest } from '../../src/providers/voice-provider.port';
import { mediaTargets } from '../../src/providers/sip/sip.mapper';
import { FakeDrachtio, sdp, ua, type SipRecord, type UaStep } from '../support/fake-drachtio';
import { eventually as retry } from '../support/eventually';

/**
 * Warm transfer over SIP (sip.consult.ts) against the fake drachtio-server: the steps the
 * participants service asks for, in its order (consult: hold, then dial; complete: remove the
 * agent, update the consultee, resume; cancel: remove the consultee, resume), checked on the wire.
 */
const SECRET = 'cymru';
const TRUNK = 'sip:trunk.example.com:5060';
const AGENT = 'sip:1001@pbx.example.com';
const CONSULTEE = 'sip:2002@pbx.example.com';
const CONSULTEE_SDP = sdp('10.0.0.30', 60000, 'consultee');
const callbacks = new CallbackUrls('https://gw.example.com', 'a-test-secret-of-32-characters!!');

let fake: FakeDrachtio;
let provider: SipVoiceProvider;
let reports: CallReport[];
let parties: ParticipantReport[];
let consulteeSteps: UaStep[];

/** The fake drachtio answers within milliseconds: poll often, give up after 3 s. */
const eventually = (assertion: () => unknown, timeoutMs = 3000): Promise<void> => retry(assertion, timeoutMs, 10);

const request = (over: Partial<CallRequest> = {}): CallRequest => ({
  callId: 'call-1', to: '+14155550123', agentEndpoint: AGENT, callerId: '+14155550100', callbacks, ...over,
});
const party = (over: Partial<ParticipantDial> = {}): ParticipantDial => ({
  participantId: 'P1', role: 'consultee', to: CONSULTEE, mode: 'private', callerId: '+14155550100', callbacks, ...over,
});
const facts = (): unknown[] => parties.map((r) => r.fact);
const agentCallId = (): string => fake.requests('INVITE').find((m) => m.uri === AGENT)!.callId;
const consulteeCallId = (): string => fake.requests('INVITE').find((m) => m.uri === CONSULTEE)!.callId;
/** Re-INVITEs (INVITEs after the first) the application sent on a leg. */
const reinvites = (callId: string): SipRecord[] => fake.requests('INVITE', callId).slice(1);

async function answeredCall(over: Partial<CallRequest> = {}): Promise<CallHandle> {
  const handle = await provider.place(request(over));
  await eventually(() => expect(reports.map((r) => r.fact)).toContainEqual({ kind: 'answered' }));
  return handle;
}

/** The service's consult: the customer holds, then the colleague is dialled; resolves once they talk. */
async function consulting(handle: CallHandle): Promise<void> {
  await provider.hold(handle);
  await provider.participants.dial(handle, party());
  await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]));
}

beforeEach(async () => {
  reports = [];
  parties = [];
  consulteeSteps = ua.ringsThenAnswers(CONSULTEE_SDP);
  fake = await FakeDrachtio.start({
    secret: SECRET,
    script: (invite) => (invite.uri === CONSULTEE ? consulteeSteps : invite.uri?.includes('@trunk.example.com') ? ua.ringsThenAnswers() : ua.answers()),
  });
  provider = new SipVoiceProvider({ host: '127.0.0.1', port: fake.port, secret: SECRET, trunkUri: TRUNK }, require('pino')({ level: process.env.LOGLEVEL ?? 'silent' }));
  provider.connect(async (report) => void reports.push(report));
  provider.participants.connect(async (report) => {
    parties.push(report);
    return 'applied';
  });
  await eventually(() => provider.check());
});

afterEach(async () => {
  await provider.close();
  await fake.close();
});

describe('SIP warm transfer (consult, complete, cancel by re-INVITEs)', () => {
  it('consult: the customer is held, the consultee is INVITEd with the agent\'s media, and the agent is re-INVITEd with the consultee\'s answer', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    expect(parties.every((r) => r.provider === 'sip' && r.callId === 'call-1' && r.participantId === 'P1')).toBe(true);

    const [hold] = reinvites(handle.providerRef);
    expect(hold.body).toContain('a=inactive');
    expect(mediaTargets(hold.body)).toEqual(['10.0.0.10 40000']);
    const invite = fake.requests('INVITE', consulteeCallId())[0];
    expect(mediaTargets(invite.body)).toEqual(['10.0.0.10 40000']); // the agent's media
    expect(invite.body).toContain('a=sendrecv');
    expect(invite.headers.from).toContain('+14155550100');
    const toAgent = reinvites(agentCallId()).at(-1)!;
    expect(mediaTargets(toAgent.body)).toEqual(['10.0.0.30 60000']);
    expect(toAgent.body).toMatch(/^o=contact-gateway /m); // our origin on the agent's leg
    expect(fake.sent.indexOf(hold)).toBeLessThan(fake.sent.indexOf(invite)); // held before the colleague rings
    expect(reinvites(handle.providerRef)).toHaveLength(1); // the customer is left alone meanwhile
  });

  it('complete: the customer gets the consultee\'s media (still held), the consultee the customer\'s, the agent a BYE; resume, then the consultee is the agent', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    await provider.participants.remove(handle, 'agent', 'agent');
    await provider.participants.update(handle, 'P1', 'consultee', { mode: 'talk' });
    await provider.resume(handle);

    const [, handOver, resume] = reinvites(handle.providerRef);
    expect(mediaTargets(handOver.body)).toEqual(['10.0.0.30 60000']);
    expect(handOver.body).toContain('a=inactive');
    expect(mediaTargets(resume.body)).toEqual(['10.0.0.30 60000']);
    expect(resume.body).toContain('a=sendrecv');
    const toConsultee = reinvites(consulteeCallId());
    expect(toConsultee).toHaveLength(1);
    expect(mediaTargets(toConsultee[0].body)).toEqual(['10.0.0.20 50000']);
    expect(toConsultee[0].body).toContain('a=sendrecv');
    const bye = await fake.waitFor((m) => m.method === 'BYE' && m.callId === agentCallId());
    expect(fake.sent.indexOf(bye)).toBeGreaterThan(fake.sent.indexOf(toConsultee[0])); // the agent goes last
    expect(fake.requests('BYE', consulteeCallId())).toEqual([]);

    // The consultee is now the call's agent: its hold reaches the customer, its BYE ends the call.
    const relayed = await fake.reinviteFrom(consulteeCallId(), CONSULTEE_SDP.replace('a=sendrecv', 'a=sendonly').replace(' 1 IN', ' 2 IN'));
    expect(relayed.status).toBe(200);
    expect(reinvites(handle.providerRef).at(-1)!.body).toContain('a=sendonly');
    await expect(fake.byeFrom(consulteeCallId())).resolves.toBe(200);
    await eventually(() => expect(reports.at(-1)!.fact).toEqual({ kind: 'ended', reason: 'completed' }));
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === handle.providerRef);
    expect(fake.openDialogs()).toBe(0);
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]); // a handed-over consultee's end is the call's
  });

  it('cancel after the consultee answered: BYE to the consultee, the agent re-INVITEd with the customer\'s media, then resume', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    await provider.participants.remove(handle, 'P1', 'consultee');
    const bye = await fake.waitFor((m) => m.method === 'BYE' && m.callId === consulteeCallId());
    const back = reinvites(agentCallId()).at(-1)!;
    expect(mediaTargets(back.body)).toEqual(['10.0.0.20 50000']);
    expect(back.body).toContain('a=sendrecv');
    expect(fake.sent.indexOf(bye)).toBeLessThan(fake.sent.indexOf(back));
    expect(reinvites(handle.providerRef)).toHaveLength(1); // the agent answered from where it was: the customer is not touched
    await provider.resume(handle);
    expect(reinvites(handle.providerRef).at(-1)!.body).toContain('a=sendrecv');
    expect(mediaTargets(reinvites(handle.providerRef).at(-1)!.body)).toEqual(['10.0.0.10 40000']);
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]); // a cancelled party's end is the service's to record
  });

  it('cancel while the consultee rings: CANCEL, and the agent is not re-INVITEd', async () => {
    consulteeSteps = ua.ringsForever();
    const handle = await answeredCall();
    await provider.hold(handle);
    await provider.participants.dial(handle, party());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }]));
    const before = reinvites(agentCallId()).length;
    await provider.participants.remove(handle, 'P1', 'consultee');
    await fake.waitFor((m) => m.method === 'CANCEL' && m.callId === consulteeCallId());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reinvites(agentCallId())).toHaveLength(before);
    expect(facts()).toEqual([{ kind: 'ringing' }]);
  });

  it.each([
    ['busy', ua.refuses(486), 'busy'],
    ['declines', ua.ringsThenFails(603), 'rejected'],
    ['rings out', ua.ringsThenFails(480), 'no-answer'],
  ] as const)('the consultee %s: it leaves with that reason, the customer stays on hold with the agent', async (_what, steps, reason) => {
    consulteeSteps = [...steps];
    const handle = await answeredCall();
    await provider.hold(handle);
    const agentReinvites = reinvites(agentCallId()).length;
    await provider.participants.dial(handle, party());
    await eventually(() => expect(facts().at(-1)).toEqual({ kind: 'ended', reason }));
    expect(reinvites(agentCallId())).toHaveLength(agentReinvites);
    expect(reinvites(handle.providerRef)).toHaveLength(1); // the hold only
    // Consulting again is possible.
    consulteeSteps = ua.ringsThenAnswers(CONSULTEE_SDP);
    await provider.participants.dial(handle, party({ participantId: 'P2' }));
    await eventually(() => expect(parties.filter((r) => r.participantId === 'P2').map((r) => r.fact)).toContainEqual({ kind: 'answered' }));
  });

  it('no answer within the call\'s ring timeout: the consultee is CANCELled and leaves no-answer', async () => {
    consulteeSteps = ua.ringsForever();
    const handle = await answeredCall({ ringTimeoutSeconds: 1 });
    await provider.hold(handle);
    await provider.participants.dial(handle, party());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]), 4000);
    expect(fake.requests('CANCEL', consulteeCallId())).toHaveLength(1);
  });

  it('the consultee hangs up during the consultation: it leaves, the agent is returned to the customer\'s media', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    await expect(fake.byeFrom(consulteeCallId())).resolves.toBe(200);
    await eventually(() => expect(facts().at(-1)).toEqual({ kind: 'ended', reason: 'completed' }));
    await eventually(() => expect(mediaTargets(reinvites(agentCallId()).at(-1)!.body)).toEqual(['10.0.0.20 50000']));
    expect(reports.map((r) => r.fact)).not.toContainEqual(expect.objectContaining({ kind: 'ended' })); // the call goes on
  });

  it('while consulting, the agent\'s re-INVITE goes to the consultee and the customer\'s is answered on hold', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    const toConsultee = reinvites(consulteeCallId()).length;
    const res = await fake.reinviteFrom(agentCallId(), sdp('10.0.0.11', 40002, 'agent').replace(' 1 IN', ' 3 IN'));
    expect(res.status).toBe(200);
    expect(mediaTargets(reinvites(consulteeCallId()).at(-1)!.body)).toEqual(['10.0.0.11 40002']);
    expect(reinvites(consulteeCallId())).toHaveLength(toConsultee + 1);
    const customerReinvites = reinvites(handle.providerRef).length;
    const held = await fake.reinviteFrom(handle.providerRef, sdp('10.0.0.21', 50002, 'customer').replace(' 1 IN', ' 2 IN'));
    expect(held.status).toBe(200);
    expect(held.body).toContain('a=inactive');
    expect(reinvites(handle.providerRef)).toHaveLength(customerReinvites);
    expect(reinvites(agentCallId()).at(-1)!.body).not.toContain('10.0.0.21');
  });

  it('the call ending during a consultation releases the consultee too', async () => {
    const handle = await answeredCall();
    await consulting(handle);
    await provider.hangup(handle);
    await fake.waitFor((m) => m.method === 'BYE' && m.callId === consulteeCallId());
    expect(fake.openDialogs()).toBe(0);
    expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'answered' }]);
  });

  it('offers a fact again while the participants service does not know the party yet (a 200 can outrun its transaction)', async () => {
    const handle = await answeredCall();
    let unknown = 2;
    provider.participants.connect(async (report) => {
      parties.push(report);
      return unknown-- > 0 ? 'unknown' : 'applied';
    });
    await provider.hold(handle);
    await provider.participants.dial(handle, party());
    await eventually(() => expect(facts()).toEqual([{ kind: 'ringing' }, { kind: 'ringing' }, { kind: 'ringing' }, { kind: 'answered' }]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(facts()).toHaveLength(4); // taken: not offered again
  });

  it('refuses what needs a mixer as unsupported (422): merge, added parties, supervisors, removing the agent without a consultation', async () => {
    const handle = await answeredCall();
    const unsupported = expect.objectContaining({ unsupported: true, message: expect.stringMatching(/audio mixer/) });
    await expect(provider.participants.remove(handle, 'agent', 'agent')).rejects.toEqual(unsupported);
    await expect(provider.participants.dial(handle, party({ role: 'supervisor', mode: 'monitor' }))).rejects.toEqual(unsupported);
    await expect(provider.participants.dial(handle, party({ mode: 'talk' }))).rejects.toEqual(unsupported);
    await consulting(handle);
    await expect(provider.participants.update(handle, 'P1', 'consultee', { mode: 'talk' })).rejects.toEqual(
      expect.objectContaining({ unsupported: true, message: expect.stringMatching(/^merging a consultation/) }),
    );
    await expect(provider.participants.dial(handle, party({ participantId: 'P2' }))).rejects.toBeInstanceOf(VoiceProviderError); // one at a time
    expect(fake.requests('INVITE').filter((m) => m.uri === CONSULTEE)).toHaveLength(1);
  });
});
