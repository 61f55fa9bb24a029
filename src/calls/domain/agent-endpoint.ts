/**
 * What an agent's leg or a transfer target may be: `sip:1001@pbx.example`, `+15551234567` or
 * `user:alice`. Here, not in the DTO, because provider webhooks check it too (jambonz's transfer
 * redirect) and must not load the DTOs (they import the providers' list).
 */
export const AGENT_ENDPOINT = /^(sips?:[^\s<>"]{3,200}|\+[1-9]\d{6,14}|user:[A-Za-z0-9._@-]{1,100})$/;
