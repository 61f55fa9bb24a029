import type { CallCommand } from './call-state';
import { stepOf } from './call-step';

describe('stepOf', () => {
  it.each<[CallCommand, string | undefined, ReturnType<typeof stepOf>]>([
    ['hangup', undefined, undefined],
    ['hold', undefined, { kind: 'held', data: {} }],
    ['resume', undefined, { kind: 'resumed', data: {} }],
    ['mute', undefined, { kind: 'muted', data: {} }],
    ['unmute', undefined, { kind: 'unmuted', data: {} }],
    ['dtmf', '4111111111111111', { kind: 'dtmf_sent', data: { digitCount: 16 } }],
    ['dtmf', '12#w*', { kind: 'dtmf_sent', data: { digitCount: 4 } }],
    ['dtmf', 'ww,,1', { kind: 'dtmf_sent', data: { digitCount: 1 } }],
    ['dtmf', 'ABCD', { kind: 'dtmf_sent', data: { digitCount: 4 } }],
    ['transfer', 'sip:queue@pbx.example', { kind: 'transferred', data: { to: 'sip:queue@pbx.example' } }],
  ])('%s %s', (command, argument, expected) => {
    expect(stepOf(command, argument)).toEqual(expected);
  });

  it('never keeps the digits themselves', () => {
    expect(JSON.stringify(stepOf('dtmf', '9876'))).toBe('{"kind":"dtmf_sent","data":{"digitCount":4}}');
  });
});
