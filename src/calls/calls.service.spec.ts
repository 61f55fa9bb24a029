import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, quietLogger, tenantsOf } from '../../test/support/service-doubles';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Contact } from '../contacts/domain/contact';
import type { CallbackUrls } from '../providers/callbacks/callback-urls';
import type { ProviderRegistry } from '../providers/provider.registry';
import { VoiceProviderError, type CallHandle, type CallReport, type CallRequest, type VoiceProvider } from '../providers/voice-provider.port';
import type { TenantSettings } from '../tenants/tenant';
import { CallsService } from './calls.service';
import type { CallCommand } from './domain/call-state';

/** A voice provider that records what it was asked and answers as the test tells it. */
class FakeVoice {
  constructor(readonly name: 'twilio' | 'jambonz' = 'twilio') {}
  placed: CallRequest[] = [];
  done: Array<[CallCommand | 'place', CallHandle | CallRequest, string?]> = [];
  placing: (request: CallRequest) => Promise<CallHandle> = async (r) => ({ callId: r.callId, providerRef: 'CA1', refs: { conference: `c-${r.callId}` } });
  failing?: Error;

  async place(request: CallRequest): Promise<CallHandle> { this.placed.push(request); return this.placing(request); }
  private async carry(command: CallCommand, handle: CallHandle, argument?: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.done.push([command, handle, argument]);
  }
  hangup(h: CallHandle) { return this.carry('hangup', h); }
  hold(h: CallHandle) { return this.carry('hold', h); }
  resume(h: CallHandle) { return this.carry('resume', h); }
  mute(h: CallHandle) { return this.carry('mute', h); }
  unmute(h: CallHandle) { return this.carry('unmute', h); }
  sendDtmf(h: CallHandle, digits: string) { return this.carry('dtmf', h, digits); }
  transfer(h: CallHandle, to: string) { return this.carry('transfer', h, to); }
  connect() {}
  async check() {}
  async close() {}
}

describe('CallsService', () => {
  let uow: MemoryUnitOfWork;
  let voice: FakeVoice;
  let service: CallsService;
  let contact: Contact;
  let conversationId: string;
  const principal = aPrincipal();
  const agentEndpoint = 'sip:alice@pbx.example';

  function build(tenant: TenantSettings = aTenant()): void {
    const providers = {
      voiceFor: () => voice,
      voiceChainFor: () => [voice],
      voiceByName: (name: string) => (name === 'twilio' ? voice : undefined),
      standInSender: () => undefined,
      capabilityRefusal: () => undefined,
    } as unknown as ProviderRegistry;
    service = new CallsService(uow, tenantsOf(tenant), providers, {} as CallbackUrls, quietLogger());
  }

  beforeEach(async () => {
    uow = memoryUnitOfWork();
    voice = new FakeVoice();
    contact = aContact({ phone: '+14155550123' });
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: 'alice' });
    conversationId = conversation.id;
    await uow.direct.conversations.insert(conversation);
    build();
  });

  const report = (callId: string, fact: CallReport['fact'], fields: Partial<CallReport> = {}): CallReport =>
    ({ provider: 'twilio', callId, providerRef: 'CA1', fact, ...fields });

  /** A placed call, answered by the customer. */
  async function answeredCall(): Promise<string> {
    const call = await service.place(principal, conversationId, { agentEndpoint });
    await service.report(report(call.id, { kind: 'answered' }));
    return call.id;
  }

  describe('place', () => {
    it('records the call, announces call.initiated, places it and keeps the provider references', async () => {
      const view = await service.place(principal, conversationId, { agentEndpoint, consent: { via: 'verbal', at: '2026-01-01T00:00:00.000Z' } });

      expect(voice.placed).toEqual([expect.objectContaining({ callId: view.id, to: '+14155550123', agentEndpoint, callerId: '+14155550000' })]);
      expect(view).toMatchObject({ state: 'initiating', providerRef: 'CA1', conversationId, consent: { via: 'verbal', at: '2026-01-01T00:00:00.000Z' } });
      expect(uow.state.calls.get(view.id)!.refs).toEqual({ conference: `c-${view.id}` });
      expect(uow.emitted()).toEqual([expect.objectContaining({
        type: 'call.initiated', conversationId, interactionId: view.id, agentId: 'alice',
        data: { to: '+14155550123', agentEndpoint, provider: 'twilio', consent: { via: 'verbal', at: '2026-01-01T00:00:00.000Z' } },
      })]);
    });

    it.each<[string, () => TenantSettings | void, ErrorCode, string]>([
      ['a closed conversation', () => { uow.state.conversations.get(conversationId)!.status = 'closed'; }, ErrorCode.Conflict, 'the conversation is closed'],
      ['a call without consent where the tenant requires it', () => aTenant({ requireConsent: true }), ErrorCode.Unprocessable, 'consent'],
      ['a number on the do-not-call list', () => aTenant({ doNotCall: new Set(['+14155550123']) }), ErrorCode.Unprocessable, 'do-not-call'],
      ['a contact without a phone', () => { uow.state.contacts.get(contact.id)!.phone = null; }, ErrorCode.Unprocessable, 'no phone number'],
      ['an agent endpoint the tenant does not allow', () => aTenant({ agentEndpoints: ['user:*'] }), ErrorCode.Unprocessable, 'allowed agent endpoints'],
    ])('refuses %s: nothing stored, announced or dialled', async (_name, arrange, code, words) => {
      const tenant = arrange();
      if (tenant) build(tenant);

      const refused = await service.place(principal, conversationId, { agentEndpoint }).catch((e: unknown) => e);

      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code });
      expect(JSON.stringify(refused)).toContain(words);
      expect(uow.state.calls.size).toBe(0);
      expect(uow.emitted()).toEqual([]);
      expect(voice.placed).toEqual([]);
    });

    it('refuses a second live call in the conversation with 409, keeping the first', async () => {
      const first = await service.place(principal, conversationId, { agentEndpoint });

      await expect(service.place(principal, conversationId, { agentEndpoint }))
        .rejects.toMatchObject({ code: ErrorCode.Conflict, detail: 'the conversation already has a live call' });

      expect([...uow.state.calls.keys()]).toEqual([first.id]);
      expect(uow.emitted('call.initiated')).toHaveLength(1);
      expect(voice.placed).toHaveLength(1);
    });

    it('a provider refusal ends the call failed, announces call.failed and settles the conversation to wrap-up', async () => {
      voice.placing = async () => { throw new VoiceProviderError('no route'); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(view).toMatchObject({ state: 'failed', endReason: 'failed', providerRef: null });
      expect(uow.emitted().map((e) => e.type)).toEqual(['call.initiated', 'call.failed', 'conversation.updated']);
      expect(uow.state.conversations.get(conversationId)!.status).toBe('wrap-up');
      // The conversation may call again.
      voice.placing = async (r) => ({ callId: r.callId, providerRef: 'CA2', refs: {} });
      await expect(service.place(principal, conversationId, { agentEndpoint })).resolves.toMatchObject({ state: 'initiating' });
    });

    it('lets any other provider failure through', async () => {
      voice.placing = async () => { throw new TypeError('bug'); };
      await expect(service.place(principal, conversationId, { agentEndpoint })).rejects.toThrow(TypeError);
    });
  });

  describe('failover', () => {
    let second: FakeVoice;
    const numbers = ['+14155550000', '+14155550001'];

    function buildChain(tenant: TenantSettings): void {
      const chain = [voice, second];
      const providers = {
        voiceChainFor: () => chain,
        voiceByName: (name: string) => chain.find((p) => p.name === name),
        standInSender: () => undefined,
        capabilityRefusal: () => undefined,
      } as unknown as ProviderRegistry;
      service = new CallsService(uow, tenantsOf(tenant), providers, {} as CallbackUrls, quietLogger());
    }

    beforeEach(() => {
      second = new FakeVoice('jambonz');
      second.placing = async (r) => ({ callId: r.callId, providerRef: 'JZ1', refs: {} });
      buildChain(aTenant({ numbers, numberProviders: new Map([[numbers[0]!, 'twilio'], [numbers[1]!, 'jambonz']]) }));
    });

    it('places through the second provider, once, when the first could not take the call; the call is the second one\'s', async () => {
      voice.placing = async () => { throw new VoiceProviderError('twilio could not place the call: Service Unavailable', false, { code: 20503, retryable: true }); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(voice.placed).toHaveLength(1);
      expect(second.placed).toEqual([expect.objectContaining({ callId: view.id, callerId: numbers[1] })]);
      expect(view).toMatchObject({ provider: 'jambonz', providerRef: 'JZ1', state: 'initiating', callerId: numbers[1], from: numbers[1], failure: null, attempts: [
        { provider: 'twilio', error: 'twilio could not place the call: Service Unavailable', code: '20503' },
        { provider: 'jambonz', error: null, code: null },
      ] });
      // Only the provider the call is with now may report on it.
      expect(await service.report(report(view.id, { kind: 'answered' }, { providerRef: 'CA9' }))).toBe('unknown');
      expect(await service.report(report(view.id, { kind: 'answered' }, { provider: 'jambonz', providerRef: 'JZ1' }))).toBe('applied');
      expect(await service.answered(view.id, 'twilio')).toBeUndefined();
    });

    it('counts a provider that does not answer in time as not taken: the second places the call, a late call of the first is hung up', async () => {
      (service as unknown as { placeDeadlineMs: number }).placeDeadlineMs = 30;
      let answerLate!: () => void;
      voice.placing = (r) => new Promise((resolve) => { answerLate = () => resolve({ callId: r.callId, providerRef: 'CA-late', refs: {} }); });

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(view).toMatchObject({ provider: 'jambonz', providerRef: 'JZ1', attempts: [
        { provider: 'twilio', error: 'twilio did not answer in 30 ms', code: null }, { provider: 'jambonz', error: null, code: null },
      ] });
      answerLate();
      await new Promise((r) => setTimeout(r, 10));
      expect(voice.done).toEqual([['hangup', { callId: view.id, providerRef: 'CA-late', refs: {} }, undefined]]);
      expect((await service.get(principal, view.id)).providerRef).toBe('JZ1');
    });

    it('never fails over on a refusal that is not retryable: failed, with the provider\'s code and message', async () => {
      voice.placing = async () => { throw new VoiceProviderError("twilio could not place the call: Invalid 'To' Phone Number (21211)", false, { code: 21211 }); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(second.placed).toEqual([]);
      expect(view).toMatchObject({ provider: 'twilio', state: 'failed', endReason: 'failed',
        failure: { provider: 'twilio', code: '21211', message: "twilio could not place the call: Invalid 'To' Phone Number (21211)" },
        attempts: [{ provider: 'twilio', code: '21211' }] });
      expect(uow.emitted().map((e) => e.type)).toEqual(['call.initiated', 'call.failed', 'conversation.updated']);
    });

    it('skips a next provider that owns none of the numbers, recording why', async () => {
      buildChain(aTenant({ numbers, numberProviders: new Map([[numbers[0]!, 'twilio'], [numbers[1]!, 'twilio']]) }));
      voice.placing = async () => { throw new VoiceProviderError('twilio could not place the call: down', false, { retryable: true }); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(second.placed).toEqual([]);
      expect(view).toMatchObject({ provider: 'twilio', state: 'failed', callerId: numbers[0], failure: { provider: 'twilio', code: null }, attempts: [
        { provider: 'twilio', error: 'twilio could not place the call: down', code: null },
        { provider: 'jambonz', error: expect.stringMatching(/^skipped: .*none of the tenant's numbers belongs to jambonz/), code: 'skipped' },
      ] });
    });

    it('skips a next provider that cannot reach the agent endpoint', async () => {
      (second as unknown as { refusal: (e: string) => string }).refusal = () => 'is not a SIP URI this provider can dial';
      voice.placing = async () => { throw new VoiceProviderError('down', false, { retryable: true }); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect(second.placed).toEqual([]);
      expect(view.attempts.at(-1)).toEqual({ provider: 'jambonz', error: 'skipped: the agent endpoint is not a SIP URI this provider can dial', code: 'skipped' });
    });

    it('fails the call with the second provider\'s reason when it refuses too: two attempts, never a third', async () => {
      voice.placing = async () => { throw new VoiceProviderError('down', false, { retryable: true }); };
      second.placing = async () => { throw new VoiceProviderError('also down', false, { code: 503, retryable: true }); };

      const view = await service.place(principal, conversationId, { agentEndpoint });

      expect([voice.placed.length, second.placed.length]).toEqual([1, 1]);
      expect(view).toMatchObject({ provider: 'jambonz', state: 'failed', failure: { provider: 'jambonz', code: '503', message: 'also down' } });
      expect(view.attempts.map((a) => a.provider)).toEqual(['twilio', 'jambonz']);
    });

    it('keeps the reason a provider reports for an unsuccessful ending, never for a completed one', async () => {
      const busy = await service.place(principal, conversationId, { agentEndpoint });
      await service.report(report(busy.id, { kind: 'ended', reason: 'busy' }, { failure: { code: '486', message: '486 Busy Here' } }));
      expect((await service.get(principal, busy.id)).failure).toEqual({ provider: 'twilio', code: '486', message: '486 Busy Here' });
      // A repeat changes nothing; a completed call keeps no failure.
      expect(await service.report(report(busy.id, { kind: 'ended', reason: 'failed' }, { failure: { code: '500', message: 'x' } }))).toBe('stale');
      expect((await service.get(principal, busy.id)).failure).toMatchObject({ code: '486' });
    });
  });

  describe('report', () => {
    it('applies a forward fact once; a repeat is stale and announces nothing', async () => {
      const { id } = await service.place(principal, conversationId, { agentEndpoint });

      expect(await service.report(report(id, { kind: 'ringing' }))).toBe('applied');
      expect(await service.report(report(id, { kind: 'ringing' }))).toBe('stale');
      expect(await service.report(report(id, { kind: 'answered' }))).toBe('applied');
      expect(await service.report(report(id, { kind: 'ringing' }))).toBe('stale');

      expect(uow.emitted().map((e) => e.type)).toEqual(['call.initiated', 'call.ringing', 'call.answered']);
      expect(uow.emitted('call.answered')[0]!.data).toEqual({ state: 'answered', muted: false, endReason: null, providerRef: 'CA1', direction: 'outbound' });
      expect(uow.state.interactions.get(id)!.state).toBe('answered');
    });

    it("is unknown for a call it does not know, another provider's call, or another provider id", async () => {
      const { id } = await service.place(principal, conversationId, { agentEndpoint });

      expect(await service.report(report('nope', { kind: 'answered' }, { providerRef: '' }))).toBe('unknown');
      expect(await service.report(report(id, { kind: 'answered' }, { provider: 'jambonz' }))).toBe('unknown');
      expect(await service.report(report(id, { kind: 'answered' }, { providerRef: 'CA-other' }))).toBe('unknown');
      expect(uow.state.interactions.get(id)!.state).toBe('initiating');
      expect(uow.emitted().map((e) => e.type)).toEqual(['call.initiated']);
    });

    it('the end of the last live interaction settles the conversation to wrap-up, in the same unit', async () => {
      const id = await answeredCall();
      const commits = uow.commits;

      await service.report(report(id, { kind: 'ended', reason: 'completed' }));

      expect(uow.commits).toBe(commits + 1);
      expect(uow.emitted().slice(-2).map((e) => [e.type, e.agentId])).toEqual([['call.ended', 'alice'], ['conversation.updated', 'alice']]);
      expect(uow.state.conversations.get(conversationId)!.status).toBe('wrap-up');
    });
  });

  describe('command', () => {
    it('carries a command out through the provider, then records it with its step and event', async () => {
      const id = await answeredCall();

      const view = await service.command(principal, id, 'hold');

      expect(voice.done).toEqual([['hold', { callId: id, providerRef: 'CA1', refs: { conference: `c-${id}` } }, undefined]]);
      expect(view.state).toBe('held');
      expect(view.steps).toEqual([expect.objectContaining({ kind: 'held', agentId: 'alice' })]);
      expect(uow.emitted().at(-1)).toMatchObject({ type: 'call.held', interactionId: id });
    });

    it('keeps DTMF as a count of keys on the timeline, never the keys, and announces nothing', async () => {
      const id = await answeredCall();
      const announced = uow.emitted().length;

      await service.command(principal, id, 'dtmf', '1234#w');

      expect(voice.done.at(-1)).toEqual(['dtmf', expect.anything(), '1234#w']);
      expect(uow.state.timeline.map((e) => [e.kind, e.data])).toEqual([['dtmf_sent', { digitCount: 5, agentId: 'alice' }]]);
      expect(uow.emitted()).toHaveLength(announced);
    });

    it.each<[CallCommand, string]>([
      ['hold', 'only an answered call can be held (it is initiating)'],
      ['unmute', 'only a connected call can be unmuted (it is initiating)'],
    ])('refuses %s in a state that does not allow it (409) without asking the provider', async (command, detail) => {
      const { id } = await service.place(principal, conversationId, { agentEndpoint });
      await expect(service.command(principal, id, command)).rejects.toMatchObject({ code: ErrorCode.Conflict, detail });
      expect(voice.done).toEqual([]);
    });

    it('refuses any command on an ended call (409)', async () => {
      const id = await answeredCall();
      await service.report(report(id, { kind: 'ended', reason: 'completed' }));
      await expect(service.command(principal, id, 'hangup')).rejects.toMatchObject({ code: ErrorCode.Conflict });
      expect(voice.done).toEqual([]);
    });

    it('a provider failure is a 502 and leaves the call as it was', async () => {
      const id = await answeredCall();
      voice.failing = new VoiceProviderError('timeout');
      await expect(service.command(principal, id, 'mute')).rejects.toMatchObject({ code: ErrorCode.BadGateway });
      expect(uow.state.calls.get(id)!.muted).toBe(false);
      expect(uow.emitted('call.muted')).toEqual([]);
    });

    it('refuses a transfer to a target the tenant does not allow (422)', async () => {
      build(aTenant({ agentEndpoints: ['sip:*@pbx.example'] }));
      const id = await answeredCall();
      await expect(service.command(principal, id, 'transfer', '+447700900123')).rejects.toMatchObject({ code: ErrorCode.Unprocessable });
      expect(voice.done).toEqual([]);
    });

    it('a hangup the provider already reported as the end changes nothing more', async () => {
      const id = await answeredCall();
      // The provider's end report arrives while the hangup is under way.
      voice.hangup = async (h) => { await service.report(report(h.callId, { kind: 'ended', reason: 'completed' })); };

      const view = await service.command(principal, id, 'hangup');

      expect(view).toMatchObject({ state: 'ended', endReason: 'completed' });
      expect(uow.emitted('call.ended')).toHaveLength(1);
    });

    it('answers an unknown call with 404', async () => {
      await expect(service.command(principal, 'nope', 'hangup')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });

  describe('answer hooks', () => {
    it('names the live call to bridge only for its own provider, and lets the agent be dialled once', async () => {
      const { id } = await service.place(principal, conversationId, { agentEndpoint });

      expect(await service.answered(id, 'twilio')).toEqual({ callId: id, agentEndpoint, callerId: '+14155550000', tenantId: 'acme' });
      expect(await service.answered(id, 'jambonz')).toBeUndefined();
      expect(await service.claimAgentDial(id)).toBe(true);
      expect(await service.claimAgentDial(id)).toBe(false);

      await service.report(report(id, { kind: 'ended', reason: 'no-answer' }));
      expect(await service.answered(id, 'twilio')).toBeUndefined();
    });
  });
});

// The fake is a VoiceProvider as far as the service can tell.
const _typed: VoiceProvider = new FakeVoice();
void _typed;
