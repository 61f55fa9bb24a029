/**
 * A callback task (pure: no clock, no store): an inbound caller whose queue wait timed out asked
 * to be called back. It waits `pending` until an available agent gets it (`assigned`), who places
 * the call (`dialed`); it may be `canceled` before that. Every transition names the state it
 * leaves, so the repository's conditional update lets exactly one of racing commands win.
 */
export const CALLBACK_STATES = ['pending', 'assigned', 'dialed', 'canceled'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

export interface CallbackTask {
  id: string;
  tenantId: string;
  conversationId: string;
  contactId: string;
  /** The inbound call the caller asked during. */
  callId: string;
  /** Whom to call: the caller's number. */
  number: string;
  state: CallbackState;
  /** The agent it is assigned to (or who dialed it); null while pending. */
  agentId: string | null;
  /** The click-to-call placed for it; null until dialed. */
  dialedCallId: string | null;
  /** Who dialed or canceled it. */
  closedBy: string | null;
  requestedAt: string;
  assignedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
}

/** Who asks: an agent, or a supervisor/admin (`supervises`), who may act on any task of the tenant. */
export interface Actor {
  agentId: string;
  supervises: boolean;
}

export type CallbackCommand =
  | { kind: 'assign'; agentId: string }
  /** The agent went offline and stayed away: the task waits for the next available agent again. */
  | { kind: 'release' }
  | { kind: 'dial'; actor: Actor }
  | { kind: 'cancel'; actor: Actor };

/** Why the command does not apply (a 409), or undefined when it does. */
export function callbackRefusal(task: Pick<CallbackTask, 'state' | 'agentId'>, command: CallbackCommand): string | undefined {
  if (task.state === 'dialed' || task.state === 'canceled') return `the callback is ${task.state} already`;
  switch (command.kind) {
    case 'assign':
      return task.state === 'pending' ? undefined : `the callback is assigned to ${task.agentId} already`;
    case 'release':
      return task.state === 'assigned' ? undefined : 'the callback is not assigned';
    case 'dial':
    case 'cancel': {
      if (command.actor.supervises) return undefined;
      if (task.state === 'pending') return 'the callback is not assigned to you yet';
      return task.agentId === command.actor.agentId ? undefined : `the callback is assigned to ${task.agentId}`;
    }
  }
}

/** The task after the command (refused ones throw: callers check callbackRefusal first). */
export function applyCallback(task: CallbackTask, command: CallbackCommand, at: string): CallbackTask {
  const refused = callbackRefusal(task, command);
  if (refused) throw new Error(refused);
  switch (command.kind) {
    case 'assign':
      return { ...task, state: 'assigned', agentId: command.agentId, assignedAt: at, updatedAt: at };
    case 'release':
      return { ...task, state: 'pending', agentId: null, assignedAt: null, updatedAt: at };
    case 'dial':
      // A supervisor who dials takes the task: the call rings on their device.
      return { ...task, state: 'dialed', agentId: command.actor.agentId, closedBy: command.actor.agentId, closedAt: at, updatedAt: at };
    case 'cancel':
      return { ...task, state: 'canceled', closedBy: command.actor.agentId, closedAt: at, updatedAt: at };
  }
}

/** An agent who could take a callback now (online and not away), with the callbacks they hold. */
export interface AvailableAgent {
  agentId: string;
  /** Assigned callbacks not yet dialed. */
  holding: number;
  /** Since when they have been online. */
  since: string;
}

/**
 * The next available agent for a pending callback: the conversation's agent when available (the
 * caller talks to the agent they know, as inbound routing does), else the one holding the fewest
 * callbacks, the longest online first; undefined: nobody is available, the task stays pending.
 */
export function nextAgent(available: readonly AvailableAgent[], conversationAgent: string | null): string | undefined {
  if (conversationAgent !== null && available.some((a) => a.agentId === conversationAgent)) return conversationAgent;
  const ranked = [...available].sort((a, b) => a.holding - b.holding || a.since.localeCompare(b.since) || a.agentId.localeCompare(b.agentId));
  return ranked[0]?.agentId;
}
