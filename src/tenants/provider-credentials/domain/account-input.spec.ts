import { hintsOf, readAccount, type AccountSpec } from './account-input';

/** Twilio's and Telnyx's accounts as their descriptors declare them (the e2e suite uses the real ones). */
const TWILIO: AccountSpec = {
  fields: {
    accountSid: { required: true, pattern: /^AC[0-9a-fA-F]{32}$/, hint: 'must be a Twilio account SID (AC and 32 hexadecimal digits)' },
    authToken: { required: true, pattern: /^\S{16,200}$/, hint: 'must be the account’s auth token (16 to 200 characters, no spaces)' },
  },
};
const TELNYX: AccountSpec = {
  fields: {
    apiKey: { required: true, pattern: /^\S{8,300}$/, hint: 'must be a Telnyx API key (v2)' },
    publicKey: { required: true, pattern: /^[A-Za-z0-9+/]{43}=$/, hint: 'must be the base64 of a 32-byte Ed25519 public key' },
    messagingProfileId: { required: false, pattern: /^[\w-]{1,100}$/, hint: 'must be a messaging profile id' },
  },
};

const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = '0123456789abcdef0123456789abcdef';

describe('readAccount: an admin’s account for a provider', () => {
  it.each<[string, unknown, ReturnType<typeof readAccount>]>([
    ['a whole account', { accountSid: SID, authToken: TOKEN }, { fields: { accountSid: SID, authToken: TOKEN } }],
    ['no token', { accountSid: SID }, { errors: [{ field: 'authToken', message: 'is required' }] }],
    ['a bad SID and a number for a token', { accountSid: 'XX1', authToken: 42 }, {
      errors: [{ field: 'accountSid', message: 'must be a Twilio account SID (AC and 32 hexadecimal digits)' }, { field: 'authToken', message: 'must be a string' }],
    }],
    ['a field Twilio has not', { accountSid: SID, authToken: TOKEN, apiBaseUrl: 'http://169.254.169.254' }, {
      errors: [{ field: 'apiBaseUrl', message: 'is not a field of this provider’s account (accountSid, authToken)' }],
    }],
    ['a token with a space', { accountSid: SID, authToken: `${TOKEN} x` }, { errors: [{ field: 'authToken', message: expect.stringContaining('no spaces') }] }],
    ['null', null, { errors: [{ field: 'body', message: expect.any(String) }] }],
    ['a list', [SID, TOKEN], { errors: [{ field: 'body', message: expect.any(String) }] }],
  ])('twilio, %s', (_name, body, expected) => {
    expect(readAccount(TWILIO, body)).toEqual(expected);
  });

  it('leaves an optional field out when it is not given (telnyx’s messaging profile)', () => {
    const publicKey = Buffer.alloc(32, 9).toString('base64');
    expect(readAccount(TELNYX, { apiKey: 'KEY0123456789', publicKey })).toEqual({ fields: { apiKey: 'KEY0123456789', publicKey } });
  });
});

describe('hintsOf: what the admin API shows of an account', () => {
  it('shows the last 4 characters of long values and nothing of short ones', () => {
    expect(hintsOf({ accountSid: SID, authToken: TOKEN, short: 'abc123', fifteen: 'x'.repeat(15) })).toEqual({
      accountSid: '…a1a1', authToken: '…cdef', short: '…', fifteen: '…',
    });
  });
});
