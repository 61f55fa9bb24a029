import { conferenceVerb, memberChanges } from './jambonz-conference.mapper';

const HOOK = 'https://gateway.example.com/webhooks/jambonz/conference/status?cid=c1&sig=x';
const COMMON = { verb: 'conference', name: 'call-c1', beep: false, startConferenceOnEnter: true, statusHook: { url: HOOK, method: 'POST' }, statusEvents: ['join', 'leave'] };

describe('the conference verb of each leg', () => {
  it.each([
    ['the customer, whose leaving ends the call', { ref: 'customer', mode: 'talk' as const }, { memberTag: 'customer', endConferenceOnExit: true }],
    ['the agent, who may leave the call to a colleague', { ref: 'agent', mode: 'talk' as const }, { memberTag: 'agent', endConferenceOnExit: false }],
    ['a consulted colleague', { ref: 'p1', mode: 'private' as const }, { memberTag: 'p1', endConferenceOnExit: false }],
    ['a monitoring supervisor, muted', { ref: 'p2', mode: 'monitor' as const }, { memberTag: 'p2', endConferenceOnExit: false, joinMuted: true }],
    ['a whispering supervisor, heard by the agent only', { ref: 'p3', mode: 'whisper' as const, coach: 'agent' }, { memberTag: 'p3', endConferenceOnExit: false, speakOnlyTo: 'agent' }],
    ['a barging supervisor', { ref: 'p4', mode: 'barge' as const }, { memberTag: 'p4', endConferenceOnExit: false }],
  ])('%s', (_label, seat, expected) => {
    expect(conferenceVerb('c1', seat, HOOK)).toEqual({ ...COMMON, ...expected });
  });
});

describe('live call control requests for a change of a member', () => {
  it.each([
    ['hold', { hold: true }, [{ conf_hold_status: 'hold' }]],
    ['resume', { hold: false }, [{ conf_hold_status: 'unhold' }]],
    ['monitor: muted before coaching stops', { mode: 'monitor' as const }, [{ mute_status: 'mute' }, { conferenceParticipantAction: { action: 'uncoach' } }]],
    ['whisper: coaching before unmuted', { mode: 'whisper' as const, coach: 'p9' }, [{ conferenceParticipantAction: { action: 'coach', tag: 'p9' } }, { mute_status: 'unmute' }]],
    ['whisper to the call’s agent by default', { mode: 'whisper' as const }, [{ conferenceParticipantAction: { action: 'coach', tag: 'agent' } }, { mute_status: 'unmute' }]],
    ['barge', { mode: 'barge' as const }, [{ conferenceParticipantAction: { action: 'uncoach' } }, { mute_status: 'unmute' }]],
    ['a consulted party joining the call', { mode: 'talk' as const }, []],
    ['nothing', {}, []],
  ])('%s', (_label, change, requests) => {
    expect(memberChanges(change)).toEqual(requests);
  });
});
