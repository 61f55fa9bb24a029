import { ValidationTypes, getMetadataStorage } from 'class-validator';

/*
 * Nullability in the OpenAPI document, read from what class-validator will do with `null` rather
 * than from decorator names, so the document cannot drift from the code.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;
type Ctor = abstract new (...args: any[]) => unknown;

interface ConditionalMeta {
  type: string;
  propertyName: string;
  constraints?: unknown[];
}

/**
 * Whether the validator lets `null` through: class-validator skips a property's checks when one of
 * its conditions (`@ValidateIf`, `@IsOptional`) answers false. `@Omittable()` skips only a missing
 * value, so null is still checked (and refused); `@IsOptional()` and `@ValidateIf(o => o.x !== null)`
 * (PATCH clears a field) skip null, so it is accepted. The conditions are asked, not recognised by
 * name, so the document says what the code does.
 */
function skipsNull(conditions: ConditionalMeta[], propertyName: string): boolean {
  return conditions.some((meta) => {
    const condition = meta.constraints?.[0];
    if (typeof condition !== 'function') return false;
    try {
      return condition({ [propertyName]: null }, null) === false;
    } catch {
      return false;
    }
  });
}

function withNull(prop: Json): Json {
  if (typeof prop.type === 'string') return { ...prop, type: [prop.type, 'null'] };
  if (Array.isArray(prop.type)) return prop.type.includes('null') ? prop : { ...prop, type: [...prop.type, 'null'] };
  // A nested object ($ref) or a composed schema: null as the other alternative.
  return { anyOf: [prop, { type: 'null' }] };
}

/** The schema without `null` (query strings cannot carry one). */
export function withoutNull(prop: Json): Json {
  if (Array.isArray(prop.type) && prop.type.includes('null')) {
    const types = prop.type.filter((t: string) => t !== 'null');
    return { ...prop, type: types.length === 1 ? types[0] : types };
  }
  return prop;
}

/** Marks as nullable exactly the properties whose validation lets `null` through ({@link skipsNull}). */
export function allowNullWhereAccepted(schemas: Record<string, Json>): void {
  const metas = (getMetadataStorage() as unknown as { validationMetadatas: Map<Ctor, ConditionalMeta[]> }).validationMetadatas;
  if (!(metas instanceof Map)) return;
  const targets = [...metas.keys()].filter((t): t is Ctor => typeof t === 'function');
  for (const target of targets) {
    const schema = schemas[target.name];
    if (!schema?.properties) continue;
    // A class's own conditions and those it inherits.
    const conditions = targets
      .filter((t) => t === target || target.prototype instanceof t)
      .flatMap((t) => metas.get(t)!.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION));
    for (const [name, prop] of Object.entries<Json>(schema.properties)) {
      if (skipsNull(conditions.filter((m) => m.propertyName === name), name)) schema.properties[name] = withNull(prop);
    }
  }
}
