import type { Principal } from '../auth/principal';
import { maskView, seesClearData } from './view-masking';

describe('what an agent sees', () => {
  it('masks phone, e-mail and name-as-phone fields, and sensitive text in bodies, at any depth', () => {
    const view = {
      id: '01M8A25GMBVMBTX54E6Z7FKK4F',
      contact: { phone: '+447966197542', email: 'melissa@gmail.com', name: '+44 7966 197542', externalId: 'crm-7' },
      interactions: [{ from: '+14155550100', to: '+447966197542', agentEndpoint: 'sip:1001@pbx.example', providerRef: 'SM123' }],
      data: { body: 'card 4111 1111 1111 1111, thanks', to: '+447966197542', status: 'sent' },
      notes: 'IBAN GB82 WEST 1234 5698 7654 32',
    };
    expect(maskView(view)).toEqual({
      id: '01M8A25GMBVMBTX54E6Z7FKK4F',
      contact: { phone: '*********7542', email: 'm******@gmail.com', name: '*********7542', externalId: 'crm-7' },
      interactions: [{ from: '********0100', to: '*********7542', agentEndpoint: 'sip:1001@pbx.example', providerRef: 'SM123' }],
      data: { body: 'card **** **** **** 1111, thanks', to: '*********7542', status: 'sent' },
      notes: 'IBAN GB82 **** **** **** **54 32',
    });
  });

  it('masks every string whatever its field: context keys and values, disposition, provider errors, external ids, bodies', () => {
    const view = {
      contact: { externalId: 'sms:+9991234567890', name: 'Melissa' },
      context: {
        '+447966197542': 'caller', 'melissa@gmail.com': { card: '4111.1111.1111.1111' },
        id: '+447966197542', agentId: 'melissa@gmail.com', list: ['call 07966 197542'], callback: 447966197542,
        gps: { lat: 48.856613, lon: 2.352222 }, seats: 3,
      },
      disposition: 'call back on +44 7966 197542',
      error: { code: '21211', message: "twilio refused the message: The 'To' number +14155550123 is not valid" },
      items: ['+447966197542', 'melissa@gmail.com'],
      body: 'Reach me at +1 (415) 555-2671 or melissa@gmail.com',
    };
    expect(maskView(view)).toEqual({
      contact: { externalId: 'sms:**********7890', name: 'Melissa' },
      context: {
        '*********7542': 'caller', 'm******@gmail.com': { card: '****.****.****.1111' },
        id: '*********7542', agentId: 'm******@gmail.com', list: ['call *******7542'], callback: '********7542',
        gps: { lat: 48.856613, lon: 2.352222 }, seats: 3,
      },
      disposition: 'call back on *********7542',
      error: { code: '21211', message: "twilio refused the message: The 'To' number ********0123 is not valid" },
      items: ['*********7542', 'm******@gmail.com'],
      body: 'Reach me at ********2671 or m******@gmail.com',
    });
  });

  it('leaves ids, timestamps, enums, cursors, counts and short numbers clear', () => {
    const view = {
      items: [{
        id: '0123456789ABCDEFGHJKMNPQRS', conversationId: '01M8A25GMBVMBTX54E6Z7FKK4F', agentId: 'alice@corp.example',
        providerRef: '3f1c2b4e-1234-5678-9abc-def012345678', state: 'failed', channel: 'sms', encoding: 'GSM-7',
        segments: 3, size: 4_194_304, startedAt: '2026-11-25T19:15:52.073Z', endedAt: null, muted: false,
        href: '/v1/attachments/01M8A25GMBVMBTX54E6Z7FKK4F', body: 'order 12345 on 2026-11-25, code 123456',
      }],
      nextCursor: 'djE6MDFNOEEyNUdNQlZNQlRYNTRFNlo3RktLNEY',
    };
    expect(maskView(view)).toEqual(view);
  });

  it('masks the frames a socket receives but not their topics and cursors', () => {
    expect(maskView({ op: 'error', status: 403, detail: 'no number +447966197542 here', topic: 'agent:4155552671' }))
      .toEqual({ op: 'error', status: 403, detail: 'no number *********7542 here', topic: 'agent:4155552671' });
    expect(maskView({ op: 'subscribed', topics: ['agent:4155552671'] })).toEqual({ op: 'subscribed', topics: ['agent:4155552671'] });
  });

  it('keeps two keys that mask alike, and a __proto__ key as data', () => {
    const context = JSON.parse('{"+447966197542":1,"+447900007542":2,"__proto__":{"x":"+447966197542"}}') as object;
    const masked = maskView({ context }) as { context: Record<string, unknown> };
    expect(Object.keys(masked.context)).toEqual(['*********7542', '*********7542 (2)', '__proto__']);
    expect(Object.getPrototypeOf(masked.context)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(masked.context, '__proto__')?.value).toEqual({ x: '*********7542' });
  });

  const p = (roles: Principal['roles'], pii: boolean): Principal => ({ agentId: 'a', tenantId: 't', roles, pii });
  it.each<[Principal, boolean, boolean]>([
    [p(['agent'], false), true, false],
    [p(['agent'], true), true, false],
    [p(['supervisor'], false), true, false],
    [p(['supervisor'], true), true, true],
    [p(['admin'], true), true, true],
    [p(['agent'], false), false, true],
  ])('%j with masking %s sees clear data: %s', (principal, masking, clear) => {
    expect(seesClearData(principal, masking)).toBe(clear);
  });
});
