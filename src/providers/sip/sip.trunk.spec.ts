import { customerInviteOptions, trunkAuth, type Trunk } from './sip.trunk';

const ACCOUNT = { username: 'acme', password: 's3cret' };
const TRUNK: Trunk = { uri: 'sip:trunk.example.com:5060;transport=tcp', credentials: ACCOUNT };

describe('trunkAuth: the trunk account goes only to the trunk', () => {
  it.each([
    ['sip:+14155550123@trunk.example.com:5060;transport=tcp', ACCOUNT],
    ['sip:+14155550123@TRUNK.example.com:5060', ACCOUNT],
    ['sip:trunk.example.com:5060', ACCOUNT],
    ['sip:1001@pbx.example.com', undefined], // an agent's PBX must not get a digest of the trunk's password
    ['sip:+14155550123@trunk.example.com', undefined], // another port is another server
    ['sip:+14155550123@trunk.example.com:50600', undefined],
    ['sip:+14155550123@evil.example.com;maddr=trunk.example.com:5060', undefined],
    ['user:alice', undefined],
  ])('%s', (target, expected) => {
    expect(trunkAuth(target, TRUNK)).toEqual(expected);
  });

  it('gives nothing when the trunk has no account', () => {
    expect(trunkAuth('sip:+14155550123@trunk.example.com:5060', { uri: TRUNK.uri })).toBeUndefined();
  });
});

describe('customerInviteOptions: what the customer leg carries through the trunk', () => {
  it('shows the caller ID as From user and P-Asserted-Identity, keeps our Call-ID, and offers the account', () => {
    expect(customerInviteOptions('ref-1@contact-gateway', '+14155550100', TRUNK)).toEqual({
      callingNumber: '+14155550100',
      headers: { 'call-id': 'ref-1@contact-gateway', 'P-Asserted-Identity': '<sip:+14155550100@trunk.example.com>' },
      auth: ACCOUNT,
    });
  });

  it.each([
    ['trunk.example.com', '<sip:+442071838750@trunk.example.com>'],
    ['sips:trunk.example.com:5061', '<sips:+442071838750@trunk.example.com>'],
    ['sip:10.0.0.7:5080', '<sip:+442071838750@10.0.0.7>'],
    ['sip:[2001:db8::7]:5060', '<sip:+442071838750@[2001:db8::7]>'],
  ])('P-Asserted-Identity through %s is %s', (uri, identity) => {
    expect(customerInviteOptions('r', '+442071838750', { uri }).headers?.['P-Asserted-Identity']).toBe(identity);
  });

  it('sends no credentials when the trunk has no account (it does not challenge)', () => {
    expect(customerInviteOptions('r', '+14155550100', { uri: TRUNK.uri })).not.toHaveProperty('auth');
  });
});
