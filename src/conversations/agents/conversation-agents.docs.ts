import type { OperationDoc } from '../../openapi/operation-docs';

const conversation = { $ref: '#/components/schemas/Conversation' };
const EXAMPLE = {
  id: '01JE8Z3K5V0000000000000000', status: 'active',
  contact: {
    id: '01JE8Z3K5V2W7Q9R4T6Y8U0I1O', name: 'Melissa Jones', phone: '+447966197542', email: null, externalId: null, optedOutAt: null,
    createdAt: '2026-12-04T09:00:00.000Z', updatedAt: '2026-12-04T09:00:00.000Z',
  },
  agentId: 'alice', agents: ['alice', 'bob'], context: null, disposition: null, notes: null, interactions: [],
  createdAt: '2026-12-04T09:00:00.000Z', updatedAt: '2026-12-04T09:02:00.000Z', closedAt: null, lastActivityAt: '2026-12-04T09:02:00.000Z',
};

export const CONVERSATION_AGENTS_DOCS = {
  add: {
    summary: 'Add an agent to the conversation',
    description: 'Another agent joins the conversation beside its own agent: they receive its events (messages, calls, …) on their `agent:` topic, '
      + 'see it in their inbox (`assigned=me`) and reach its calls’ media. `conversation.agent.added`, with a timeline entry. '
      + 'The conversation’s agent, a supervisor or an admin may add (403 otherwise); its own agent or one already added is 409; '
      + 'a closed conversation is 409; more than 10 added agents is 422. Agents are not registered in the gateway: any well-formed id is accepted.',
    response: conversation, requestExample: { agentId: 'bob' }, responseExample: EXAMPLE,
  },
  remove: {
    summary: 'Remove an added agent',
    description: 'The added agent leaves the conversation: their `agent:` topic no longer receives its events. `conversation.agent.removed`, with a timeline entry. '
      + 'The conversation’s agent, a supervisor, an admin or the added agent themselves may remove (403 otherwise); the conversation’s own agent '
      + 'cannot be removed this way (409: transfer the conversation instead); an agent not added is 404.',
    response: conversation, responseExample: { ...EXAMPLE, agents: ['alice'] },
  },
} satisfies Record<string, OperationDoc>;
