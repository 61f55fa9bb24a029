import { interactionView, type InteractionView } from '../conversations/conversation.view';
import type { Call } from './domain/call';

export interface CallView extends InteractionView {
  conversationId: string;
  agentEndpoint: string;
  callerId: string;
  muted: boolean;
  answeredAt: string | null;
  consent: { via: string; at: string } | null;
}

export function callView(call: Call): CallView {
  const { agentEndpoint, callerId, muted, answeredAt, consent } = call.details;
  return { ...interactionView(call.interaction), conversationId: call.interaction.conversationId, agentEndpoint, callerId, muted, answeredAt, consent };
}
