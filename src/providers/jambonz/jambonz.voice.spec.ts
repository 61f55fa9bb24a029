import { JambonzVoiceProvider } from './jambonz.voice';

const CALL = { callId: 'c1', tenantId: 'acme', agentEndpoint: 'sip:1001@pbx.example', callerId: '+14155550100' };

describe('JambonzVoiceProvider.answerVerbs (the call_hook of a placed call)', () => {
  it.each([
    ['no live call of ours', undefined, undefined, [{ verb: 'hangup' }]],
    ['the answered customer leg', CALL, undefined, JambonzVoiceProvider.dialVerbs(CALL.agentEndpoint, CALL.callerId)],
    ['a transfer redirect', CALL, '+14155550199', JambonzVoiceProvider.dialVerbs('+14155550199', CALL.callerId)],
  ])('%s', (_label, call, transferTo, verbs) => {
    expect(JambonzVoiceProvider.answerVerbs(call, transferTo)).toEqual(verbs);
  });

  it('dials the agent with the call’s caller id, answering on bridge', () => {
    expect(JambonzVoiceProvider.answerVerbs(CALL)).toEqual([
      { verb: 'dial', callerId: CALL.callerId, answerOnBridge: true, target: [expect.objectContaining({ type: 'sip', sipUri: CALL.agentEndpoint })] },
    ]);
  });
});
