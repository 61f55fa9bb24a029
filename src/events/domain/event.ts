/** One entry of a tenant's durable event log. `seq` is its position: increasing per tenant, not consecutive. */
export interface StoredEvent {
  tenantId: string;
  seq: number;
  id: string;
  type: string;
  conversationId: string | null;
  interactionId: string | null;
  /** The agent of the conversation when the event happened. */
  agentId: string | null;
  at: string;
  data: Record<string, unknown>;
}
