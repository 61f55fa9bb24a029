/**
 * An agent's id, as tokens carry it and as routes, topics and the configuration name it: 1 to 200
 * letters, digits or `. _ : @ -`. The names JavaScript gives a meaning to as object keys
 * (`__proto__`, `constructor`, `prototype`) are refused, so that no id handed to the gateway can
 * ever reach an object's prototype where ids key a map.
 */
export const AGENT_ID = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9._:@-]{1,200}$/;

export const AGENT_ID_HINT = 'must be an agent id: 1 to 200 letters, digits or . _ : @ - (not __proto__, constructor or prototype)';
