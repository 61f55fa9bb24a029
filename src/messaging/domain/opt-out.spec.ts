import { classifyKeyword, type OptKeyword } from './opt-out';

describe('classifyKeyword', () => {
  it.each<[string, OptKeyword]>([
    ['STOP', 'opt-out'],
    ['STOPALL', 'opt-out'],
    ['UNSUBSCRIBE', 'opt-out'],
    ['CANCEL', 'opt-out'],
    ['END', 'opt-out'],
    ['QUIT', 'opt-out'],
    ['START', 'opt-in'],
    ['YES', 'opt-in'],
    ['UNSTOP', 'opt-in'],
  ])('%s → %s, in any case and with trailing punctuation', (keyword, expected) => {
    const lower = keyword.toLowerCase();
    const mixed = keyword[0] + lower.slice(1);
    for (const body of [keyword, lower, mixed, `  ${keyword} `, `${lower}.`, `${mixed}!`, `${keyword}!!!`, `\n${lower} ?\n`]) {
      expect(classifyKeyword(body)).toBe(expected);
    }
  });

  it.each<[string]>([
    ['please stop calling'],
    ['stop it'],
    ['STOPP'],
    ['STO P'],
    ['stop all'],
    ['.stop'],
    ['¡STOP'],
    ['stop, thanks'],
    ['STARTS'],
    ['yes please'],
    ['yeah'],
    ['ENDS'],
    ['unsubscribed'],
    ['HELP'],
    [''],
    ['   '],
    ['!!!'],
  ])('%j is not a keyword', (body) => {
    expect(classifyKeyword(body)).toBeUndefined();
  });
});
