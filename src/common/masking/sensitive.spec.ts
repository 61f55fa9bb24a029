import { looksLikePhone, maskSensitiveText } from './sensitive';

describe('sensitive masking', () => {
  it.each([
    ['4111 1111 1111 1111', '**** **** **** 1111'],
    ['4111111111111111', '************1111'],
    ['5500-0000-0000-0004', '****-****-****-0004'],
    ['3782 822463 10005', '**** ****** *0005'], // Amex, 15 digits
    ['4222222222222', '*********2222'], // 13 digits
    ['4532015112830361113', '***************1113'], // 19 digits
    ['Paid with 4111 1111 1111 1111, thanks.', 'Paid with **** **** **** 1111, thanks.'],
    ['card 4111 1111 1111 1111 12/27', 'card **** **** **** 1111 12/27'],
    ['(5500-0000-0000-0004)', '(****-****-****-0004)'],
  ])('card %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it.each([
    ['GB82 WEST 1234 5698 7654 32', 'GB82 **** **** **** **54 32'],
    ['GB82WEST12345698765432', 'GB82**************5432'],
    ['gb82 west 1234 5698 7654 32', 'gb82 **** **** **** **54 32'],
    ['DE89 3704 0044 0532 0130 00', 'DE89 **** **** **** **30 00'],
    ['PL61 1090 1014 0000 0712 1981 2874', 'PL61 **** **** **** **** **** 2874'],
    ['NL91ABNA0417164300', 'NL91**********4300'],
    ['FR14 2004 1010 0505 0001 3M02 606', 'FR14 **** **** **** **** ***2 606'],
    ['BE68 5390 0754 7034', 'BE68 **** **** 7034'],
    ['NO93 8601 1117 947', 'NO93 **** ***7 947'],
    ['XK05 1212 0123 4567 8906', 'XK05 **** **** **** 8906'], // not in the table: 15–34
    ['MT84 MALT 0110 0001 2345 MTLC AST0 01S', 'MT84 **** **** **** **** **** ***0 01S'],
    ['IBAN GB82 WEST 1234 5698 7654 32 THX', 'IBAN GB82 **** **** **** **54 32 THX'],
    ['to GB82WEST12345698765432 today', 'to GB82**************5432 today'],
  ])('IBAN %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it.each([
    ['123-45-6789', '***-**-6789'],
    ['123 45 6789', '*** ** 6789'],
    ['SSN: 078-05-1120.', 'SSN: ***-**-1120.'],
  ])('SSN %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it('masks several items in one text', () => {
    expect(maskSensitiveText('card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789; bye'))
      .toBe('card **** **** **** 1111, IBAN GB82 **** **** **** **54 32, SSN ***-**-6789; bye');
  });

  it.each([
    ['order 4111 1111 1111 1112'], // fails Luhn
    ['411111111117'], // 12 digits, Luhn-valid
    ['41111111111111111115'], // 20 digits, Luhn-valid
    ['ID4111111111111111'],
    ['4111111111111111X'],
    ['GB82 WEST 1234 5698 7654 33'], // wrong check digits
    ['GB04 WEST 1234 5698 7654'], // mod-97 valid, but GB has 22 characters
    ['XX36 1234 5678 90'], // mod-97 valid, but under 15 characters
    ['XGB82WEST12345698765432'],
    ['000-12-3456'],
    ['666-12-3456'],
    ['912-12-3456'],
    ['123-00-4567'],
    ['123-45-0000'],
    ['123456789'],
    ['123-45 6789'],
    ['ref 123-45-6789-01'],
    ['on 2026-11-25 at 19:15'],
    ['at 2026-11-25T19:15:52.073Z id 01M8A25GMBVMBTX54E6Z7FKK4F'],
    ['order 12345, 25.11.2026'],
    ['call +447966197542 or +44 7966 197542 or +1 (415) 555-2671'],
    ['mail melissa@gmail.com please'],
    ['nothing to see here'],
    [''],
  ])('leaves %j unchanged', (input) => expect(maskSensitiveText(input)).toBe(input));

  it.each([
    ['+447966197542', true],
    ['+44 7966 197542', true],
    ['(415) 555-2671', true],
    ['+1 (415) 555-2671', true],
    ['415.555.2671', true],
    [' 5552671 ', true],
    ['Melissa', false],
    ['melissa@gmail.com', false],
    ['123456', false],
    ['1234567890123456', false],
    ['+44 7966 abc', false],
    ['44+7966197542', false],
    ['2026-11-25', false],
    ['', false],
  ])('looksLikePhone(%j) → %s', (input, expected) => expect(looksLikePhone(input)).toBe(expected));
});
