import { DomainError } from '../common/errors/domain-error';
import { toE164 } from '../common/phone/phone';

/** Normalises a phone field of a request to E.164, or fails with a 400 naming the field. */
export function requirePhone(field: string, input: string, region: string): string {
  const e164 = toE164(input, region);
  if (!e164) throw DomainError.invalidField(field, `is not a valid phone number (E.164 or a national number of ${region})`);
  return e164;
}
