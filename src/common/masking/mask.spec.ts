import { maskDeep, maskEmail, maskPhone, maskText } from './mask';

describe('masking', () => {
  it.each([
    ['+447966197542', '*********7542'],
    ['+1 (415) 555-2671', '********2671'],
    ['1234', '****'],
    ['', ''],
  ])('phone %s → %s', (input, expected) => expect(maskPhone(input)).toBe(expected));

  it.each([
    ['melissa@gmail.com', 'm******@gmail.com'],
    ['a@b.io', 'a@b.io'],
    ['no-at-sign', '**********'],
  ])('e-mail %s → %s', (input, expected) => expect(maskEmail(input)).toBe(expected));

  it.each([
    ['call +447966197542 now', 'call *********7542 now'],
    ['mail melissa@gmail.com please', 'mail m******@gmail.com please'],
    ['card 4111 1111 1111 1111', 'card **** **** **** 1111'],
    ['iban GB82 WEST 1234 5698 7654 32', 'iban GB82 **** **** **** **54 32'],
    ['ssn 123-45-6789', 'ssn ***-**-6789'],
    ['GET /v1/contacts?phone=%2B447966197542', 'GET /v1/contacts?phone=*********7542'],
    ['GET /v1/contacts?phone=07966197542', 'GET /v1/contacts?phone=*******7542'],
    ['order 12345 on 2026-01-05', 'order 12345 on 2026-01-05'],
    ['at 2026-11-25T19:15:52.073Z id 01M8A25GMBVMBTX54E6Z7FKK4F', 'at 2026-11-25T19:15:52.073Z id 01M8A25GMBVMBTX54E6Z7FKK4F'],
    ['id 0123456789ABCDEFGHJKMNPQRS', 'id 0123456789ABCDEFGHJKMNPQRS'],
    // The same rules as agents' views (./sensitive): dotted and no-break-space cards, provider errors.
    ['card 4111.1111.1111.1111', 'card ****.****.****.1111'],
    ['card 4111\u00A01111\u00A01111\u00A01111', 'card ****\u00A0****\u00A0****\u00A01111'],
    ["twilio refused the message: The 'To' number +14155550123 is not valid", "twilio refused the message: The 'To' number ********0123 is not valid"],
    ['gps 48.856613, 2.352222 at 2026-11-25 19:15:52', 'gps 48.856613, 2.352222 at 2026-11-25 19:15:52'],
  ])('text %j → %j', (input, expected) => expect(maskText(input)).toBe(expected));

  it('masks every string inside a log record, and survives cycles', () => {
    const record: Record<string, unknown> = { to: '+447966197542', nested: { list: ['melissa@gmail.com'], '+447966197542': 1 }, n: 5 };
    record.self = record;
    expect(maskDeep(record)).toEqual({
      to: '*********7542', nested: { list: ['m******@gmail.com'], '*********7542': 1 }, n: 5, self: '[Circular]',
    });
  });
});
