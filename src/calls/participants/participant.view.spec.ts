import type { Call } from '../domain/call';
import { callBase } from './participant.view';

const AT = '2026-01-01T00:00:00.000Z';
const call = (direction: 'inbound' | 'outbound', from: string, to: string): Call => ({
  tenantId: 't',
  interaction: {
    id: 'C', conversationId: 'c', channel: 'voice', direction, state: 'answered', provider: 'sip', providerRef: 'ref',
    from, to, origin: null, endReason: null, startedAt: AT, endedAt: null, updatedAt: AT,
  },
  details: { agentEndpoint: 'sip:alice@pbx', callerId: from, muted: false, answeredAt: AT, consent: null, refs: {} },
});

describe('callBase: the call\'s own two parties', () => {
  it.each([
    // An outbound call is from the tenant's number to the customer; an inbound one from the customer to the tenant's number.
    ['outbound', '+14155550100', '+14155553901', '+14155553901'],
    ['inbound', '+14155553901', '+14155550100', '+14155553901'],
  ] as const)('%s call from %s to %s: the customer is %s', (direction, from, to, customer) => {
    const [c, a] = callBase(call(direction, from, to));
    expect([c!.role, c!.endpoint]).toEqual(['customer', customer]);
    expect([a!.role, a!.endpoint]).toEqual(['agent', 'sip:alice@pbx']);
  });
});
