import { signJambonz, verifyJambonz } from './jambonz-signature';
import { readJambonzInbound, readJambonzStatus } from './jambonz-webhook.mapper';
import { mapJambonzMessageStatus } from './jambonz.mapper';
import inbound from './__fixtures__/inbound-sms.json';

describe('jambonz message statuses', () => {
  it.each([
    ['queued', 'queued'], ['accepted', 'queued'], ['sending', 'sending'], ['trying', 'sending'], ['sent', 'sent'], ['success', 'sent'],
    ['delivered', 'delivered'], ['undelivered', 'undelivered'], ['failed', 'failed'], ['failure', 'failed'], ['rejected', 'failed'],
    ['DELIVERED', 'delivered'], ['unknown', undefined],
  ])('%s → %s', (status, state) => expect(mapJambonzMessageStatus(status)).toBe(state));
});

describe('jambonz webhooks, on recorded payloads', () => {
  it('reads the messaging hook with URL and object media', () => {
    expect(readJambonzInbound(inbound)).toEqual({
      provider: 'jambonz', providerRef: inbound.messageSid, from: '+14155552671', to: '+14155550100', body: 'Call me back please',
      media: [
        { url: 'https://media.example-carrier.net/mms/abc.jpg', contentType: 'image/jpeg' },
        { url: 'https://media.example-carrier.net/mms/def.png', contentType: 'application/octet-stream' },
      ],
    });
  });

  it('reads a picture-only MMS (text "") with an empty body', () => {
    const read = readJambonzInbound({ ...inbound, text: '', media: [inbound.media[0]] });
    expect(read).toMatchObject({ body: '', media: [{ url: 'https://media.example-carrier.net/mms/abc.jpg', contentType: 'image/jpeg' }] });
  });

  it('reads status hooks in snake or camel case', () => {
    expect(readJambonzStatus({ message_sid: 's1', message_status: 'delivered' }, 'm')).toEqual({ provider: 'jambonz', interactionId: 'm', providerRef: 's1', state: 'delivered', errorCode: null });
    expect(readJambonzStatus({ messageSid: 's1', status: 'failed', error_code: 4001 }, undefined)).toMatchObject({ state: 'failed', errorCode: '4001' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no messageSid', { ...inbound, messageSid: undefined }, 'messageSid'],
    ['a numeric from', { ...inbound, from: 14155552671 }, 'from'],
    ['media that is not a list', { ...inbound, media: 'x' }, 'media'],
    ['a javascript: media URL', { ...inbound, media: ['javascript:alert(1)'] }, 'media.0'],
    ['a media URL with a user and password', { ...inbound, media: [{ url: 'https://u:p@media.example-carrier.net/a.jpg' }] }, 'media.0.url'],
    ['an empty text and no media', { ...inbound, text: '', media: [] }, 'text'],
    ['no text and no media', { ...inbound, text: undefined, media: undefined }, 'text'],
    ['a numeric text', { ...inbound, text: 42 }, 'text'],
  ])('refuses %s naming %s', (_name, body, field) => {
    expect(() => readJambonzInbound(body)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field })] }));
  });
});

describe('Jambonz-Signature', () => {
  const now = 1_800_000_000;
  const body = '{"a":1}';
  it.each<[string, string | undefined, string, string]>([
    ['valid', signJambonz(body, 's3cret', now), body, 'valid'],
    ['missing', undefined, body, 'missing'],
    ['malformed', 't=abc,v1=zz', body, 'malformed'],
    ['stale (301 s old)', signJambonz(body, 's3cret', now - 301), body, 'stale'],
    ['within skew (299 s ahead)', signJambonz(body, 's3cret', now + 299), body, 'valid'],
    ['another body', signJambonz(body, 's3cret', now), '{"a":2}', 'mismatch'],
    ['another secret', signJambonz(body, 'other', now), body, 'mismatch'],
  ])('%s', (_name, header, raw, verdict) => expect(verifyJambonz(header, raw, 's3cret', now)).toBe(verdict));
});
