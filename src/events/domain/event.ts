import type { EventData, EventType } from './event-catalogue';

/**
 * One entry of a tenant's durable event log, as the log keeps it: any type, any data. `seq` is its
 * position: increasing per tenant, not consecutive. The log is storage and does not judge what it
 * holds; the gateway appends only through the typed outbox, so its entries are `StoredEvent`s.
 */
export interface LogEntry {
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

/** What the log's `append` takes; `NewEvent` (the catalogue's) is one. */
export interface LogInput {
  type: string;
  conversationId: string | null;
  interactionId?: string | null;
  agentId?: string | null;
  data: Record<string, unknown>;
}

/** A log entry of the catalogue: a union over its types, `type` picking the shape of `data`. */
export type StoredEvent<T extends EventType = EventType> = {
  [K in T]: Omit<LogEntry, 'type' | 'data'> & { type: K; data: EventData<K> };
}[T];

/**
 * The gateway's own log entries as the catalogue types them. Sound because nothing but the typed
 * outbox appends to the log (tests of the storage layer aside, which use their own tenants).
 */
export function asStoredEvents(entries: LogEntry[]): StoredEvent[] {
  return entries as StoredEvent[];
}
