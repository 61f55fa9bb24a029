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

  it('leaves names, ids and order numbers clear', () => {
    const view = { contact: { name: 'Melissa' }, body: 'order 4111 1111 1111 1112 on 2026-11-25', items: ['+447966197542'] };
    expect(maskView(view)).toEqual(view);
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
