import { AGENT_ENDPOINT_PATTERN, chooseCallerId, endpointAllowed, endpointRefusal } from './dial-policy';

const ACME_PBX = 'sip:*@pbx.acme.example';

describe('endpointAllowed', () => {
  it.each<[readonly string[], string, boolean]>([
    [['*'], 'sip:1001@pbx.example;transport=tls', true],
    [['*'], '+15551234567', true],
    [['user:*'], 'user:alice', true],
    [['user:*'], 'user:alice@acme.sip.example', false], // a realm picks an account on jambonz: name it
    [['user:*'], 'sip:1001@pbx.example', false],
    [['user:*'], '+15551234567', false],
    [['user:acme-*'], 'user:acme-bob', true],
    [['user:acme-*'], 'user:globex-bob', false],
    [[ACME_PBX], 'sip:1001@pbx.acme.example', true],
    [[ACME_PBX], 'SIP:1001@PBX.ACME.EXAMPLE', true],
    [[ACME_PBX], 'sip:+442071838750@pbx.acme.example', true],
    [[ACME_PBX], 'sip:1001@evil.example', false],
    [[ACME_PBX], 'sip:1001@pbx.acme.example.evil.example', false],
    [[ACME_PBX], 'sip:1001@evil.example@pbx.acme.example', false],
    [[ACME_PBX], 'sip:1001@pbx.acme.example;maddr=evil.example', false],
    [[ACME_PBX], 'sip:1001@pbx.acme.example:5080', false],
    [[ACME_PBX], 'sip:1001:secret@pbx.acme.example', false],
    [[ACME_PBX], 'sip:1001@pbxXacme.example', false], // the dots are literal
    [[ACME_PBX], 'sips:1001@pbx.acme.example', false],
    [['sip:*@pbx.acme.example;transport=tls'], 'sip:1001@pbx.acme.example;transport=tls', true],
    [['sip:*@*.acme.example'], 'sip:1001@eu.pbx.acme.example', true],
    [['sip:*@*.acme.example'], 'sip:1001@acme.example', false],
    [['+44207183*'], '+442071831234', true],
    [['+44207183*'], '+44207183', false],
    [['+44207183*'], '+442071841234', false],
    [['+44207183*'], '+14155550100', false],
    [['+442071838750'], '+442071838750', true],
    [['user:*', '+44207183*'], '+442071831234', true],
    [[], 'user:alice', false],
  ])('%j allows %s: %s', (patterns, endpoint, allowed) => {
    expect(endpointAllowed(patterns, endpoint)).toBe(allowed);
  });

  it('says which endpoints are allowed when it refuses one', () => {
    expect(endpointRefusal(['user:*', ACME_PBX], 'sip:1@evil.example')).toBe(
      "is not one of this tenant's allowed agent endpoints (user:*, sip:*@pbx.acme.example)",
    );
    expect(endpointRefusal([], 'user:alice')).toBe("is not one of this tenant's allowed agent endpoints (none)");
    expect(endpointRefusal(['user:*'], 'user:alice')).toBeUndefined();
  });
});

describe('AGENT_ENDPOINT_PATTERN (what configuration accepts)', () => {
  it.each<[string, boolean]>([
    ['*', true],
    ['user:*', true],
    ['user:acme-*', true],
    [ACME_PBX, true],
    ['sips:*@*.acme.example', true],
    ['+44207183*', true],
    ['+*', true],
    ['', false],
    ['**', false],
    ['pbx.acme.example', false],
    ['tel:+44207183*', false],
    ['+44 207183*', false],
    ['sip:*@pbx acme', false],
    ['user:', false],
  ])('%j: %s', (pattern, valid) => {
    expect(AGENT_ENDPOINT_PATTERN.test(pattern)).toBe(valid);
  });
});

describe('chooseCallerId', () => {
  const A = '+14155550100';
  const B = '+14155550101';
  const FAKE = '+15550100000';
  it.each<[string | undefined, string[], string | undefined, ReturnType<typeof chooseCallerId>]>([
    [undefined, [A, B], undefined, { callerId: A }],
    [B, [A, B], undefined, { callerId: B }],
    ['+14155550199', [A, B], undefined, { refused: { field: 'callerId', message: "is not one of this tenant's numbers" } }],
    [FAKE, [A], FAKE, { refused: { field: 'callerId', message: "is not one of this tenant's numbers" } }],
    [undefined, [A], FAKE, { callerId: A }],
    [undefined, [], FAKE, { callerId: FAKE }],
    [FAKE, [], FAKE, { callerId: FAKE }],
    [A, [], FAKE, { refused: { field: 'callerId', message: "is not one of this tenant's numbers" } }],
    [A, [], undefined, { refused: { field: 'callerId', message: "is not one of this tenant's numbers" } }],
    [undefined, [], undefined, { refused: { field: 'tenant.numbers', message: 'the tenant has no number to call from' } }],
  ])('asked for %s with numbers %j and stand-in %s: %j', (requested, numbers, fallback, choice) => {
    expect(chooseCallerId(requested, numbers, fallback)).toEqual(choice);
  });
});
