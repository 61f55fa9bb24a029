import { Transform } from 'class-transformer';

/**
 * Helpers shared by `config.schema.ts` and the providers' own config sections
 * (`src/providers/<name>/<name>.config.ts`). Kept apart from the schema, which imports the
 * providers' list: a section importing the schema would close that loop.
 */

/** An environment variable's comma- or space-separated list as an array (YAML gives arrays already). */
export const envList = Transform(({ value }) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value));

/** A media URL prefix: http(s), no user or password, no query, a path ending in `/`. */
export const MEDIA_PREFIX = /^https?:\/\/[^\s/?#@]+\/([^\s?#]*\/)?$/;
export const MEDIA_PREFIX_HINT = 'must hold http(s) URL prefixes ending in "/" (no user, password or query)';
