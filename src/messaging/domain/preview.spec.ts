import { maskSensitiveText } from '../../common/masking/sensitive';
import { previewOf } from './preview';

describe('previewOf', () => {
  it.each<[string, string, number, string]>([
    ['a short body whole', 'Hello there', 20, 'Hello there'],
    ['exactly the limit whole', 'abcde', 5, 'abcde'],
    ['cut at the next space', 'Hello there friend', 8, 'Hello there…'],
    ['cut at a space right at the limit', 'Hello there friend', 5, 'Hello…'],
    ['an e-mail address kept whole', 'write to melissa@gmail.com please', 12, 'write to melissa@gmail.com…'],
    ['a spaced card number kept whole', 'card 4111 1111 1111 1111 thanks', 10, 'card 4111 1111 1111 1111…'],
    ['a spaced phone number kept whole', 'call +44 7966 197542 later', 8, 'call +44 7966 197542…'],
    ['an IBAN\'s groups kept whole', 'iban GB82 WEST 1234 5698 7654 32 ok', 12, 'iban GB82 WEST 1234 5698 7654 32…'],
    ['one long token: the whole body', 'x'.repeat(50), 10, 'x'.repeat(50)],
    ['trailing space after the limit is cut', 'Hello   ', 5, 'Hello…'],
    ['empty', '', 10, ''],
  ])('%s', (_name, body, max, expected) => {
    expect(previewOf(body, max)).toBe(expected);
  });

  it('leaves the masking something it recognises', () => {
    const preview = previewOf('Card on file 4111 1111 1111 1111, mail melissa@gmail.com', 16);
    expect(maskSensitiveText(preview)).toBe('Card on file **** **** **** 1111,…');
  });
});
