import { readTelnyxEvent } from './telnyx-webhook.mapper';
import { mapTelnyxMessageStatus } from './telnyx.mapper';
import inboundMms from './__fixtures__/inbound-mms.json';
import statusSent from './__fixtures__/status-sent.json';
import statusFailed from './__fixtures__/status-finalized-failed.json';

// The fixtures follow the payloads of Telnyx's webhook reference and its SDK's types field for
// field (there is no account here to record from); ids and numbers are ours.

describe('Telnyx message statuses', () => {
  it.each([
    ['scheduled', 'queued'], ['queued', 'queued'], ['sending', 'sending'], ['sent', 'sent'], ['delivery_unconfirmed', 'sent'],
    ['delivered', 'delivered'], ['delivery_failed', 'undelivered'], ['expired', 'undelivered'],
    ['sending_failed', 'failed'], ['cancelled', 'failed'], ['webhook_delivered', undefined], ['DELIVERED', undefined], ['bogus', undefined],
  ])('%s → %s', (status, state) => expect(mapTelnyxMessageStatus(status)).toBe(state));
});

describe('Telnyx webhooks, on the documented payloads', () => {
  it('reads message.received with its media and their sizes', () => {
    expect(readTelnyxEvent(inboundMms, undefined)).toEqual({
      kind: 'inbound',
      message: {
        provider: 'telnyx', providerRef: inboundMms.data.payload.id, from: '+14155552671', to: '+14155550100', body: 'Photos of the damage',
        media: [
          { url: inboundMms.data.payload.media[0]!.url, contentType: 'image/jpeg', size: 48213 },
          { url: inboundMms.data.payload.media[1]!.url, contentType: 'image/png', size: 91377 },
        ],
      },
    });
  });

  it('reads a picture-only MMS (no text) with an empty body', () => {
    const payload = { ...inboundMms.data.payload, text: null, media: [{ url: 'https://media.example/a.jpg', content_type: 'image/jpeg' }] };
    expect(readTelnyxEvent({ data: { ...inboundMms.data, payload } }, undefined)).toMatchObject({
      kind: 'inbound', message: { body: '', media: [{ url: 'https://media.example/a.jpg', contentType: 'image/jpeg' }] },
    });
  });

  it('reads message.sent with the mid of the URL it came to', () => {
    expect(readTelnyxEvent(statusSent, 'mid-1')).toEqual({
      kind: 'status', report: { provider: 'telnyx', interactionId: 'mid-1', providerRef: statusSent.data.payload.id, state: 'sent', errorCode: null },
    });
  });

  it('reads message.finalized with its first error', () => {
    expect(readTelnyxEvent(statusFailed, 'mid-1')).toEqual({
      kind: 'status',
      report: { provider: 'telnyx', interactionId: 'mid-1', providerRef: statusFailed.data.payload.id, state: 'undelivered', errorCode: '40008', errorMessage: 'Undeliverable' },
    });
  });

  it('ignores statuses and event types it does not track', () => {
    const to = [{ ...statusSent.data.payload.to[0], status: 'webhook_delivered' }];
    expect(readTelnyxEvent({ data: { ...statusSent.data, payload: { ...statusSent.data.payload, to } } }, undefined)).toEqual({ kind: 'status', report: undefined });
    expect(readTelnyxEvent({ data: { ...statusSent.data, event_type: 'number_order.complete' } }, undefined)).toEqual({ kind: 'other', eventType: 'number_order.complete' });
  });

  const inbound = inboundMms.data.payload;
  it.each<[string, unknown, string]>([
    ['no data', { meta: {} }, 'data'],
    ['no event_type', { data: { ...inboundMms.data, event_type: undefined } }, 'data.event_type'],
    ['no payload', { data: { ...inboundMms.data, payload: 'x' } }, 'data.payload'],
    ['no message id', { data: { ...inboundMms.data, payload: { ...inbound, id: '' } } }, 'data.payload.id'],
    ['a from without a number', { data: { ...inboundMms.data, payload: { ...inbound, from: { phone_number: 14155552671 } } } }, 'data.payload.from.phone_number'],
    ['an empty to', { data: { ...inboundMms.data, payload: { ...inbound, to: [] } } }, 'data.payload.to'],
    ['media that is not a list', { data: { ...inboundMms.data, payload: { ...inbound, media: 'x' } } }, 'data.payload.media'],
    ['a javascript: media URL', { data: { ...inboundMms.data, payload: { ...inbound, media: [{ url: 'javascript:alert(1)' }] } } }, 'data.payload.media.0.url'],
    ['a media URL with a user and password', { data: { ...inboundMms.data, payload: { ...inbound, media: [{ url: 'https://u:p@media.example/a.jpg' }] } } }, 'data.payload.media.0.url'],
    ['no text and no media', { data: { ...inboundMms.data, payload: { ...inbound, text: '', media: [] } } }, 'data.payload.text'],
    ['a status without a recipient status', { data: { ...statusSent.data, payload: { ...statusSent.data.payload, to: [{ phone_number: '+1' }] } } }, 'data.payload.to.0.status'],
  ])('refuses %s naming %s', (_name, body, field) => {
    expect(() => readTelnyxEvent(body as Record<string, unknown>, undefined)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field })] }));
  });
});
