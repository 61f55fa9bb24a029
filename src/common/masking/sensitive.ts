/**
 * Masking of payment data (PCI) inside free text shown to agents: message bodies, previews, notes.
 *   4111 1111 1111 1111          -> **** **** **** 1111          (Luhn-valid, 13–19 digits)
 *   GB82 WEST 1234 5698 7654 32  -> GB82 **** **** **** **54 32  (ISO 13616 mod-97, registered length)
 *   123-45-6789                  -> ***-**-6789                  (US SSN, valid area/group/serial)
 * Phone numbers and e-mails are masked by ./mask; here they, dates and failing digit runs stay clear.
 */

/** Registered IBAN lengths of the common countries; any other country may have 15–34 characters. */
const IBAN_LENGTHS: Record<string, number> = {
  DE: 22, GB: 22, FR: 27, ES: 24, IT: 27, NL: 18, BE: 16, PL: 28, AT: 20,
  CH: 21, IE: 22, PT: 25, SE: 24, DK: 18, NO: 15, FI: 18, LU: 20,
};

/** A candidate is a run of groups (each led by its separator) that may hold one or more items. */
interface RunRule {
  group: RegExp;
  maxGroups: number;
  keepHead: number;
  accept(candidate: string): boolean;
}

// Digit groups split by single spaces or dashes, not inside a longer token nor after a phone's `+`.
const CARD_RUN = /(?<![A-Za-z0-9+])\d+(?:[ -]\d+)*(?![A-Za-z0-9])/g;
// Country + check digits, then either one compact token or groups of up to four after single spaces.
const IBAN_RUN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9]{0,30}(?![A-Za-z0-9])(?: [A-Za-z0-9]{1,4}(?![A-Za-z0-9]))*/g;
const IBAN_FORMAT = /^[A-Z]{2}\d{2}(?:[A-Z0-9]*|(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,4})?)$/i;
// AAA-GG-SSSS or AAA GG SSSS (one separator throughout), not part of a longer digit sequence.
const SSN = /(?<![A-Za-z0-9+]|\d[ -])(?!000|666|9\d\d)\d{3}([ -])(?!00)\d{2}\1(?!0000)\d{4}(?![A-Za-z0-9]|[ -]\d)/g;
const PHONE_CHARS = /^\+?[\d\s().-]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const CARD: RunRule = { group: /[ -]?\d+/g, maxGroups: 19, keepHead: 0, accept: isCardNumber };
const IBAN: RunRule = { group: / ?[A-Za-z0-9]+/g, maxGroups: 9, keepHead: 4, accept: isIban };

/** Masks payment cards, IBANs and US social security numbers inside free text; other text stays as it was. */
export function maskSensitiveText(text: string): string {
  return text
    .replace(IBAN_RUN, (run) => maskRun(run, IBAN))
    .replace(CARD_RUN, (run) => maskRun(run, CARD))
    .replace(SSN, (ssn) => maskExceptEnds(ssn, 0, 4));
}

/** True when a value (e.g. a contact name) is essentially a phone number: `+`, 7–15 digits, spaces, dashes, dots, parentheses. */
export function looksLikePhone(value: string): boolean {
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D/g, '').length;
  return PHONE_CHARS.test(trimmed) && !ISO_DATE.test(trimmed) && digits >= 7 && digits <= 15;
}

/**
 * Masks every item the rule accepts inside a run, trying sub-runs on group boundaries leftmost and
 * longest first, so that `4111 1111 1111 1111 12` still finds the card before the trailing `12`.
 */
function maskRun(run: string, rule: RunRule): string {
  const groups = run.match(rule.group) ?? [];
  let out = '';
  for (let start = 0; start < groups.length; ) {
    let end = Math.min(groups.length, start + rule.maxGroups);
    while (end > start && !rule.accept(groups.slice(start, end).join('').replace(/^[ -]/, ''))) end -= 1;
    if (end === start) {
      out += groups[start];
      start += 1;
    } else {
      out += maskExceptEnds(groups.slice(start, end).join(''), rule.keepHead, 4);
      start = end;
    }
  }
  return out;
}

/** Replaces every letter or digit by `*` except the first `head` and the last `tail`, keeping separators. */
function maskExceptEnds(value: string, head: number, tail: number): string {
  const total = value.replace(/[^A-Za-z0-9]/g, '').length;
  let index = -1;
  return value.replace(/[A-Za-z0-9]/g, (char) => {
    index += 1;
    return index < head || index >= total - tail ? char : '*';
  });
}

function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[digits.length - 1 - i]);
    const doubled = i % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
}

function isIban(candidate: string): boolean {
  if (!IBAN_FORMAT.test(candidate)) return false;
  const iban = candidate.replace(/ /g, '').toUpperCase();
  const registered = IBAN_LENGTHS[iban.slice(0, 2)];
  const lengthOk = registered ? iban.length === registered : iban.length >= 15 && iban.length <= 34;
  if (!lengthOk) return false;
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const value = parseInt(char, 36); // 0–9 stay, A–Z become 10–35
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
