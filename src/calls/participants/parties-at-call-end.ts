import type { NewEvent } from '../../events/domain/event-catalogue';
import type { Work } from '../../unit-of-work/unit-of-work';
import type { Call } from '../domain/call';
import { endAll } from './domain/participant';
import { participantData } from './participant.view';

/**
 * The parties still on a call that has just ended leave with it, in the same transaction: stored
 * as left (`call-ended`) and each told with `call.participant.left` — a supervisor or a colleague
 * learns that the call they were on is over. The customer's own leaving is the call's end itself.
 */
export async function partiesLeavingWith(w: Work, call: Call, agentId: string | null, at: string): Promise<NewEvent[]> {
  const plan = endAll(await w.participants.ofCall(call.tenantId, call.interaction.id), at);
  if (plan.changed.length === 0) return [];
  await w.participants.save(call.tenantId, plan.changed, at);
  return plan.events.filter((e) => e.participant.role !== 'customer').map(({ type, participant }) => ({
    type, conversationId: call.interaction.conversationId, interactionId: call.interaction.id, agentId, data: participantData(participant),
  }));
}
