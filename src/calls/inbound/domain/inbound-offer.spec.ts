import { answerRefusal, chooseOffer, ringOutBefore, type Offer, type OfferFacts } from './inbound-offer';

describe('chooseOffer', () => {
  it.each<[string, OfferFacts, Offer]>([
    ['the candidate, online and available, gets it', { candidate: 'alice', online: true, away: false }, { offeredTo: 'alice', reason: 'agent' }],
    ['no candidate: the queue', { candidate: null, online: false, away: false }, { offeredTo: null, reason: 'no-agent' }],
    ['the candidate offline: the queue', { candidate: 'alice', online: false, away: false }, { offeredTo: null, reason: 'offline' }],
    ['the candidate away (RONA earlier): the queue', { candidate: 'alice', online: true, away: true }, { offeredTo: null, reason: 'away' }],
    ['offline and away: offline is said first', { candidate: 'alice', online: false, away: true }, { offeredTo: null, reason: 'offline' }],
  ])('%s', (_name, facts, offer) => {
    expect(chooseOffer(facts)).toEqual(offer);
  });
});

describe('ringOutBefore', () => {
  it('is now less the seconds', () => {
    expect(ringOutBefore('2026-03-10T12:00:20.000Z', 20)).toBe('2026-03-10T12:00:00.000Z');
  });
});

describe('answerRefusal', () => {
  const waiting = { state: 'ringing', offeredTo: null, answeredBy: null };
  it.each<[string, { state: string; offeredTo: string | null; answeredBy: string | null }, string | undefined]>([
    ['a queued call: anyone may try', waiting, undefined],
    ['offered to the agent: they may', { ...waiting, offeredTo: 'alice' }, undefined],
    ['offered to another agent: not yet', { ...waiting, offeredTo: 'bob' }, 'the call rings on bob; it can be answered by others once it is back in the queue'],
    ['answered by another', { ...waiting, offeredTo: 'bob', answeredBy: 'bob' }, 'the call was answered by bob'],
    ['answered by the agent already', { ...waiting, offeredTo: 'alice', answeredBy: 'alice' }, 'you have answered this call already'],
    ['over', { ...waiting, state: 'ended' }, 'the call is ended, not waiting for an agent'],
    ['connected', { ...waiting, state: 'answered' }, 'the call is answered, not waiting for an agent'],
  ])('%s', (_name, call, refusal) => {
    expect(answerRefusal(call, 'alice')).toBe(refusal);
  });
});
