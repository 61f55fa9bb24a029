/**
 * What a caller whose queue wait timed out gets (pure). The tenant's `queueTimeoutOffer` says
 * what to offer; the call's provider says what it can do: without the question and the callback
 * (CallQueueChoice) the caller gets plain voicemail, without voicemail either they keep waiting.
 */
export type QueueTimeoutOffer = 'voicemail' | 'callback' | 'choice';

export function timeoutStep(offer: QueueTimeoutOffer, can: { voicemail: boolean; choice: boolean }): 'voicemail' | 'callback' | 'choice' | 'wait' {
  if (offer !== 'voicemail' && can.choice) {
    // The question offers voicemail too: without it only the callback is left to offer.
    return offer === 'choice' && !can.voicemail ? 'callback' : offer;
  }
  return can.voicemail ? 'voicemail' : 'wait';
}

/** The key a caller pressed: 2 asks for a callback; 1, any other key, or none leaves a voicemail. */
export function choiceOf(digits: string): 'voicemail' | 'callback' {
  return digits === '2' ? 'callback' : 'voicemail';
}
