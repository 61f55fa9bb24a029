import { EVENT_CATALOGUE, EVENT_TYPES } from './event-catalogue';
import type { JsonSchema } from './typed-schema';

/*
 * The README's table of event types, printed from the catalogue (a test keeps the README equal to
 * it). Payloads are shown in a short notation: `{ a, b?, c: x|y, d: [{ … }] }`, where a bare name
 * is a string, number or boolean and `?` marks a property that may be left out. Shapes the
 * catalogue names (`t.named`) are printed by name in the rows and spelled out once below them.
 */

export const TABLE_START = '<!-- event-catalogue: generated from src/events/domain/event-catalogue.ts; UPDATE_README=1 npx jest src/events/domain/event-table.spec.ts rewrites it -->';
export const TABLE_END = '<!-- /event-catalogue -->';

function values(schema: JsonSchema): string | undefined {
  if (schema.const !== undefined) return String(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => (v === null ? 'null' : String(v))).join('|');
  return undefined;
}

/** Prints schemas, collecting the named shapes it meets. */
class Printer {
  readonly named = new Map<string, string>();

  /** The notation of a schema, or undefined for a scalar whose name says enough. */
  shape(schema: JsonSchema, spell = false): string | undefined {
    if (typeof schema.title === 'string' && !spell) {
      if (!this.named.has(schema.title)) this.named.set(schema.title, this.shape(schema, true) ?? '');
      return schema.title;
    }
    const enumerated = values(schema);
    if (enumerated !== undefined) return enumerated;
    if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map((s) => this.shape(s) ?? 'null').join(' or ');
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const nullable = types.includes('null') ? '|null' : '';
    if (types.includes('array')) return `[${this.shape(schema.items as JsonSchema) ?? '…'}]${nullable}`;
    if (types.includes('object') && schema.properties) {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const properties = Object.entries(schema.properties as Record<string, JsonSchema>).map(([name, property]) => {
        const inner = this.shape(property);
        return `${name}${required.has(name) ? '' : '?'}${inner === undefined ? '' : `: ${inner}`}`;
      });
      return `{ ${properties.join(', ')} }${nullable}`;
    }
    // A scalar: its name says enough, unless it may be null.
    return nullable ? `${types.filter((type) => type !== 'null').join('|')}|null` : undefined;
  }
}

/** A table cell: GitHub tables need `|` escaped, also inside code. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown block the README holds between the two markers (markers included). */
export function eventTable(): string {
  const printer = new Printer();
  const rows = EVENT_TYPES.map((type) => {
    const { summary, interaction, data } = EVENT_CATALOGUE[type];
    return `| \`${type}\` | ${interaction ? 'yes' : ''} | \`${cell(printer.shape(data) ?? '')}\` | ${cell(summary)} |`;
  });
  return [
    TABLE_START,
    '| type | interactionId | data | what happened |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...[...printer.named].map(([name, shape]) => `- \`${name}\`: \`${shape}\``),
    TABLE_END,
  ].join('\n');
}
