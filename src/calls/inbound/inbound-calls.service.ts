import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentsService } from '../../agents/agents.service';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { newId, nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { toE164 } from '../../common/phone/phone';
import { AppConfig } from '../../config/config.schema';
import { createContact } from '../../contacts/contact-resolver';
import { senderFacts } from '../../conversations/sender-facts';
import { contactView } from '../../contacts/contact.view';
import { isLive, type NewEvent } from '../../conversations/domain/conversation';
import { openConversation, reopen } from '../../conversations/domain/conversation-state';
import type { IncomingCall, IncomingVerdict } from '../../providers/inbound-call.port';
import { ProviderRegistry } from '../../providers/provider.registry';
import { VoiceProviderError } from '../../providers/voice-provider.port';
import { InboundRouter } from '../../routing/inbound-router.service';
import { PresenceService } from '../../routing/presence.service';
import { TenantsService } from '../../tenants/tenants.service';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import type { CallView } from '../call.view';
import { CallsService } from '../calls.service';
import type { Call } from '../domain/call';
import { answerRefusal, chooseOffer } from './domain/inbound-offer';
import { InboundSettingsReader } from './inbound-settings';
import { handleOf } from '../call-handle';

/**
 * Customers who call in. A call to one of a tenant's numbers joins the caller's open conversation
 * (or opens one, routed like an inbound message), is recorded as an inbound call interaction and
 * rings on the console of the agent the routing gives it to, or waits in the queue. The caller
 * meanwhile hears the tenant's greeting and hold music (the provider's webhook answers with them).
 * An agent answers from the console (`answer`): one conditional update lets exactly one of any
 * number of clicking agents win; the provider then connects the winner's device to the caller.
 */
@Injectable()
export class InboundCallsService implements OnModuleInit {
  private readonly settings: InboundSettingsReader;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly router: InboundRouter,
    private readonly presence: PresenceService,
    private readonly agents: AgentsService,
    private readonly calls: CallsService,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = new InboundSettingsReader(config, tenants);
  }

  /** Adapters that receive calls themselves (SIP INVITEs through drachtio) hand them here. */
  onModuleInit(): void {
    for (const provider of this.providers.voiceProviders()) provider.acceptInbound?.((call) => this.incoming(call));
  }

  /** Records the call and decides whom it rings on; a provider's retry of the same call changes nothing. */
  async incoming(call: IncomingCall): Promise<IncomingVerdict> {
    const to = toE164(call.to, 'US') ?? call.to;
    const tenant = this.tenants.ownerOf(to);
    if (!tenant) {
      this.logger.info({ provider: call.provider }, 'an inbound call to a number no tenant owns was rejected');
      return { kind: 'unknown-number' };
    }
    const settings = this.settings.of(tenant.id);
    const phone = toE164(call.from, tenant.defaultRegion);
    const outcome = await this.uow.run(async (w): Promise<{ kind: 'busy' } | { kind: 'accepted'; callId: string; conversationId: string; duplicate: boolean }> => {
      const { seen, contact: known, open } = await senderFacts(w, tenant.id, 'voice', call.providerRef, phone, `voice:${call.from}`);
      if (seen) return { kind: 'accepted', callId: seen.id, conversationId: seen.conversationId, duplicate: true };
      const at = nowIso();
      const contact = known ?? (await createContact(w.contacts, tenant.id, phone ? { phone } : { externalId: `voice:${call.from}` }, at));
      let conversation = open;
      if (conversation) {
        // One live call per conversation: a caller whose conversation is on a call already hears busy.
        const interactions = await w.conversations.interactionsOf(tenant.id, [conversation.id]);
        if (interactions.some((i) => i.channel === 'voice' && isLive(i))) return { kind: 'busy' };
      }
      const route = await this.router.decide(w, tenant, contact.id, conversation, at);
      const candidate = route.kind === 'join' ? conversation!.agentId : route.agentId;
      const online = candidate !== null && (await this.presence.isOnline(w, { tenantId: tenant.id, agentId: candidate }));
      const away = candidate !== null && Boolean((await w.agents.find(tenant.id, candidate))?.awaySince);
      const offer = chooseOffer({ candidate, online, away });
      const events: NewEvent[] = [];
      if (!conversation || route.kind === 'open') {
        const opened = openConversation(
          { id: newId(), tenantId: tenant.id, contactId: contact.id, agentId: offer.offeredTo, context: null },
          at, { channel: 'voice', via: offer.offeredTo === null ? 'queue' : route.kind === 'open' ? route.via : 'queue' },
        );
        conversation = opened.conversation;
        await w.conversations.insert(conversation);
        events.push({ ...opened.event, data: { ...opened.event.data, contact: contactView(contact) } });
      } else {
        const reopened = reopen(conversation, at);
        if (reopened.changed) {
          conversation = reopened.conversation;
          await w.conversations.update(conversation);
          events.push(...reopened.events);
        }
      }
      const created: Call = {
        tenantId: tenant.id,
        interaction: {
          id: newId(), conversationId: conversation.id, channel: 'voice', direction: 'inbound', state: 'ringing', provider: call.provider,
          providerRef: call.providerRef, from: phone ?? call.from, to, origin: null, endReason: null, startedAt: at, endedAt: null, updatedAt: at,
        },
        // The agent's device is known once someone answers; the agent's leg shows the dialled number.
        details: { agentEndpoint: '', callerId: to, muted: false, answeredAt: null, consent: null, refs: {} },
      };
      await w.calls.insert(created);
      await w.inboundCalls.insert({
        interactionId: created.interaction.id, tenantId: tenant.id, offeredTo: offer.offeredTo, offeredAt: at, answeredBy: null, answeredAt: null,
      });
      await w.conversations.touch(tenant.id, conversation.id, at);
      events.push({
        type: 'call.incoming', conversationId: conversation.id, interactionId: created.interaction.id, agentId: offer.offeredTo,
        data: {
          from: created.interaction.from!, to, provider: call.provider, direction: 'inbound', offeredTo: offer.offeredTo,
          ringNoAnswerSeconds: settings.ringNoAnswerSeconds,
        },
      });
      const agentId = conversation.agentId;
      await w.emit(tenant.id, events.map((e) => ({ agentId, ...e })), at);
      return { kind: 'accepted', callId: created.interaction.id, conversationId: conversation.id, duplicate: false };
    });
    if (outcome.kind === 'busy') return outcome;
    return { ...outcome, greeting: settings.greeting, holdMusicUrl: settings.holdMusicUrl };
  }

  /**
   * An agent answers a ringing inbound call from the console: 409 unless it is offered to them or
   * waiting in the queue and nobody answered it yet (of agents clicking at once, exactly one wins);
   * 422 when they have no device or the provider cannot connect one. The conversation becomes
   * theirs; then the provider connects their device, and the call is answered.
   */
  async answer(principal: Principal, id: string): Promise<CallView> {
    const { tenantId, agentId } = principal;
    const call = await this.uow.direct.calls.find(tenantId, id);
    const offer = call && (await this.uow.direct.inboundCalls.find(tenantId, id));
    if (!call || !offer) throw DomainError.notFound('inbound call');
    const refused = answerRefusal({ state: call.interaction.state, offeredTo: offer.offeredTo, answeredBy: offer.answeredBy }, agentId);
    if (refused) throw new DomainError(ErrorCode.Conflict, refused);
    const provider = this.providers.voiceByName(call.interaction.provider!, call.tenantId);
    if (!provider?.connectAgent) throw new DomainError(ErrorCode.Unprocessable, `${call.interaction.provider} cannot connect an agent to an inbound call`);
    const endpoint = await this.agents.deviceOf(tenantId, agentId);
    if (!endpoint) throw new DomainError(ErrorCode.Unprocessable, `no device is set for agent ${agentId} (PUT /v1/agents/{agentId}/device)`);
    const unreachable = provider.refusal?.(endpoint);
    if (unreachable) throw new DomainError(ErrorCode.Unprocessable, `the agent's device ${unreachable}`);

    await this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.inboundCalls.claimAnswer(tenantId, id, agentId, at))) {
        const now = await w.inboundCalls.find(tenantId, id);
        const current = await w.calls.find(tenantId, id);
        throw new DomainError(ErrorCode.Conflict, answerRefusal({
          state: current?.interaction.state ?? 'ended', offeredTo: now?.offeredTo ?? null, answeredBy: now?.answeredBy ?? null,
        }, agentId) ?? 'the call was answered meanwhile');
      }
      const current = (await w.calls.find(tenantId, id))!;
      if (current.interaction.state !== 'ringing' && current.interaction.state !== 'initiating') {
        throw new DomainError(ErrorCode.Conflict, `the call is ${current.interaction.state}, not waiting for an agent`);
      }
      await w.calls.update({ ...current, details: { ...current.details, agentEndpoint: endpoint } });
      const conversationId = current.interaction.conversationId;
      const conversation = (await w.conversations.findById(tenantId, conversationId))!;
      const events: NewEvent[] = [];
      if (conversation.agentId !== agentId) {
        // The call and its conversation go together: whoever answers has the conversation.
        const from = conversation.agentId;
        if (!(await w.conversations.changeAgent(tenantId, conversationId, { from, to: agentId, at }))) {
          throw new DomainError(ErrorCode.Conflict, 'the conversation was assigned meanwhile');
        }
        if (from !== null) {
          events.push({ type: 'conversation.released', conversationId, agentId: from, data: { agentId: from, by: agentId } });
          await w.timeline.append(tenantId, { conversationId, interactionId: null, kind: 'released', at, data: { agentId: from, by: agentId } });
        }
        events.push({ type: 'conversation.assigned', conversationId, agentId, data: { agentId, by: agentId, previousAgentId: from } });
        await w.timeline.append(tenantId, { conversationId, interactionId: null, kind: 'assigned', at, data: { agentId, by: agentId } });
      }
      // To the queue (no agent): every console that rings with this call stops.
      events.push({ type: 'call.accepted', conversationId, interactionId: id, agentId: null, data: { agentId, agentEndpoint: endpoint } });
      await w.timeline.append(tenantId, { conversationId, interactionId: id, kind: 'call_accepted', at, data: { agentId, agentEndpoint: endpoint } });
      await w.emit(tenantId, events, at);
    });

    const handle = handleOf(call);
    try {
      await provider.connectAgent(handle, endpoint, call.details.callerId);
    } catch (error) {
      if (!(error instanceof VoiceProviderError)) throw error;
      // The answer is taken back: the call waits in the queue again for another agent (or this one, retrying).
      await this.uow.direct.inboundCalls.releaseAnswer(tenantId, id, agentId, nowIso());
      throw new DomainError(error.unsupported ? ErrorCode.Unprocessable : ErrorCode.BadGateway, `the provider did not connect the agent: ${error.message}`);
    }
    await this.calls.agentConnected(id);
    return this.calls.get(principal, id);
  }
}
