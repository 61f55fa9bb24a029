import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Normalises a phone number to E.164. National forms are read in the tenant's default region.
 * Returns null when the input is not a valid number.
 */
export function toE164(input: string, defaultRegion: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 40 || !/^[+\d\s().\-/]+$/.test(trimmed)) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}
