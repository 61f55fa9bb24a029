/**
 * Whether a wrap-up's disposition is one the tenant allows: with a list configured
 * (`dispositions`), only its entries, compared exactly (reports group by them); without one, any.
 */
export function dispositionProblem(disposition: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0 || allowed.includes(disposition)) return undefined;
  return `must be one of this tenant's dispositions: ${allowed.join(', ')}`;
}
