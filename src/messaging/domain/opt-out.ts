/**
 * Carrier-style opt-out keywords. Only a message that is the keyword and nothing else counts
 * (case-insensitive, surrounding whitespace and trailing `.`, `!`, `?` ignored): "please stop
 * calling" is a conversation, not an opt-out.
 */
export type OptKeyword = 'opt-out' | 'opt-in' | undefined;

const KEYWORDS: ReadonlyMap<string, Exclude<OptKeyword, undefined>> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'].map((k) => [k, 'opt-out'] as const),
  ...['START', 'YES', 'UNSTOP'].map((k) => [k, 'opt-in'] as const),
]);

export function classifyKeyword(body: string): OptKeyword {
  const word = body.trim().replace(/[\s.!?]+$/, '').toUpperCase();
  return KEYWORDS.get(word);
}
