import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, quietLogger, tenantsOf } from '../../../test/support/service-doubles';
import { ErrorCode } from '../../common/errors/domain-error';
import type { CallbackUrls } from '../../providers/callbacks/callback-urls';
import type { VoiceCapability } from '../../providers/provider-descriptor';
import type { ProviderRegistry } from '../../providers/provider.registry';
import { PROVIDERS } from '../../providers/providers';
import type { LegChange, ParticipantControl, ParticipantDial } from '../../providers/voice-participants.port';
import { VoiceProviderError, type CallHandle, type CallRequest } from '../../providers/voice-provider.port';
import { CallsService } from '../calls.service';
import { ParticipantsService } from './participants.service';

/** A voice provider (named as the test says) whose participants' legs are recorded. */
class FakeVoice implements ParticipantControl {
  done: string[] = [];
  failing?: Error;
  constructor(readonly name: string, readonly participants?: ParticipantControl) {}
  async place(r: CallRequest): Promise<CallHandle> { return { callId: r.callId, providerRef: 'REF1', refs: {} }; }
  private async carry(what: string) { if (this.failing) throw this.failing; this.done.push(what); }
  hangup() { return this.carry('hangup'); }
  hold() { return this.carry('hold'); }
  resume() { return this.carry('resume'); }
  mute() { return this.carry('mute'); }
  unmute() { return this.carry('unmute'); }
  sendDtmf() { return this.carry('dtmf'); }
  transfer() { return this.carry('transfer'); }
  connect() {}
  async check() {}
  async close() {}
  dial(_c: CallHandle, p: ParticipantDial) { return this.carry(`dial ${p.role} ${p.to} ${p.mode}`); }
  update(_c: CallHandle, ref: string, _r: string, change: LegChange) { return this.carry(`update ${ref} ${JSON.stringify(change)}`); }
  remove(_c: CallHandle, ref: string) { return this.carry(`remove ${ref}`); }
}

describe('ParticipantsService', () => {
  let uow: MemoryUnitOfWork;
  let voice: FakeVoice;
  let calls: CallsService;
  let service: ParticipantsService;
  let conversationId: string;
  const principal = aPrincipal();

  /** The registry as the gateway builds it, for one provider: the capabilities are its real descriptor's. */
  function build(name: 'simulator' | 'twilio' | 'jambonz' | 'sip', withControl = true): void {
    voice = new FakeVoice(name);
    if (withControl) (voice as { participants?: ParticipantControl }).participants = voice;
    const descriptor = PROVIDERS.find((d) => d.name === name)!;
    const providers = {
      voiceFor: () => voice,
      voiceChainFor: () => [voice],
      voiceByName: (n: string) => (n === name ? voice : undefined),
      voiceProviders: () => [voice],
      standInSender: () => undefined,
      capabilityRefusal: (_p: string, capability: VoiceCapability) => {
        const answer = descriptor.capabilities?.[capability];
        return answer === true ? undefined : answer;
      },
    } as unknown as ProviderRegistry;
    calls = new CallsService(uow, tenantsOf(aTenant()), providers, {} as CallbackUrls, quietLogger());
    service = new ParticipantsService(uow, tenantsOf(aTenant()), providers, {} as CallbackUrls, calls, quietLogger());
  }

  beforeEach(async () => {
    uow = memoryUnitOfWork();
    const contact = aContact({ phone: '+14155550123' });
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: 'alice' });
    conversationId = conversation.id;
    await uow.direct.conversations.insert(conversation);
  });

  async function answeredCall(): Promise<string> {
    const call = await calls.place(principal, conversationId, { agentEndpoint: 'sip:alice@pbx.example' });
    await calls.report({ provider: voice.name as 'twilio', callId: call.id, providerRef: 'REF1', fact: { kind: 'answered' } });
    voice.done = [];
    return call.id;
  }

  it.each([
    // SIP consults by re-INVITEs, but cannot merge: the capability check comes before the call's state.
    ['sip', 'merge', 'sip cannot merge: SIP through drachtio has no audio mixer for more than two parties (merge and added parties need one; consult, complete and cancel work)'],
    ['sip', 'add', 'sip cannot add: SIP through drachtio has no audio mixer for more than two parties (merge and added parties need one; consult, complete and cancel work)'],
    ['sip', 'supervise', 'sip cannot supervise: SIP through drachtio has no audio mixer to let a supervisor listen in'],
  ] as const)('%s cannot %s: 422 naming the provider and the reason, nothing asked of it or stored', async (name, kind, detail) => {
    build(name);
    const id = await answeredCall();
    const command = kind === 'merge' ? { kind } : kind === 'add' ? { kind, to: 'user:bob', role: 'agent' as const } : { kind, endpoint: 'user:sue', mode: 'monitor' as const };
    await expect(service.command(principal, id, command)).rejects.toMatchObject({ code: ErrorCode.Unprocessable, detail });
    expect(voice.done).toEqual([]);
    expect(uow.state.participants.size).toBe(0);
  });

  it('a provider with the capability but no participant control is refused alike', async () => {
    build('twilio', false);
    const id = await answeredCall();
    await expect(service.command(principal, id, { kind: 'consult', to: 'user:bob' }))
      .rejects.toMatchObject({ code: ErrorCode.Unprocessable, detail: 'twilio cannot consult: twilio cannot bridge more than two parties' });
  });

  it('holds the customer before dialling the colleague, and stores the parties with their events', async () => {
    build('twilio');
    const id = await answeredCall();
    const view = await service.command(principal, id, { kind: 'consult', to: 'user:bob' });
    expect(voice.done).toEqual(['hold', 'dial consultee user:bob private']);
    expect(view.participants.map((p) => [p.role, p.state, p.mode])).toEqual([['customer', 'held', 'talk'], ['agent', 'connected', 'talk'], ['consultee', 'dialing', 'private']]);
    expect(uow.emitted().map((e) => e.type).slice(-3)).toEqual(['call.held', 'call.participant.updated', 'call.participant.updated']);
    expect(uow.emitted('call.participant.updated').every((e) => e.agentId === 'alice' && e.interactionId === id)).toBe(true);
  });

  it('a provider failure is a 502 and nothing of the parties is stored', async () => {
    build('twilio');
    const id = await answeredCall();
    await service.command(principal, id, { kind: 'add', to: 'user:bob', role: 'consultee' }).catch(() => undefined);
    const pid = [...uow.state.participants.keys()][0]!;
    const before = uow.emitted().length;
    voice.failing = new VoiceProviderError('twilio could not remove the participant: gone (20404)');
    await expect(service.command(principal, id, { kind: 'remove', participantId: pid }))
      .rejects.toMatchObject({ code: ErrorCode.BadGateway, detail: 'the provider did not carry out remove: twilio could not remove the participant: gone (20404)' });
    expect(uow.state.participants.get(pid)!.state).toBe('dialing');
    expect(uow.emitted()).toHaveLength(before);
  });

  it('hangs the call up when the last agent-side leg reports its end; ignores unknown parties and other providers', async () => {
    build('twilio');
    const id = await answeredCall();
    await service.command(principal, id, { kind: 'add', to: 'user:bob', role: 'agent' });
    const pid = [...uow.state.participants.keys()][0]!;
    expect(await service.report({ provider: 'twilio', callId: id, participantId: pid, fact: { kind: 'answered' } })).toBe('applied');
    expect(await service.report({ provider: 'twilio', callId: id, participantId: pid, fact: { kind: 'answered' } })).toBe('stale');
    expect(await service.report({ provider: 'twilio', callId: id, participantId: 'nobody', fact: { kind: 'answered' } })).toBe('unknown');
    expect(await service.report({ provider: 'jambonz', callId: id, participantId: pid, fact: { kind: 'ended', reason: 'completed' } })).toBe('unknown');
    await service.command(principal, id, { kind: 'remove', participantId: `${id}-agent` });
    expect(voice.done.at(-1)).toBe(`remove agent`);
    voice.done = [];
    expect(await service.report({ provider: 'twilio', callId: id, participantId: pid, fact: { kind: 'ended', reason: 'completed' } })).toBe('applied');
    expect(voice.done).toEqual(['hangup']);
    expect((await calls.get(principal, id)).state).toBe('ended');
    expect(uow.emitted().map((e) => e.type).slice(-3)).toEqual(['call.participant.left', 'call.ended', 'conversation.updated']);
  });
});
