/**
 * The start of a message body for lists (a contact's activities). The cut never falls inside a
 * word, an address or a run of digit groups: agent views are masked after this, and the detectors
 * need a card number, an IBAN or an e-mail address whole to recognise it (`melissa@gm…` would not
 * be seen as an address, `4111 1111 1111 11…` not as a card).
 */
export function previewOf(body: string, max = 120): string {
  if (body.length <= max) return body;
  let cut = max;
  while (cut < body.length && !isBreak(body, cut)) cut += 1;
  if (cut >= body.length) return body;
  return `${body.slice(0, cut).trimEnd()}…`;
}

/** White space, unless it joins digit groups (`4111 1111`, `WEST 1234`, `+44 7966`). */
function isBreak(body: string, i: number): boolean {
  if (!/\s/.test(body[i]!)) return false;
  return !(/[\p{L}\p{N}+]/u.test(body[i - 1] ?? '') && /\p{N}/u.test(body[i + 1] ?? ''));
}
