import { maskEmail, maskPhone, maskSensitiveText } from './sensitive';

const NBSP = '\u00A0';
const NNBSP = '\u202F';

describe('sensitive masking', () => {
  it.each([
    ['+447966197542', '*********7542'],
    ['+1 (415) 555-2671', '********2671'],
    ['1234', '****'],
    ['', ''],
  ])('phone format %s → %s', (input, expected) => expect(maskPhone(input)).toBe(expected));

  it.each([
    ['melissa@gmail.com', 'm******@gmail.com'],
    ['a@b.io', 'a@b.io'],
    ['no-at-sign', '**********'],
  ])('e-mail format %s → %s', (input, expected) => expect(maskEmail(input)).toBe(expected));

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
    // Written with dots, no-break spaces (U+00A0, U+202F), thin spaces (U+2009).
    ['card 4111.1111.1111.1111.', 'card ****.****.****.1111.'],
    [`card 4111${NBSP}1111${NBSP}1111${NBSP}1111`, `card ****${NBSP}****${NBSP}****${NBSP}1111`],
    [`Pay 5500${NNBSP}0000${NNBSP}0000${NNBSP}0004 now`, `Pay ****${NNBSP}****${NNBSP}****${NNBSP}0004 now`],
    ['Pay 5500\u20090000\u20090000\u20090004', 'Pay ****\u2009****\u2009****\u20090004'],
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
    [`GB82${NBSP}WEST${NBSP}1234${NBSP}5698${NBSP}7654${NBSP}32`, `GB82${NBSP}****${NBSP}****${NBSP}****${NBSP}**54${NBSP}32`],
  ])('IBAN %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it.each([
    ['123-45-6789', '***-**-6789'],
    ['123 45 6789', '*** ** 6789'],
    ['SSN: 078-05-1120.', 'SSN: ***-**-1120.'],
    ['ssn 123.45.6789', 'ssn *****6789'], // not an SSN layout, but nine digits: a number
  ])('SSN %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it('masks several items in one text', () => {
    expect(maskSensitiveText('card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789; bye'))
      .toBe('card **** **** **** 1111, IBAN GB82 **** **** **** **54 32, SSN ***-**-6789; bye');
  });

  it.each([
    ['call +447966197542 now', 'call *********7542 now'],
    ['call +447966197542 or +44 7966 197542 or +1 (415) 555-2671', 'call *********7542 or *********7542 or ********2671'],
    ["The 'To' number +14155550123 is not a valid phone number.", "The 'To' number ********0123 is not a valid phone number."],
    ['Zadzwoń: +48 601 234 567, e-mail: jan.kowalski@wp.pl', 'Zadzwoń: ********4567, e-mail: j***********@wp.pl'],
    ['(415) 555-2671', '******2671'],
    ['415.555.2671', '******2671'],
    [`+44${NBSP}7966${NBSP}197542`, '*********7542'],
    ['Tel.0171 1234567', 'Tel.*******4567'],
    ['thanks!\n+447966197542\n12 apples', 'thanks!\n*********7542\n12 apples'],
    ['sms:+9991234567890', 'sms:**********7890'],
    ['tel:+447966197542', 'tel:*********7542'],
    ['sip:+447966197542@pbx.example', 'sip:*********7542@pbx.example'],
    ['GET /v1/contacts?phone=%2B447966197542', 'GET /v1/contacts?phone=*********7542'],
    ['GET /v1/contacts?phone=07966197542', 'GET /v1/contacts?phone=*******7542'],
    ['GET /v1/contacts?phone=%2B447966197542x', 'GET /v1/contacts?phone=*********7542x'], // a `+` number, whatever follows
    ['call +447966197542now', 'call *********7542now'],
    ['mail melissa@gmail.com please', 'mail m******@gmail.com please'],
    ['Write to Melissa.Jones+cc@mail.example.co.uk, or call', 'Write to M***************@mail.example.co.uk, or call'],
    ['4155552671@gmail.com', '4*********@gmail.com'],
    // Account-, order- and other numbers of 7 or more digits that are no card, IBAN or SSN.
    ['order 4111 1111 1111 1112', 'order ************1112'], // fails Luhn
    ['411111111117', '********1117'],
    ['123456789', '*****6789'],
    ['000-12-3456', '*****3456'], // no valid SSN area
    ['GB82 WEST 1234 5698 7654 33', 'GB82 WEST **********5433'], // wrong IBAN check digits
    // A Polish account number without its country: a Luhn-valid part reads as a card, the rest as a number.
    ['61 1090 1014 0000 0712 1981 2874', '61 **** **** **** ********2874'],
  ])('numbers and e-mails inside text: %j → %j', (input, expected) => expect(maskSensitiveText(input)).toBe(expected));

  it.each([
    ['at 2026-11-25T19:15:52.073Z id 01M8A25GMBVMBTX54E6Z7FKK4F'], // ISO timestamp, ULID
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['0123456789ABCDEFGHJKMNPQRS'], // a ULID that starts with ten digits
    ['on 2026-11-25 at 19:15'],
    ['on 2026-11-25 19:15:52'],
    ['order 12345, 25.11.2026'],
    ['12/27'],
    ['3 segments, 160 characters, code 123456'], // short numbers
    ['error 21211'],
    ['gps 48.856613, 2.352222'], // decimals with one dot
    ['3f1c2b4e-1234-5678-9abc-def012345678'], // UUID (a jambonz call sid)
    ['12345678-1234-5678-9abc-def012345678'],
    ['SM0123456789abcdef0123456789abcdef'], // Twilio SID
    ['djE6MDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVY'], // a paging cursor
    ['sess_1234567_x'], // digits glued to an identifier
    ['a-1234567'],
    ['ID4111111111111111'],
    ['4111111111111111X'],
    ['XGB82WEST12345698765432'],
    ['sip:1001@pbx.example'], // an extension, not an address
    ['user:alice'],
    ['conversation:01M8A25GMBVMBTX54E6Z7FKK4F'],
    ['*********7542, m******@gmail.com, **** **** **** 1111'], // already masked
    ['nothing to see here'],
    [''],
  ])('leaves %j clear', (input) => expect(maskSensitiveText(input)).toBe(input));

  it('is idempotent', () => {
    const text = 'Card 4111.1111.1111.1111, call +44 7966 197542 or mail melissa@gmail.com, IBAN GB82 WEST 1234 5698 7654 32';
    const once = maskSensitiveText(text);
    expect(maskSensitiveText(once)).toBe(once);
    expect(once).not.toMatch(/4111\.1111|7966|melissa|WEST/);
  });
});
