import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgentDevices } from '../agents/agent-devices.port';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { newId, nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import { requirePhone } from '../contacts/phone-input';
import { settle } from '../conversations/domain/conversation-state';
import { CallbackUrls } from '../providers/callbacks/callback-urls';
import { ProviderRegistry } from '../providers/provider.registry';
import {
  VoiceProviderError, type AnsweredCall, type CallCallbackReceiver, type CallHandle, type CallReport, type CallRequest, type VoiceProvider, type VoiceProviderName,
} from '../providers/voice-provider.port';
import { failsOver, type ProviderAttempt } from '../failover/domain/failover';
import { failoverNumber } from '../failover/domain/failover-number';
import { providerFailure, type ProviderFailure } from '../failover/domain/provider-failure';
import type { TenantSettings } from '../tenants/tenant';
import { isUniqueViolation } from '../storage/store';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork, type Work } from '../unit-of-work/unit-of-work';
import { callView, stepView, type CallView } from './call.view';
import { applyCommand, applyFact, commandRefusal, isTerminal, type CallCommand, type CallTransition, type EndReason } from './domain/call-state';
import { capabilityOf } from './domain/call-capability';
import { chooseCallerId, endpointRefusal } from './domain/dial-policy';
import { CALL_STEP_KINDS, stepOf, type CallStep } from './domain/call-step';
import { statusOf, withStatus, type Call } from './domain/call';
import type { PlaceCallDto } from './dto/call.dto';
import { callCommandRefusal } from './participants/domain/participant';
import { participantsView } from './participants/participant.view';
import { partiesLeavingWith } from './participants/parties-at-call-end';
import { handleOf } from './call-handle';

/**
 * Click-to-call and call control (contract §4); provider progress arrives through `report`, an
 * answer hook asks `answered` (both through the CallCallbackReceiver port the webhooks use).
 */
@Injectable()
export class CallsService implements CallCallbackReceiver {
  /** How long placing a call may take before it counts as not taken (a timeout: failover may follow). */
  placeDeadlineMs = PLACE_DEADLINE_MS;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly devices?: AgentDevices,
  ) {}

  async place(principal: Principal, conversationId: string, body: PlaceCallDto): Promise<CallView> {
    const tenant = this.tenants.get(principal.tenantId);
    // In failover order (failover/domain): the call is recorded as the first's, and moves to the
    // next only when the first certainly did not take it (handOver).
    const chain = this.providers.voiceChainFor(tenant, body.provider);
    const provider = chain[0]!;
    // No endpoint named: the calling agent's own device (admin API or seed), checked like a named one.
    const agentEndpoint = body.agentEndpoint ?? (await this.devices?.deviceOf(tenant.id, principal.agentId));
    if (!agentEndpoint) {
      throw DomainError.invalidField('agentEndpoint', 'is required: no device is set for this agent (PUT /v1/agents/{agentId}/device)', ErrorCode.Unprocessable);
    }
    const input = { ...body, agentEndpoint };
    const forbidden = endpointRefusal(tenant.agentEndpoints, input.agentEndpoint);
    if (forbidden) throw DomainError.invalidField('agentEndpoint', forbidden, ErrorCode.Unprocessable);
    const unreachable = provider.refusal?.(input.agentEndpoint);
    if (unreachable) throw DomainError.invalidField('agentEndpoint', unreachable, ErrorCode.Unprocessable);
    const to = input.to === undefined ? undefined : requirePhone('to', input.to, tenant.defaultRegion);
    const requested = input.callerId === undefined ? undefined : requirePhone('callerId', input.callerId, tenant.defaultRegion);
    // The simulator's fake sender stands in for a tenant with no numbers only where no one sees it.
    const chosen = chooseCallerId(requested, tenant.numbers, this.providers.standInSender(provider.name));
    if ('refused' in chosen) throw DomainError.invalidField(chosen.refused.field, chosen.refused.message, ErrorCode.Unprocessable);
    const { callerId } = chosen;
    const call = await this.uow.run(async (w) => {
      const conversation = await w.conversations.findById(tenant.id, conversationId);
      if (!conversation) throw DomainError.notFound('conversation');
      if (conversation.status === 'closed') throw new DomainError(ErrorCode.Conflict, 'the conversation is closed');
      if (tenant.requireConsent && !input.consent) {
        throw DomainError.invalidField('consent', 'is required: this tenant calls customers only with their consent', ErrorCode.Unprocessable);
      }
      const contact = (await w.contacts.findById(tenant.id, conversation.contactId))!;
      const destination = to ?? contact.phone;
      if (!destination) throw DomainError.invalidField('to', 'is required: the contact has no phone number', ErrorCode.Unprocessable);
      if (tenant.doNotCall.has(destination)) throw DomainError.invalidField('to', 'is on the do-not-call list', ErrorCode.Unprocessable);
      const at = nowIso();
      const created: Call = {
        tenantId: tenant.id,
        interaction: {
          id: newId(), conversationId, channel: 'voice', direction: 'outbound', state: 'initiating', provider: provider.name,
          providerRef: null, from: callerId, to: destination, origin: null, endReason: null, startedAt: at, endedAt: null, updatedAt: at,
        },
        details: {
          agentEndpoint: input.agentEndpoint, callerId, muted: false, answeredAt: null, refs: {},
          consent: input.consent ? { via: input.consent.via, at: input.consent.at ?? at } : null,
        },
      };
      try {
        await w.calls.insert(created);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DomainError(ErrorCode.Conflict, 'the conversation already has a live call');
        throw error;
      }
      await w.conversations.touch(tenant.id, conversationId, at);
      await w.emit(tenant.id, [{
        type: 'call.initiated', conversationId, interactionId: created.interaction.id, agentId: conversation.agentId,
        data: { to: destination, agentEndpoint: input.agentEndpoint, provider: provider.name, consent: created.details.consent },
      }], at);
      return created;
    });

    await this.handOver(chain, tenant, call, input.ringTimeoutSeconds ?? tenant.ringTimeoutSeconds);
    return this.get(principal, call.interaction.id);
  }

  /**
   * Places the call through the first provider of the chain and records what it said. A failure
   * the provider marks retryable (it did not take the call: no answer, a 5xx) moves the call to the
   * next provider, once, with a caller ID that provider may show (failover-number.ts); a refusal
   * (4xx) or an accepted call is final. The call stays one record throughout, and only the provider
   * it is with now can report on it or fetch its answer hook (report, answered), so a failover
   * never bridges the customer twice. With more than one provider the attempts are kept.
   */
  private async handOver(chain: VoiceProvider[], tenant: TenantSettings, call: Call, ringTimeoutSeconds: number | undefined): Promise<void> {
    const callId = call.interaction.id;
    const attempts: ProviderAttempt[] = [];
    const kept = (c: Call): Call => (chain.length > 1 ? { ...c, details: { ...c.details, attempts: [...attempts] } } : c);
    let current = call;
    let failure: ProviderFailure | undefined;
    for (const provider of chain) {
      if (attempts.length > 0) {
        const target = this.failoverTarget(tenant, provider, current);
        if ('skip' in target) {
          this.logger.warn({ callId, provider: provider.name, reason: target.skip }, 'the next provider cannot take the call; not failing over');
          attempts.push({ provider: provider.name, error: `skipped: ${target.skip}`, code: 'skipped' });
          break;
        }
        current = await this.moveTo(callId, provider, target.callerId, attempts);
      }
      try {
        const handle = await this.placeInTime(provider, {
          callId, to: current.interaction.to!, agentEndpoint: current.details.agentEndpoint, callerId: current.details.callerId,
          ringTimeoutSeconds, callbacks: this.callbacks,
        });
        attempts.push({ provider: provider.name, error: null, code: null });
        await this.change(callId, (c) => ({ call: withHandle(kept(c), handle), transition: unchanged(c) }));
        return;
      } catch (error) {
        if (!(error instanceof VoiceProviderError)) throw error;
        failure = providerFailure(provider.name, error.code, error.message);
        attempts.push({ provider: provider.name, error: failure.message, code: failure.code });
        const next = chain[attempts.length];
        if (next && failsOver(error, attempts.length, chain.length)) {
          this.logger.warn({ callId, provider: provider.name, code: error.code, next: next.name }, 'provider could not take a call; failing over');
          continue;
        }
        this.logger.warn({ callId, provider: provider.name, code: error.code, err: failure.message }, 'provider refused a call');
        break;
      }
    }
    await this.change(callId, (c) => ({
      call: { ...kept(c), details: { ...kept(c).details, failure: failure ?? null } },
      transition: applyFact(statusOf(c), { kind: 'ended', reason: 'failed' }, nowIso()),
    }));
  }

  /**
   * The provider's answer to `place`, or a retryable refusal once `placeDeadlineMs` passed without
   * one (a provider client without a timeout of its own would hold the request forever). A call
   * the provider places after that is hung up at once, so the customer's phone stops ringing.
   */
  private placeInTime(provider: VoiceProvider, request: CallRequest): Promise<CallHandle> {
    const placing = provider.place(request);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new VoiceProviderError(`${provider.name} did not answer in ${this.placeDeadlineMs} ms`, false, { retryable: true }));
        placing.then((handle) => provider.hangup(handle)).catch(() => undefined);
      }, this.placeDeadlineMs);
      timer.unref();
    });
    return Promise.race([placing, late]).finally(() => clearTimeout(timer));
  }

  /** The caller ID the next provider places the call with, or why it is skipped. */
  private failoverTarget(tenant: TenantSettings, provider: VoiceProvider, call: Call): { callerId: string } | { skip: string } {
    const unreachable = provider.refusal?.(call.details.agentEndpoint);
    if (unreachable) return { skip: `the agent endpoint ${unreachable}` };
    const chosen = failoverNumber(provider.name, call.details.callerId, {
      numbers: tenant.numbers, owners: tenant.numberProviders, standIn: this.providers.standInSender(provider.name),
    });
    return 'skip' in chosen ? chosen : { callerId: chosen.number };
  }

  /** The call is now `provider`'s, shown from `callerId`; the attempts so far are kept. */
  private async moveTo(callId: string, provider: VoiceProvider, callerId: string, attempts: ProviderAttempt[]): Promise<Call> {
    return this.uow.run(async (w) => {
      const current = (await w.calls.findForCallback(callId, undefined))!;
      const moved: Call = {
        ...current,
        interaction: { ...current.interaction, provider: provider.name, from: callerId, updatedAt: nowIso() },
        details: { ...current.details, callerId, attempts: [...attempts] },
      };
      await w.calls.update(moved);
      return moved;
    });
  }

  async get(principal: Principal, id: string): Promise<CallView> {
    const call = await this.uow.direct.calls.find(principal.tenantId, id);
    if (!call) throw DomainError.notFound('call');
    const steps = await this.uow.direct.timeline.ofInteractions(principal.tenantId, [id], CALL_STEP_KINDS);
    const participants = await this.uow.direct.participants.ofCall(principal.tenantId, id);
    return callView(call, steps.map(stepView), nowIso(), participantsView(call, participants));
  }

  /** An agent's command: checked against the state, carried out by the provider, then recorded. */
  async command(principal: Principal, id: string, command: CallCommand, argument?: string): Promise<CallView> {
    const call = await this.uow.direct.calls.find(principal.tenantId, id);
    if (!call) throw DomainError.notFound('call');
    const refused = commandRefusal(statusOf(call), command) ?? callCommandRefusal(await this.uow.direct.participants.ofCall(principal.tenantId, id), command);
    if (refused) throw new DomainError(ErrorCode.Conflict, refused);
    // A transfer bridges the customer to a party of the agent's choosing: the same list as the agent's own leg.
    const forbidden = command === 'transfer' ? endpointRefusal(this.tenants.get(principal.tenantId).agentEndpoints, argument!) : undefined;
    if (forbidden) throw DomainError.invalidField('to', forbidden, ErrorCode.Unprocessable);
    const unreachable = command === 'transfer' ? this.providers.voiceByName(call.interaction.provider!, call.tenantId)?.refusal?.(argument!) : undefined;
    if (unreachable) throw DomainError.invalidField('to', unreachable, ErrorCode.Unprocessable);
    const provider = this.providers.voiceByName(call.interaction.provider!, call.tenantId)!;
    const capability = capabilityOf(command);
    const lacking = capability && this.providers.capabilityRefusal(provider.name, capability);
    if (lacking) throw new DomainError(ErrorCode.Unprocessable, `the provider did not carry out ${command}: ${lacking}`);
    const handle = handleOf(call);
    try {
      await carryOut(provider, command, handle, argument);
    } catch (error) {
      if (error instanceof VoiceProviderError) {
        throw new DomainError(error.unsupported ? ErrorCode.Unprocessable : ErrorCode.BadGateway, `the provider did not carry out ${command}: ${error.message}`);
      }
      throw error;
    }
    await this.change(id, (current) => {
      // The provider may report the end of a hung-up call before we record the hangup ourselves.
      if (command === 'hangup' && isTerminal(statusOf(current).state)) return { call: current, transition: unchanged(current) };
      const again = commandRefusal(statusOf(current), command);
      if (again) throw new DomainError(ErrorCode.Conflict, again);
      return { call: current, transition: applyCommand(statusOf(current), command, nowIso()) };
    }, stepOf(command, argument), principal.agentId);
    return this.get(principal, id);
  }

  /** The live call an answer hook of `provider` is for, or undefined (unknown, another provider's, over). */
  async answered(callId: string, provider: VoiceProviderName): Promise<AnsweredCall | undefined> {
    const call = await this.uow.direct.calls.findForCallback(callId, undefined);
    if (!call || call.interaction.provider !== provider || isTerminal(statusOf(call).state)) return undefined;
    return { callId: call.interaction.id, tenantId: call.tenantId, agentEndpoint: call.details.agentEndpoint, callerId: call.details.callerId };
  }

  /** The first claim of the agent's dial wins; a replayed answer hook must not dial the agent again. */
  claimAgentDial(callId: string): Promise<boolean> {
    return this.uow.direct.calls.claimAgentDial(callId, nowIso());
  }

  /** References the provider learnt late, merged into the call's (its state and events unchanged). */
  async rememberRefs(callId: string, refs: Record<string, string>): Promise<void> {
    await this.change(callId, (current) => ({
      call: { ...current, details: { ...current.details, refs: { ...current.details.refs, ...refs } } }, transition: unchanged(current),
    }));
  }

  /**
   * A provider's report on a call: forward-only, duplicates and stale facts change nothing. The
   * provider's id of the call comes only from its answer to `place` (withHandle): a report's id
   * is compared, never adopted, so a signed report of one call cannot give another call its id.
   */
  async report(report: CallReport): Promise<'applied' | 'stale' | 'unknown'> {
    const call = await this.uow.direct.calls.findForCallback(report.callId, report.providerRef || undefined);
    if (!call || call.interaction.provider !== report.provider) return 'unknown';
    if (report.providerRef && call.interaction.providerRef && call.interaction.providerRef !== report.providerRef) return 'unknown';
    // An inbound caller's leg is answered by the provider's greeting: the call is answered when an agent is connected (agentConnected).
    if (report.fact.kind === 'answered' && call.interaction.direction === 'inbound') return 'stale';
    let applied = false;
    await this.change(call.interaction.id, (current) => {
      const transition = applyFact(statusOf(current), report.fact, nowIso());
      applied = transition.changed;
      // The provider's reason for an unsuccessful ending (a SIP final response …) is kept with it.
      const failed = transition.changed && report.failure && report.fact.kind === 'ended' && FAILURE_REASONS.has(report.fact.reason);
      const failure = failed ? providerFailure(report.provider, report.failure!.code, report.failure!.message) : undefined;
      return { call: failure ? { ...current, details: { ...current.details, failure } } : current, transition };
    });
    return applied ? 'applied' : 'stale';
  }

  /** An inbound call's agent was connected by its provider: the call is answered (forward-only, like a report). */
  async agentConnected(callId: string): Promise<void> {
    await this.change(callId, (current) => ({ call: current, transition: applyFact(statusOf(current), { kind: 'answered' }, nowIso()) }));
  }

  /**
   * Reloads the call in a transaction, applies `decide`, stores it and its events; settles the
   * conversation. An agent's `step` (hold, DTMF, transfer …) is kept on the call's timeline in the
   * same transaction, also when it leaves the call's state as it was (DTMF, transfer).
   */
  private async change(
    id: string,
    decide: (call: Call) => { call: Call; transition: CallTransition },
    step?: CallStep,
    agentId?: string | null,
  ): Promise<void> {
    await this.uow.run(async (w) => {
      const repo = w.calls;
      const current = await repo.findForCallback(id, undefined);
      if (!current) return;
      const { call, transition } = decide(current);
      const at = nowIso();
      if (step) {
        await w.timeline.append(call.tenantId, {
          conversationId: call.interaction.conversationId, interactionId: call.interaction.id, kind: step.kind, at,
          data: { ...step.data, agentId: agentId ?? null },
        });
        await w.conversations.touch(call.tenantId, call.interaction.conversationId, at);
      }
      const next = transition.changed ? withStatus(call, transition.status, at) : call;
      if (!transition.changed && next.interaction.providerRef === current.interaction.providerRef && next.details === current.details) return;
      await repo.update(next);
      await this.announce(w, next, transition, at);
    });
  }

  private async announce(w: Work, call: Call, transition: CallTransition, at: string): Promise<void> {
    if (transition.events.length === 0) return;
    const { conversations } = w;
    // Every call step moves the conversation's last activity (and is read back below, so a settle keeps it).
    await conversations.touch(call.tenantId, call.interaction.conversationId, at);
    const conversation = (await conversations.findById(call.tenantId, call.interaction.conversationId))!;
    // The call as it is now (`call` carries the transition's status): its typed fields, in the order clients have seen them.
    const { state, muted, endReason } = transition.status;
    const data = { state, muted, endReason, providerRef: call.interaction.providerRef, direction: call.interaction.direction };
    const events = transition.events.map((type) => ({ type, conversationId: conversation.id, interactionId: call.interaction.id, agentId: conversation.agentId, data }));
    const parting = isTerminal(state) ? await partiesLeavingWith(w, call, conversation.agentId, at) : [];
    const settled = settle(conversation, await conversations.interactionsOf(call.tenantId, [conversation.id]), at);
    if (settled.changed) await conversations.update(settled.conversation);
    await w.emit(call.tenantId, [...events, ...parting, ...settled.events.map((e) => ({ ...e, agentId: conversation.agentId }))], at);
  }
}

/** Above the provider clients' own connection timeouts, below a client's patience with a 202. */
const PLACE_DEADLINE_MS = 15_000;

/** Endings that keep the provider's reason as the call's failure (a completed or cancelled call did not fail). */
const FAILURE_REASONS: ReadonlySet<EndReason> = new Set(['failed', 'busy', 'no-answer', 'rejected']);

/** The provider's references of a placed call; ones a callback already stored win. */
function withHandle(call: Call, handle: CallHandle): Call {
  return {
    ...call,
    interaction: { ...call.interaction, providerRef: call.interaction.providerRef ?? handle.providerRef },
    details: { ...call.details, refs: { ...handle.refs, ...call.details.refs } },
  };
}

function unchanged(call: Call): CallTransition {
  return { changed: false, status: statusOf(call), events: [] };
}

function carryOut(provider: ReturnType<ProviderRegistry['voiceByName']> & object, command: CallCommand, handle: CallHandle, argument?: string): Promise<void> {
  switch (command) {
    case 'hangup': return provider.hangup(handle);
    case 'hold': return provider.hold(handle);
    case 'resume': return provider.resume(handle);
    case 'mute': return provider.mute(handle);
    case 'unmute': return provider.unmute(handle);
    case 'dtmf': return provider.sendDtmf(handle, argument!);
    case 'transfer': return provider.transfer(handle, argument!);
  }
}
