import { newId } from '../common/ids';
import type { Work } from '../unit-of-work/unit-of-work';
import type { CallbackTask } from './domain/callback-task';

/** The caller's number can be dialed back only when it is a phone number (a withheld or SIP caller is not). */
export function callableNumber(from: string | null | undefined): string | undefined {
  return from && /^\+[1-9]\d{6,14}$/.test(from) ? from : undefined;
}

/**
 * Stores a caller's request to be called back, inside the queue timeout's transaction: the task
 * (pending), a `callback_requested` timeline entry and `callback.requested` to the queue. The
 * task of a call asked twice (a provider's replayed hook) is the one stored first.
 */
export async function requestCallback(
  w: Work, call: { tenantId: string; conversationId: string; callId: string; number: string }, at: string,
): Promise<CallbackTask> {
  const { tenantId, conversationId, callId, number } = call;
  const existing = await w.callbackTasks.ofCall(tenantId, callId);
  if (existing) return existing;
  const conversation = await w.conversations.findById(tenantId, conversationId);
  if (!conversation) throw new Error(`conversation ${conversationId} of call ${callId} is missing`);
  const task: CallbackTask = {
    id: newId(), tenantId, conversationId, contactId: conversation.contactId, callId, number, state: 'pending', agentId: null,
    dialedCallId: null, closedBy: null, requestedAt: at, assignedAt: null, closedAt: null, updatedAt: at,
  };
  await w.callbackTasks.insert(task);
  const data = { callbackId: task.id, callId, number };
  await w.timeline.append(tenantId, { conversationId, interactionId: callId, kind: 'callback_requested', at, data });
  await w.conversations.touch(tenantId, conversationId, at);
  // To the queue: any agent may see it waiting; the one it goes to hears `callback.assigned`.
  await w.emit(tenantId, [{ type: 'callback.requested', conversationId, agentId: null, data }], at);
  return task;
}
