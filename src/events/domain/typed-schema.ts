/**
 * A small typed JSON Schema builder. Each builder returns a plain JSON Schema (draft-07) fragment —
 * what the AsyncAPI document and the README print — that also carries, at the type level only,
 * the TypeScript type of the values it describes (`Infer<typeof schema>`). One definition serves
 * the compiler and the documents, so they cannot drift apart.
 *
 * Only what the event catalogue needs: strings (free, constant or enumerated), integers, booleans,
 * closed objects with required and optional properties, arrays, null and unions.
 */

/** Type-level only: never present at run time, so `JSON.stringify` prints the bare JSON Schema. */
declare const VALUE: unique symbol;

export type JsonSchema = { readonly [keyword: string]: unknown };

/** A JSON Schema fragment describing values of type `T`. */
export type Schema<T> = JsonSchema & { readonly [VALUE]?: T };

/** The TypeScript type a schema describes. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type AnySchema = Schema<unknown>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<R extends Record<string, AnySchema>, O extends Record<string, AnySchema>> = Simplify<
  { -readonly [K in keyof R]: Infer<R[K]> } & { -readonly [K in keyof O]?: Infer<O[K]> }
>;

const described = (description: string | undefined): JsonSchema => (description === undefined ? {} : { description });

export const t = {
  string: (description?: string, format?: 'date-time' | 'uri-reference'): Schema<string> =>
    ({ type: 'string', ...(format ? { format } : {}), ...described(description) }),

  /** A timestamp as the gateway writes it (ISO 8601, UTC). */
  timestamp: (description?: string): Schema<string> => t.string(description, 'date-time'),

  integer: (description?: string): Schema<number> => ({ type: 'integer', minimum: 0, ...described(description) }),

  boolean: (description?: string): Schema<boolean> => ({ type: 'boolean', ...described(description) }),

  literal: <const V extends string>(value: V, description?: string): Schema<V> =>
    ({ type: 'string', const: value, ...described(description) }),

  enum: <const V extends readonly [string, ...string[]]>(values: V, description?: string): Schema<V[number]> =>
    ({ type: 'string', enum: [...values], ...described(description) }),

  /** The same values, or null. */
  nullable: <T>(schema: Schema<T>): Schema<T | null> => {
    const { type, enum: values, const: constant, ...rest } = schema;
    if (typeof type !== 'string') return { anyOf: [schema, { type: 'null' }] };
    const allowed = constant !== undefined ? [constant, null] : Array.isArray(values) ? [...values, null] : undefined;
    return { type: [type, 'null'], ...(allowed ? { enum: allowed } : {}), ...rest };
  },

  /** A closed object: the properties named here and no others. */
  object: <R extends Record<string, AnySchema>, O extends Record<string, AnySchema> = Record<never, AnySchema>>(
    required: R,
    optional?: O,
    description?: string,
  ): Schema<ObjectOf<R, O>> => {
    const names = Object.keys(required);
    return {
      type: 'object',
      ...described(description),
      ...(names.length > 0 ? { required: names } : {}),
      properties: { ...required, ...optional },
      additionalProperties: false,
    };
  },

  /**
   * An object the catalogue does not spell out because another document does (a REST resource
   * embedded in an event): any properties.
   */
  document: (description: string): Schema<object> => ({ type: 'object', description }),

  array: <T>(items: Schema<T>, description?: string): Schema<T[]> => ({ type: 'array', items, ...described(description) }),

  /** A shape several events share, named (`title`) so that documents can print it once. */
  named: <T>(title: string, schema: Schema<T>): Schema<T> => ({ title, ...schema }),

  /** One of several shapes. */
  anyOf: <S extends [AnySchema, AnySchema, ...AnySchema[]]>(schemas: S, description?: string): Schema<Infer<S[number]>> =>
    ({ anyOf: schemas, ...described(description) }),
};
