import { choiceOf, timeoutStep, type QueueTimeoutOffer } from './queue-timeout-offer';

describe('timeoutStep: what a timed-out caller gets, by policy and provider', () => {
  const both = { voicemail: true, choice: true };
  const voicemailOnly = { voicemail: true, choice: false };
  const choiceOnly = { voicemail: false, choice: true };
  const neither = { voicemail: false, choice: false };
  it.each<[QueueTimeoutOffer, { voicemail: boolean; choice: boolean }, string]>([
    ['voicemail', both, 'voicemail'],
    ['voicemail', voicemailOnly, 'voicemail'],
    ['voicemail', choiceOnly, 'wait'],
    ['voicemail', neither, 'wait'],
    ['callback', both, 'callback'],
    ['callback', voicemailOnly, 'voicemail'],
    ['callback', choiceOnly, 'callback'],
    ['callback', neither, 'wait'],
    ['choice', both, 'choice'],
    ['choice', voicemailOnly, 'voicemail'],
    ['choice', choiceOnly, 'callback'],
    ['choice', neither, 'wait'],
  ])('%s with %j → %s', (offer, can, expected) => {
    expect(timeoutStep(offer, can)).toBe(expected);
  });
});

describe('choiceOf: the caller’s key', () => {
  it.each([['2', 'callback'], ['1', 'voicemail'], ['', 'voicemail'], ['3', 'voicemail'], ['*', 'voicemail'], ['#', 'voicemail'], ['22', 'voicemail'], ['12', 'voicemail']])('%j → %s', (digits, expected) => {
    expect(choiceOf(digits)).toBe(expected);
  });
});
