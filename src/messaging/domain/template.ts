import { DomainError, ErrorCode } from '../../common/errors/domain-error';

/**
 * A template the caller cannot send as given: a stray `<`/`>`, or a placeholder without its param.
 * It is a DomainError (422, one field error), so the problem filter renders it without help.
 */
export class TemplateError extends DomainError {
  override name = 'TemplateError';
  constructor(
    /** `template.text` for a stray bracket, `template.params.<name>` for a param. */
    readonly field: string,
    message: string,
  ) {
    super(ErrorCode.Unprocessable, `${field} ${message}`, [{ field, message }]);
  }
}

/** `<name>` at the current position; the `y` flag anchors it there. */
const PLACEHOLDER = /<([A-Za-z_][A-Za-z0-9_.-]{0,63})>/y;

/**
 * Replaces every `<name>` with `params[name]`, inserted literally (never re-expanded).
 * A `<` or `>` outside a valid placeholder, or a placeholder with no string param, is an error.
 * Positions in messages count characters (code points) from 1.
 */
export function renderTemplate(text: string, params: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '<' && c !== '>') {
      out += c;
      i += 1;
      continue;
    }
    PLACEHOLDER.lastIndex = i;
    const match = c === '<' ? PLACEHOLDER.exec(text) : null;
    if (!match) {
      const position = Array.from(text.slice(0, i)).length + 1;
      throw new TemplateError(
        'template.text',
        `has a stray "${c}" at position ${position}; "<" and ">" may only wrap a placeholder such as <first_name>`,
      );
    }
    const name = match[1];
    // Own properties only: `<constructor>` must not find Object.prototype.constructor.
    if (!Object.hasOwn(params, name)) {
      throw new TemplateError(`template.params.${name}`, `is missing: the template uses <${name}>`);
    }
    const value: unknown = params[name];
    if (typeof value !== 'string') {
      throw new TemplateError(`template.params.${name}`, 'must be a string');
    }
    out += value;
    i += match[0].length;
  }
  return out;
}
