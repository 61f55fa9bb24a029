import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { renderTemplate, TemplateError } from './template';

describe('renderTemplate', () => {
  it.each<[string, string, Record<string, string>, string]>([
    ['fills two params', 'Hi <first_name>, your order <order.id> shipped', { first_name: 'Ann', 'order.id': 'A-17' },
      'Hi Ann, your order A-17 shipped'],
    ['text without placeholders is unchanged', 'See you at 5pm', {}, 'See you at 5pm'],
    ['the same placeholder twice', '<a> and <a>', { a: 'x' }, 'x and x'],
    ['adjacent placeholders', '<a><b>', { a: '1', b: '2' }, '12'],
    ['a value containing <b> is not expanded', '<a>!', { a: '<b>', b: 'nope' }, '<b>!'],
    ['a value containing $& is inserted literally', 'cost: <p>', { p: '$&$1' }, 'cost: $&$1'],
    ['an empty value', '[<a>]', { a: '' }, '[]'],
    ['unused extra params are fine', 'Hi <name>', { name: 'Bo', unused: 'x' }, 'Hi Bo'],
    ['names may hold . and - and start with _', '<_x.y-z>', { '_x.y-z': 'ok' }, 'ok'],
    ['a 64-character name', `<${'n'.repeat(64)}>`, { ['n'.repeat(64)]: 'long' }, 'long'],
  ])('%s', (_name, text, params, expected) => {
    expect(renderTemplate(text, params)).toBe(expected);
  });

  it.each<[string, string, Record<string, unknown>, string, string | RegExp]>([
    // name, text, params, field, message
    ['missing param', 'Hi <first_name>', {}, 'template.params.first_name', /first_name/],
    ['a prototype name is not a param', 'Hi <constructor>', {}, 'template.params.constructor', /missing/],
    ['a non-string param', 'Hi <n>', { n: 5 }, 'template.params.n', /must be a string/],
    ['stray <', 'a < b', { b: 'x' }, 'template.text', /stray "<" at position 3/],
    ['stray >', 'a > b', {}, 'template.text', /stray ">" at position 3/],
    ['empty <>', 'x<>', {}, 'template.text', /stray "<" at position 2/],
    ['<1abc>: a name cannot start with a digit', '<1abc>', { '1abc': 'x' }, 'template.text', /stray "<" at position 1/],
    ['<a b>: no spaces in a name', '<a b>', {}, 'template.text', /stray "<" at position 1/],
    ['a 65-character name', `<${'n'.repeat(65)}>`, { ['n'.repeat(65)]: 'x' }, 'template.text', /stray "<" at position 1/],
    ['nested <<a>>', '<<a>>', { a: 'x' }, 'template.text', /stray "<" at position 1/],
    ['unclosed <a', 'Hi <a', { a: 'x' }, 'template.text', /stray "<" at position 4/],
    ['> after a good placeholder', '<a>>', { a: 'x' }, 'template.text', /stray ">" at position 4/],
    ['position counts characters, not UTF-16 units', '😀>', {}, 'template.text', /position 2/],
  ])('rejects %s', (_name, text, params, field, message) => {
    const render = () => renderTemplate(text, params as Record<string, string>);
    expect(render).toThrow(TemplateError);
    expect(render).toThrow(message);
    expect(render).toThrow(expect.objectContaining({ field }));
  });

  it('is a 422 domain error naming its field', () => {
    let caught: unknown;
    try {
      renderTemplate('<a>', {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({
      name: 'TemplateError',
      code: ErrorCode.Unprocessable,
      status: 422,
      errors: [{ field: 'template.params.a', message: expect.stringContaining('<a>') }],
    });
  });
});
