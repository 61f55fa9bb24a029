import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Call } from '../calls/domain/call';
import type { Repositories } from '../unit-of-work/unit-of-work';

/** Supervisors and admins reach every call of their tenant; an agent only the calls of their own conversations. */
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
  if (conversation?.agentId !== principal.agentId) {
    throw new DomainError(ErrorCode.Forbidden, 'an agent reaches the media of their own conversations\' calls only');
  }
  return call;
}
