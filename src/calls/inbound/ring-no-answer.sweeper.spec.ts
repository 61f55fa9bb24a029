import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../../test/support/memory-unit-of-work';
import { aTenant, quietLogger, tenantsOf } from '../../../test/support/service-doubles';
import type { AppConfig } from '../../config/config.schema';
import { RingNoAnswerSweeper } from './ring-no-answer.sweeper';

describe('RingNoAnswerSweeper', () => {
  let uow: MemoryUnitOfWork;
  const config = { routing: { ringNoAnswerSweepMs: 1000 }, tenants: [{ id: 'acme', ringNoAnswerSeconds: 10 }] } as AppConfig;
  const sweeper = () => new RingNoAnswerSweeper(uow, tenantsOf(aTenant()), config, quietLogger());
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  beforeEach(() => { uow = memoryUnitOfWork(); });

  async function ringing(offeredTo: string | null, offeredAt: string, state = 'ringing'): Promise<{ callId: string; conversationId: string }> {
    const contact = aContact();
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: offeredTo });
    await uow.direct.conversations.insert(conversation);
    const callId = `call-${uow.state.interactions.size + 1}`;
    await uow.direct.calls.insert({
      tenantId: 'acme',
      interaction: {
        id: callId, conversationId: conversation.id, channel: 'voice', direction: 'inbound', state, provider: 'simulator', providerRef: `SIM-${callId}`,
        from: contact.phone, to: '+14155550000', origin: null, endReason: null, startedAt: offeredAt, endedAt: null, updatedAt: offeredAt,
      },
      details: { agentEndpoint: '', callerId: '+14155550000', muted: false, answeredAt: null, consent: null, refs: {} },
    });
    await uow.direct.inboundCalls.insert({ interactionId: callId, tenantId: 'acme', offeredTo, offeredAt, answeredBy: null, answeredAt: null });
    return { callId, conversationId: conversation.id };
  }

  it('puts a call that rang out on its agent back in the queue, once however often it sweeps, and marks the agent away', async () => {
    const { callId, conversationId } = await ringing('alice', ago(30));
    await ringing('bob', ago(2)); // still within the tenant's ten seconds
    await sweeper().sweep();
    await sweeper().sweep();
    expect(uow.emitted().map((e) => [e.type, e.agentId, e.data])).toEqual([
      ['conversation.released', 'alice', { agentId: 'alice', by: 'rona' }],
      ['call.requeued', null, { agentId: 'alice', ringNoAnswerSeconds: 10 }],
      ['agent.status', 'alice', { agentId: 'alice', status: 'away', reason: 'rona' }],
    ]);
    expect(uow.state.inboundCalls.get(callId)).toMatchObject({ offeredTo: null });
    expect(uow.state.conversations.get(conversationId)!.agentId).toBeNull();
    expect((await uow.direct.agents.find('acme', 'alice'))!.awaySince).toEqual(expect.any(String));
  });

  it('leaves queued, answered and ended calls alone', async () => {
    await ringing(null, ago(30));
    await ringing('alice', ago(30), 'ended');
    const { callId } = await ringing('bob', ago(30));
    await uow.direct.inboundCalls.claimAnswer('acme', callId, 'bob', ago(1));
    await sweeper().sweep();
    expect(uow.emitted()).toEqual([]);
  });
});
