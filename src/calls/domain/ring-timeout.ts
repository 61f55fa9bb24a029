/**
 * How long a customer's phone may ring on click-to-call, in seconds: the tenant's
 * `ringTimeoutSeconds` or the request's. Bounds are Twilio's `Timeout` (5 to 600), so every
 * provider can honour any value accepted here; 45 s lets a mobile phone ring out its usual
 * 30–40 s before the network's own voicemail answers.
 */
export const RING_TIMEOUT_LIMITS = { min: 5, max: 600, default: 45 } as const;
