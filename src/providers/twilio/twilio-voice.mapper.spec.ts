import { readTwilioCallStatus } from './twilio-webhook.mapper';
import { conferenceTwiml, mapTwilioCallStatus, twilioAddress } from './twilio-voice.mapper';
import callStatus from './__fixtures__/call-status-in-progress.json';

describe('Twilio call statuses', () => {
  it.each([
    ['queued', undefined], ['initiated', undefined], ['ringing', { kind: 'ringing' }], ['in-progress', { kind: 'answered' }],
    ['answered', { kind: 'answered' }], ['completed', { kind: 'ended', reason: 'completed' }], ['busy', { kind: 'ended', reason: 'busy' }],
    ['no-answer', { kind: 'ended', reason: 'no-answer' }], ['canceled', { kind: 'ended', reason: 'canceled' }],
    ['failed', { kind: 'ended', reason: 'failed' }], ['bogus', undefined],
  ])('%s → %j', (status, fact) => expect(mapTwilioCallStatus(status)).toEqual(fact));

  it('reads a recorded status callback', () => {
    expect(readTwilioCallStatus(callStatus, 'c1')).toEqual({ provider: 'twilio', callId: 'c1', providerRef: callStatus.CallSid, fact: { kind: 'answered' } });
  });

  it.each([
    { status: 'failed', sip: '503', failure: { code: '503', message: '503 Service Unavailable' } },
    { status: 'busy', sip: '486', failure: { code: '486', message: '486 Busy Here' } },
    { status: 'failed', sip: '699', failure: { code: '699', message: '699 SIP 699' } },
    { status: 'completed', sip: '200', failure: undefined },
    { status: 'failed', sip: '', failure: undefined },
    { status: 'failed', sip: 'abc', failure: undefined },
  ])('a $status ending with SipResponseCode "$sip" carries $failure', ({ status, sip, failure }) => {
    const report = readTwilioCallStatus({ ...callStatus, CallStatus: status, SipResponseCode: sip }, 'c1');
    expect(report?.failure).toEqual(failure);
  });

  it.each([['sip:1001@pbx.example', 'sip:1001@pbx.example'], ['+15551234567', '+15551234567'], ['user:alice', 'client:alice']])(
    'dials %s as %s', (endpoint, address) => expect(twilioAddress(endpoint)).toBe(address),
  );

  it('escapes what goes into TwiML', () => {
    expect(conferenceTwiml('a&b', 'c"d', '<Play digits="1"/>')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Play digits="1"/><Dial><Conference participantLabel="c&quot;d" ' +
      'startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="">a&amp;b</Conference></Dial></Response>');
  });
});
