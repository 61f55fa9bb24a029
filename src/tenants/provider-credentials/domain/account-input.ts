/** What a provider's account consists of (its descriptor's `tenantAccount`, providers/provider-descriptor.ts). */
export interface AccountSpec {
  readonly fields: Readonly<Record<string, { required: boolean; pattern: RegExp; hint: string }>>;
}

export type AccountFields = Readonly<Record<string, string>>;

/** A field the admin got wrong, as the problem's `errors[]` says it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An admin's account for a provider, checked against what the provider's descriptor asks
 * (`tenantAccount`): the fields it knows, each a string matching its pattern, the required ones
 * present. Every fault is said at once; a body that is not an object is one fault.
 */
export function readAccount(spec: AccountSpec, body: unknown): { fields: AccountFields } | { errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { errors: [{ field: 'body', message: 'must be a JSON object of the account’s fields' }] };
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(input).filter((name) => !Object.hasOwn(spec.fields, name))
    .map((field) => ({ field, message: `is not a field of this provider’s account (${Object.keys(spec.fields).join(', ')})` }));
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const value = input[name];
    if (value === undefined) {
      if (field.required) errors.push({ field: name, message: 'is required' });
    } else if (typeof value !== 'string') {
      errors.push({ field: name, message: 'must be a string' });
    } else if (!field.pattern.test(value)) {
      errors.push({ field: name, message: field.hint });
    } else {
      fields[name] = value;
    }
  }
  return errors.length > 0 ? { errors } : { fields };
}

/** The shortest value a hint is given for: its last 4 characters are then at most a quarter of it. */
const HINTED_FROM = 16;

/**
 * What the admin API may show of each field: its last 4 characters when it is long enough that
 * they give little away, else nothing (`…`). Never more.
 */
export function hintsOf(fields: AccountFields): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value.length >= HINTED_FROM ? `…${value.slice(-4)}` : '…']));
}
