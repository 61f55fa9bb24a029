import { mediaAccess } from '../media-fetch';
import { isTwilioMediaPath, TWILIO_MEDIA_CDN_PREFIXES, twilioMediaPolicy } from './twilio-media';

const SID = `AC${'0'.repeat(32)}`;
const MM = `MM${'a1'.repeat(16)}`;
const ME = `ME${'b2'.repeat(16)}`;
const MEDIA = `/2010-04-01/Accounts/${SID}/Messages/${MM}/Media/${ME}`;

describe('isTwilioMediaPath', () => {
  it.each<[string, string, boolean]>([
    ['a media resource', MEDIA, true],
    ['a media resource of an SM message', MEDIA.replace(MM, `SM${'c3'.repeat(16)}`), true],
    ['upper-case hex', MEDIA.replace(ME, `ME${'B2'.repeat(16)}`), true],
    ['another account', MEDIA.replace(SID, `AC${'1'.repeat(32)}`), false],
    ['the media metadata (.json)', `${MEDIA}.json`, false],
    ['the media list', `/2010-04-01/Accounts/${SID}/Messages/${MM}/Media`, false],
    ['Messages.json', `/2010-04-01/Accounts/${SID}/Messages.json`, false],
    ['Calls.json', `/2010-04-01/Accounts/${SID}/Calls.json`, false],
    ['the account', `/2010-04-01/Accounts/${SID}.json`, false],
    ['a recording', `/2010-04-01/Accounts/${SID}/Recordings/RE${'d4'.repeat(16)}`, false],
    ['an encoded slash after the media', `${MEDIA}%2F..%2F..%2F..%2FMessages.json`, false],
    ['a trailing slash', `${MEDIA}/`, false],
    ['another API version', MEDIA.replace('2010-04-01', '2008-08-01'), false],
    ['a short media SID', MEDIA.slice(0, -1), false],
  ])('%s → %s', (_name, path, expected) => {
    expect(isTwilioMediaPath(path, SID)).toBe(expected);
  });
});

describe('twilioMediaPolicy', () => {
  const policy = twilioMediaPolicy({ accountSid: SID, authToken: 't', apiBaseUrl: 'http://127.0.0.1:4010', mediaCdnPrefixes: TWILIO_MEDIA_CDN_PREFIXES });

  it.each<[string, string, 'credentialed' | 'anonymous' | undefined]>([
    ['a media resource on api.twilio.com', `https://api.twilio.com${MEDIA}`, 'credentialed'],
    ['a media resource on the configured API base', `http://127.0.0.1:4010${MEDIA}`, 'credentialed'],
    ['the same over http on api.twilio.com', `http://api.twilio.com${MEDIA}`, undefined],
    ['the configured API base on another port', `http://127.0.0.1:4011${MEDIA}`, undefined],
    ['a media resource with a query', `https://api.twilio.com${MEDIA}?x=1`, undefined],
    ['a media resource with credentials in the URL', `https://a:b@api.twilio.com${MEDIA}`, undefined],
    ['Messages.json on the API host', `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`, undefined],
    ['a media path on another host', `https://evil.example.com${MEDIA}`, undefined],
    ['the signed CDN URL', 'https://mms.twiliocdn.com/AC0/abc?Expires=1&Signature=x', 'anonymous'],
    ['legacy S3 media', 'https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC0/abc', 'anonymous'],
    ['another bucket on S3', 'https://s3-external-1.amazonaws.com/evil-bucket/x', undefined],
    ['a look-alike CDN host', 'https://mms.twiliocdn.com.evil.example/x', undefined],
    ['the CDN over http', 'http://mms.twiliocdn.com/x', undefined],
    ['the gateway\'s metrics', 'http://127.0.0.1:3000/metrics', undefined],
  ])('%s → %s', (_name, url, access) => {
    expect(mediaAccess(url, policy)).toBe(access);
  });
});
