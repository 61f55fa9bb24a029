import { readJambonzCallStatus } from './jambonz-webhook.mapper';
import { jambonzTarget, mapJambonzCallStatus } from './jambonz-voice.mapper';
import statusHook from './__fixtures__/call-status-in-progress.json';

describe('jambonz call statuses', () => {
  it.each([
    ['trying', undefined], ['ringing', { kind: 'ringing' }], ['early-media', { kind: 'ringing' }], ['in-progress', { kind: 'answered' }],
    ['completed', { kind: 'ended', reason: 'completed' }], ['busy', { kind: 'ended', reason: 'busy' }],
    ['no-answer', { kind: 'ended', reason: 'no-answer' }], ['failed', { kind: 'ended', reason: 'failed' }], ['queued', undefined],
  ])('%s → %j', (status, fact) => expect(mapJambonzCallStatus(status)).toEqual(fact));

  it('reads a recorded call_status_hook payload', () => {
    expect(readJambonzCallStatus(statusHook, 'c1')).toEqual({ provider: 'jambonz', callId: 'c1', providerRef: statusHook.call_sid, fact: { kind: 'answered' } });
  });

  it.each([
    { status: 'busy', sip: 486, reason: 'Busy Here', failure: { code: '486', message: '486 Busy Here' } },
    { status: 'failed', sip: 404, reason: undefined, failure: { code: '404', message: '404 Not Found' } },
    { status: 'no-answer', sip: 480, reason: 'Temporarily Unavailable', failure: { code: '480', message: '480 Temporarily Unavailable' } },
    { status: 'completed', sip: 200, reason: 'OK', failure: undefined },
    { status: 'failed', sip: undefined, reason: undefined, failure: undefined },
  ])('a $status ending with sip_status $sip carries $failure', ({ status, sip, reason, failure }) => {
    const report = readJambonzCallStatus({ ...statusHook, call_status: status, sip_status: sip, sip_reason: reason }, 'c1');
    expect(report?.failure).toEqual(failure);
  });

  it.each([
    ['sip:1001@pbx.example', { type: 'sip', sipUri: 'sip:1001@pbx.example' }],
    ['+15551234567', { type: 'phone', number: '+15551234567' }],
    ['user:alice', { type: 'user', name: 'alice' }],
  ])('dials %s as %j', (endpoint, target) => expect(jambonzTarget(endpoint)).toEqual(target));
});
