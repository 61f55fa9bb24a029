import { readTwilioInbound, readTwilioStatus } from './twilio-webhook.mapper';
import { mapTwilioMessageStatus } from './twilio.mapper';
import inboundMms from './__fixtures__/inbound-mms.json';
import statusUndelivered from './__fixtures__/status-undelivered.json';

describe('Twilio message statuses', () => {
  it.each([
    ['accepted', 'queued'], ['scheduled', 'queued'], ['queued', 'queued'], ['sending', 'sending'], ['sent', 'sent'],
    ['delivered', 'delivered'], ['read', 'delivered'], ['partially_delivered', 'undelivered'], ['undelivered', 'undelivered'],
    ['failed', 'failed'], ['canceled', 'failed'], ['receiving', 'received'], ['received', 'received'], ['bogus', undefined],
  ])('%s → %s', (status, state) => expect(mapTwilioMessageStatus(status)).toBe(state));
});

describe('Twilio webhooks, on recorded payloads', () => {
  it('reads an inbound MMS with its media', () => {
    expect(readTwilioInbound(inboundMms)).toEqual({
      provider: 'twilio', providerRef: inboundMms.MessageSid, from: '+14155552671', to: '+14155550100', body: 'Photos of the damage',
      media: [
        { url: inboundMms.MediaUrl0, contentType: 'image/jpeg' },
        { url: inboundMms.MediaUrl1, contentType: 'image/png' },
      ],
    });
  });

  it('reads a status callback with its error code', () => {
    expect(readTwilioStatus(statusUndelivered, 'mid-1')).toEqual({
      provider: 'twilio', interactionId: 'mid-1', providerRef: statusUndelivered.MessageSid, state: 'undelivered', errorCode: '30003',
      errorMessage: 'Unreachable destination handset',
    });
    // A code without a known title is named as Twilio's; no code, no message.
    expect(readTwilioStatus({ ...statusUndelivered, ErrorCode: '63016' }, 'mid-1')?.errorMessage).toBe('Twilio error 63016');
    expect(readTwilioStatus({ ...statusUndelivered, ErrorCode: '' }, 'mid-1')).not.toHaveProperty('errorMessage');
  });

  it('ignores statuses it does not track', () => {
    expect(readTwilioStatus({ ...statusUndelivered, MessageStatus: 'received' }, undefined)).toBeUndefined();
    expect(readTwilioStatus({ ...statusUndelivered, MessageStatus: 'whatever' }, undefined)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no MessageSid', { ...inboundMms, MessageSid: undefined }, 'MessageSid'],
    ['a MessageSid that is not a SID', { ...inboundMms, MessageSid: 'SM123' }, 'MessageSid'],
    ['no From', { ...inboundMms, From: '' }, 'From'],
    ['NumMedia past the media given', { ...inboundMms, NumMedia: '3' }, 'MediaUrl2'],
    ['a negative NumMedia', { ...inboundMms, NumMedia: '-1' }, 'NumMedia'],
    ['a repeated To', { ...inboundMms, To: ['+1', '+2'] }, 'To'],
  ])('refuses %s naming %s', (_name, params, field) => {
    expect(() => readTwilioInbound(params)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field })] }));
  });
});
