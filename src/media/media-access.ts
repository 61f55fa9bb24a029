import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Call } from '../calls/domain/call';
import type { Repositories } from '../unit-of-work/unit-of-work';
import { mediaOf, type CallMedia } from '../providers/call-media.port';
import type { ProviderRegistry } from '../providers/provider.registry';

/** Supervisors and admins reach every call of their tenant; an agent only the calls of their own conversations (assigned, or added to). */
export function seesEveryCall(principal: Principal): boolean {
  return principal.roles.includes('supervisor') || principal.roles.includes('admin');
}

/**
 * The call, when the principal may control its media: 404 for another tenant's or an unknown
 * call (nothing tells them apart), 403 for an agent who is not the conversation's.
 */
export async function callForMedia(r: Repositories, principal: Principal, callId: string): Promise<Call> {
  const call = await r.calls.find(principal.tenantId, callId);
  if (!call) throw DomainError.notFound('call');
  if (seesEveryCall(principal)) return call;
  const conversation = await r.conversations.findById(principal.tenantId, call.interaction.conversationId);
  if (conversation?.agentId !== principal.agentId && !(await addedTo(r, principal, call.interaction.conversationId))) {
    throw new DomainError(ErrorCode.Forbidden, 'an agent reaches the media of their own conversations\' calls only');
  }
  return call;
}

/**
 * The call, when the principal may have its live audio now (the socket and pushed streams alike):
 * `callForMedia`'s rules, then 422 for a provider without live audio and 409 for a call that is
 * not answered.
 */
export async function liveAudioCall(r: Repositories, providers: ProviderRegistry, principal: Principal, callId: string): Promise<{ call: Call; media: CallMedia }> {
  const call = await callForMedia(r, principal, callId);
  const lacking = providers.capabilityRefusal(call.interaction.provider!, 'liveAudio');
  const media = mediaOf(providers.voiceByName(call.interaction.provider!, call.tenantId));
  if (lacking || !media) {
    throw new DomainError(ErrorCode.Unprocessable, `the provider cannot stream this call's audio: ${lacking ?? 'it is not configured'}`);
  }
  if (call.interaction.state !== 'answered' && call.interaction.state !== 'held') {
    throw new DomainError(ErrorCode.Conflict, 'the call is not answered: only a live call has audio');
  }
  return { call, media };
}

/** Whether the agent was added to the conversation beside its own agent (conversations/agents). */
async function addedTo(r: Repositories, principal: Principal, conversationId: string): Promise<boolean> {
  return (await r.conversationAgents.of(principal.tenantId, [conversationId])).some((a) => a.agentId === principal.agentId);
}
