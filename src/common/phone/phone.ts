import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { remember } from '../bounded-map';

const CACHE_SIZE = 10_000;
const cache = new Map<string, string | null>();

/**
 * Normalises a phone number to E.164. National forms are read in the tenant's default region.
 * Returns null when the input is not a valid number. Answers are remembered (the last 10,000
 * inputs): the same customers write again and again, and parsing is the costly part.
 */
export function toE164(input: string, defaultRegion: string): string | null {
  const key = `${defaultRegion}:${input}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const answer = parse(input, defaultRegion);
  remember(cache, key, answer, CACHE_SIZE);
  return answer;
}

function parse(input: string, defaultRegion: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 40 || !/^[+\d\s().\-/]+$/.test(trimmed)) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}
