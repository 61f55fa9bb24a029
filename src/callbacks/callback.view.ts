import type { CallbackTask } from './domain/callback-task';

/** A callback task as the API shows it (masked for agents like every answer: the number follows the tenant's masking). */
export interface CallbackView {
  id: string;
  conversationId: string;
  contactId: string;
  /** The inbound call the caller asked during. */
  callId: string;
  number: string;
  state: CallbackTask['state'];
  agentId: string | null;
  dialedCallId: string | null;
  closedBy: string | null;
  requestedAt: string;
  assignedAt: string | null;
  closedAt: string | null;
}

export function callbackView(task: CallbackTask): CallbackView {
  const { tenantId: _t, updatedAt: _u, ...view } = task;
  return view;
}
