import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, quietLogger, tenantsOf } from '../../../test/support/service-doubles';
import { AgentsService } from '../../agents/agents.service';
import { ErrorCode } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config.schema';
import type { CallbackUrls } from '../../providers/callbacks/callback-urls';
import type { ProviderRegistry } from '../../providers/provider.registry';
import { VoiceProviderError, type CallHandle } from '../../providers/voice-provider.port';
import { InboundRouter } from '../../routing/inbound-router.service';
import type { PresenceService } from '../../routing/presence.service';
import { CallsService } from '../calls.service';
import { InboundCallsService } from './inbound-calls.service';

const NUMBER = '+14155550000';
const CALLER = '+14155550123';

describe('InboundCallsService', () => {
  let uow: MemoryUnitOfWork;
  let service: InboundCallsService;
  let online: Set<string>;
  let connected: Array<[CallHandle, string]>;
  let refuse: boolean;

  beforeEach(() => {
    uow = memoryUnitOfWork();
    online = new Set(['alice', 'bob']);
    connected = [];
    refuse = false;
    const voice = {
      name: 'twilio',
      async connectAgent(handle: CallHandle, endpoint: string) {
        if (refuse) throw new VoiceProviderError('the agent leg was refused');
        connected.push([handle, endpoint]);
      },
    };
    const providers = { voiceByName: (name: string) => (name === 'twilio' ? voice : undefined) } as unknown as ProviderRegistry;
    const tenants = tenantsOf(aTenant());
    const config = { tenants: [{ id: 'acme', ringNoAnswerSeconds: 5, agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }, { id: 'bob', endpoint: 'sip:bob@pbx.example' }] }] } as AppConfig;
    const presence = { isOnline: async (_stores: unknown, key: { agentId: string }) => online.has(key.agentId) } as unknown as PresenceService;
    const calls = new CallsService(uow, tenants, providers, {} as CallbackUrls, quietLogger());
    const agents = new AgentsService(uow, tenants, providers, config);
    service = new InboundCallsService(uow, tenants, providers, new InboundRouter(presence), presence, agents, calls, config, quietLogger());
  });

  async function openConversationOf(agentId: string | null): Promise<string> {
    const contact = aContact({ phone: CALLER });
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId });
    await uow.direct.conversations.insert(conversation);
    return conversation.id;
  }
  const ring = (ref = 'CA1', to = NUMBER) => service.incoming({ provider: 'twilio', providerRef: ref, from: CALLER, to });
  const accepted = async (ref?: string) => {
    const verdict = await ring(ref);
    if (verdict.kind !== 'accepted') throw new Error(`not accepted: ${verdict.kind}`);
    return verdict;
  };

  it('rejects a number no tenant owns, storing nothing', async () => {
    expect(await ring('CA1', '+14155559999')).toEqual({ kind: 'unknown-number' });
    expect(uow.state.interactions.size).toBe(0);
    expect(uow.emitted()).toEqual([]);
  });

  it("joins the caller's open conversation and rings on its agent when online; a retry of the same call changes nothing", async () => {
    const conversationId = await openConversationOf('alice');
    const verdict = await accepted();
    expect(verdict).toMatchObject({ conversationId, duplicate: false, greeting: expect.any(String), holdMusicUrl: null });
    expect(uow.state.interactions.get(verdict.callId)).toMatchObject({ direction: 'inbound', state: 'ringing', channel: 'voice', from: CALLER, to: NUMBER });
    expect(uow.emitted().map((e) => [e.type, e.agentId, e.data.offeredTo])).toEqual([['call.incoming', 'alice', 'alice']]);
    expect(await ring()).toMatchObject({ callId: verdict.callId, duplicate: true });
    expect(uow.emitted()).toHaveLength(1);
  });

  it.each<[string, () => void | Promise<void>]>([
    ['offline', () => void online.delete('alice')],
    ['away', () => uow.direct.agents.setAway('acme', 'alice', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')],
  ])("waits in the queue when the conversation's agent is %s", async (_name, arrange) => {
    await openConversationOf('alice');
    await arrange();
    await accepted();
    expect(uow.emitted('call.incoming')[0]).toMatchObject({ agentId: null, data: { offeredTo: null } });
  });

  it('opens a queued conversation for an unknown caller', async () => {
    const verdict = await accepted();
    expect(uow.state.conversations.get(verdict.conversationId)).toMatchObject({ agentId: null });
    expect(uow.emitted().map((e) => e.type)).toEqual(['conversation.created', 'call.incoming']);
  });

  it('says busy when the conversation is on a call already', async () => {
    await openConversationOf(null);
    await accepted('CA1');
    expect(await ring('CA2')).toEqual({ kind: 'busy' });
  });

  it('answer: only the agent it rings on (409 for others); their device is connected, the call answered, the conversation theirs; twice is 409', async () => {
    const conversationId = await openConversationOf('alice');
    const { callId } = await accepted();
    await expect(service.answer(aPrincipal({ agentId: 'bob' }), callId)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(service.answer(aPrincipal({ agentId: 'carol' }), callId)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    const view = await service.answer(aPrincipal({ agentId: 'alice' }), callId);
    expect(view).toMatchObject({ state: 'answered', agentEndpoint: 'sip:alice@pbx.example', direction: 'inbound' });
    expect(connected.map(([h, endpoint]) => [h.providerRef, endpoint])).toEqual([['CA1', 'sip:alice@pbx.example']]);
    expect(uow.state.conversations.get(conversationId)!.agentId).toBe('alice');
    await expect(service.answer(aPrincipal({ agentId: 'alice' }), callId)).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('answer: an agent with no device gets 422; a provider that refuses the agent leg gives 502 and the call waits again', async () => {
    const { callId, conversationId } = await accepted();
    await expect(service.answer(aPrincipal({ agentId: 'carol' }), callId)).rejects.toMatchObject({ code: ErrorCode.Unprocessable });
    refuse = true;
    await expect(service.answer(aPrincipal({ agentId: 'bob' }), callId)).rejects.toMatchObject({ code: ErrorCode.BadGateway });
    expect(uow.state.inboundCalls.get(callId)).toMatchObject({ answeredBy: null, offeredTo: null });
    refuse = false;
    const view = await service.answer(aPrincipal({ agentId: 'alice' }), callId);
    expect(view.state).toBe('answered');
    expect(uow.state.conversations.get(conversationId)!.agentId).toBe('alice');
  });
});
