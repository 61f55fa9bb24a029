import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { newId, nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { CallbackUrls } from '../../providers/callbacks/callback-urls';
import type { MultipartyCapability } from '../../providers/provider-descriptor';
import { ProviderRegistry } from '../../providers/provider.registry';
import { ParticipantCallbackReceiver, type ParticipantReport } from '../../providers/voice-participants.port';
import { VoiceProviderError, type CallHandle, type VoiceProvider } from '../../providers/voice-provider.port';
import { TenantsService } from '../../tenants/tenants.service';
import { UnitOfWork, type Work } from '../../unit-of-work/unit-of-work';
import type { CallView } from '../call.view';
import { CallsService } from '../calls.service';
import { isTerminal, type CallState } from '../domain/call-state';
import type { Call } from '../domain/call';
import { endpointRefusal } from '../domain/dial-policy';
import {
  applyLegFact, participantRefusal, planCommand, withBase, type LegAction, type ParticipantCommand, type ParticipantsPlan,
} from './domain/participant';
import { callBase, participantData } from './participant.view';
import { handleOf } from '../call-handle';

/** The capability a command needs of the call's provider (its descriptor says yes or why not: 422). */
function capabilityFor(command: ParticipantCommand): MultipartyCapability {
  switch (command.kind) {
    case 'consult': case 'complete': case 'cancel': return 'consult';
    case 'merge': case 'add': case 'remove': return 'conference';
    case 'supervise': case 'set-mode': return 'supervise';
  }
}

/**
 * Consultation, conference and supervision of a live call (README "Participants"). A command is
 * checked (404, 422 for the provider, 409 for the state), carried out by the provider leg by leg,
 * then stored with its events and timeline steps in one transaction; the customer's hold, resume
 * and a hangup go through the call's own commands, so the call's state and events stay the call's.
 */
@Injectable()
export class ParticipantsService extends ParticipantCallbackReceiver implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly callbacks: CallbackUrls,
    private readonly calls: CallsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  /** Adapters that report their parties' legs by themselves (the simulator) report here. */
  onModuleInit(): void {
    for (const provider of this.providers.voiceProviders()) {
      provider.participants?.connect((report) => this.report(report));
    }
  }

  async command(principal: Principal, callId: string, command: ParticipantCommand): Promise<CallView> {
    const tenant = this.tenants.get(principal.tenantId);
    const call = await this.uow.direct.calls.find(tenant.id, callId);
    if (!call) throw DomainError.notFound('call');
    const provider = this.providers.voiceByName(call.interaction.provider!, call.tenantId)!;
    const target = command.kind === 'consult' || command.kind === 'add' ? command.to : command.kind === 'supervise' ? command.endpoint : undefined;
    if (target !== undefined) {
      const field = command.kind === 'supervise' ? 'endpoint' : 'to';
      const refused = endpointRefusal(tenant.agentEndpoints, target) ?? provider.refusal?.(target);
      if (refused) throw DomainError.invalidField(field, refused, ErrorCode.Unprocessable);
    }
    const lacking = this.providers.capabilityRefusal(provider.name, capabilityFor(command))
      ?? (provider.participants ? undefined : `${provider.name} cannot bridge more than two parties`);
    if (lacking) throw new DomainError(ErrorCode.Unprocessable, `${provider.name} cannot ${command.kind}: ${lacking}`);

    const participants = withBase(await this.uow.direct.participants.ofCall(tenant.id, callId), callBase(call));
    if (command.kind === 'set-mode' && command.participantId === undefined) {
      const own = participants.find((p) => p.role === 'supervisor' && p.addedBy === principal.agentId && p.state !== 'left');
      if (!own) throw DomainError.notFound('supervisor of yours on this call');
      command = { ...command, participantId: own.id };
    }
    if ((command.kind === 'remove' || command.kind === 'set-mode') && !participants.some((p) => p.id === command.participantId)) {
      throw DomainError.notFound('participant');
    }
    const state = call.interaction.state as CallState;
    const refused = participantRefusal(state, participants, command);
    if (refused) throw new DomainError(ErrorCode.Conflict, refused);
    const plan = planCommand(state, participants, command, { newId: newId(), by: principal.agentId, at: nowIso() });

    // The customer holds before anyone else is dialled, so they never hear the consultation ring.
    if (plan.call === 'hold') await this.calls.command(principal, callId, 'hold');
    const handle = handleOf(call);
    for (const leg of plan.legs) await this.carryOut(provider, handle, call, leg, command.kind);
    await this.uow.run((w) => this.store(w, call, plan, principal.agentId));
    if (plan.call === 'resume' || plan.call === 'hangup') await this.calls.command(principal, callId, plan.call);
    return this.calls.get(principal, callId);
  }

  /** A provider's fact about a party's leg: forward-only; the last agent leaving ends the call. */
  async report(report: ParticipantReport): Promise<'applied' | 'stale' | 'unknown'> {
    const call = await this.uow.direct.calls.findForCallback(report.callId, undefined);
    if (!call || call.interaction.provider !== report.provider) return 'unknown';
    const plan = await this.uow.run(async (w) => {
      const current = (await w.calls.findForCallback(call.interaction.id, undefined))!;
      const participants = withBase(await w.participants.ofCall(call.tenantId, call.interaction.id), callBase(current));
      if (!participants.some((p) => p.id === report.participantId)) return undefined;
      const decided = applyLegFact(participants, report.participantId, report.fact, nowIso());
      await this.store(w, current, decided, null);
      return decided;
    });
    if (!plan) return 'unknown';
    if (plan.call === 'hangup' && !isTerminal(call.interaction.state as CallState)) {
      // Nobody of the tenant is left with the customer: the gateway hangs up on its own behalf.
      const gateway: Principal = { agentId: 'gateway', tenantId: call.tenantId, roles: ['admin'], pii: false };
      await this.calls.command(gateway, call.interaction.id, 'hangup').catch((error: Error) => {
        this.logger.warn({ callId: call.interaction.id, err: error.message }, 'the call could not be hung up after its last agent left');
      });
    }
    return plan.changed.length > 0 ? 'applied' : 'stale';
  }

  private async carryOut(provider: VoiceProvider, handle: CallHandle, call: Call, leg: LegAction, what: string): Promise<void> {
    const control = provider.participants!;
    try {
      switch (leg.op) {
        case 'dial':
          return await control.dial(handle, {
            participantId: leg.participant.id, role: leg.participant.role, to: leg.participant.endpoint, mode: leg.participant.mode,
            callerId: call.details.callerId, coach: leg.coach, callbacks: this.callbacks,
          });
        case 'update':
          return await control.update(handle, leg.ref, leg.role, { hold: leg.hold, mode: leg.mode, coach: leg.coach });
        case 'remove':
          return await control.remove(handle, leg.ref, leg.role);
      }
    } catch (error) {
      if (!(error instanceof VoiceProviderError)) throw error;
      throw new DomainError(error.unsupported ? ErrorCode.Unprocessable : ErrorCode.BadGateway, `the provider did not carry out ${what}: ${error.message}`);
    }
  }

  /** The plan's parties, their events and their timeline steps, in the caller's transaction. */
  private async store(w: Work, call: Call, plan: ParticipantsPlan, agentId: string | null): Promise<void> {
    if (plan.changed.length === 0) return;
    const at = nowIso();
    const { tenantId } = call;
    const conversationId = call.interaction.conversationId;
    const interactionId = call.interaction.id;
    await w.participants.save(tenantId, plan.changed, at);
    for (const { type, participant } of plan.events) {
      if (participant.state === 'dialing' || participant.state === 'ringing') continue; // a ring is no step worth keeping
      await w.timeline.append(tenantId, { conversationId, interactionId, kind: stepKind(type), at, data: { ...participantData(participant), agentId } });
    }
    if (plan.transferredTo) {
      await w.timeline.append(tenantId, { conversationId, interactionId, kind: 'transferred', at, data: { to: plan.transferredTo, consultative: true, agentId } });
    }
    await w.conversations.touch(tenantId, conversationId, at);
    const conversation = await w.conversations.findById(tenantId, conversationId);
    await w.emit(tenantId, plan.events.map(({ type, participant }) => ({
      type, conversationId, interactionId, agentId: conversation?.agentId ?? null, data: participantData(participant),
    })), at);
  }
}

function stepKind(type: ParticipantsPlan['events'][number]['type']): 'participant_joined' | 'participant_left' | 'participant_updated' {
  switch (type) {
    case 'call.participant.joined': return 'participant_joined';
    case 'call.participant.left': return 'participant_left';
    case 'call.participant.updated': return 'participant_updated';
  }
}

