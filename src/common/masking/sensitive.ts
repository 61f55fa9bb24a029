/**
 * The one set of detectors for personal data inside any text: agent views (REST answers, event
 * frames, problem documents) and logs use them alike.
 *   4111 1111 1111 1111          -> **** **** **** 1111          (Luhn-valid, 13–19 digits; spaces,
 *                                                                  no-break spaces, dots or dashes kept)
 *   GB82 WEST 1234 5698 7654 32  -> GB82 **** **** **** **54 32  (ISO 13616 mod-97, registered length)
 *   123-45-6789                  -> ***-**-6789                  (US SSN, valid area/group/serial)
 *   melissa@gmail.com            -> m******@gmail.com            (anywhere in the text)
 *   +44 7966 197542, 0796619754… -> *********7542                 (every run of 7 or more digits:
 *                                                                  phone, account or order numbers)
 * Stay clear: runs of under 7 digits, dates (2026-11-25, 25.11.2026), ISO timestamps, decimals with
 * one dot (GPS positions such as 48.856613), and digits glued to letters or to an id's separators
 * (ULIDs, UUIDs, provider SIDs, base64 cursors). Masking is idempotent: masked text stays as it is.
 */

/** Every digit but the last four becomes `*`; separators go (`+1 (415) 555-2671` -> `********2671`). */
export function maskPhone(value: string): string {
  const compact = value.replace(/[^\d+]/g, '');
  if (compact.length <= 4) return '*'.repeat(compact.length);
  return '*'.repeat(compact.length - 4) + compact.slice(-4);
}

/** The first character of the local part and the whole domain stay. */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(value.length);
  return value[0] + '*'.repeat(at - 1) + value.slice(at);
}

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
  /** Letters and digits an item has (separators aside): candidates outside are not even looked at. */
  minSize: number;
  maxSize: number;
  /** `compact` is the candidate without separators; `spelled()` builds it as written. */
  accept(compact: string, spelled: () => string): boolean;
}

/** What people type between digit groups: space, no-break spaces (U+00A0, U+2007, U+2009, U+202F), dot, dash. */
const SEP = '[ \\u00A0\\u2007\\u2009\\u202F.\\-]';
const SPACES = /[\u00A0\u2007\u2009\u202F]/g;

// Digit groups split by one separator each, not inside a longer token nor after a phone's `+`.
const CARD_RUN = new RegExp(`(?<![\\p{L}\\p{N}+])\\d+(?:${SEP}\\d+)*(?![\\p{L}\\p{N}])`, 'gu');
// Country + check digits, then either one compact token or groups of up to four after single spaces.
const IBAN_RUN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9]{0,30}(?![A-Za-z0-9])(?:[ \u00A0\u202F][A-Za-z0-9]{1,4}(?![A-Za-z0-9]))*/g;
const IBAN_FORMAT = /^[A-Z]{2}\d{2}(?:[A-Z0-9]*|(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,4})?)$/i;
// AAA-GG-SSSS or AAA GG SSSS (one separator throughout), not part of a longer digit sequence.
const SSN = /(?<![A-Za-z0-9+]|\d[ -])(?!000|666|9\d\d)\d{3}([ -])(?!00)\d{2}\1(?!0000)\d{4}(?![A-Za-z0-9]|[ -]\d)/g;
// An address, not the user part of a SIP URI (`sip:1001@pbx.example` is an extension; a phone
// number there is still masked as a number).
const EMAIL = /(?<![\p{L}\p{N}._%+-]|\b[Ss][Ii][Pp][Ss]?:)[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])/gu;
// A date is tried first at each place, so that `2026-11-25 19:15` is not read as ten digits.
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const DATE = `(?:19|20)\\d\\d(?<s1>[-./])(?:0?[1-9]|1[0-2])\\k<s1>${DAY}(?!\\d)|${DAY}(?<s2>[-./])${DAY}\\k<s2>(?:19|20)\\d\\d(?!\\d)`;
// A number: digits with single separators or parentheses between them, never starting glued to
// a letter, a digit, a `*` (already masked), or an identifier's `-` or `_` (the groups of a UUID, a
// base64 cursor, `sess_1234567`). Without a `+` it must not end glued either (`0123456789ABCD…`
// is an id); with a `+` (or `%2B` in a URL) it is a phone number whatever follows.
const DIGITS = `\\(?\\d(?:(?:${SEP}|\\) ?| ?\\()?\\d)*`;
const UNGLUED = '(?![\\p{L}\\p{N}*]|[-_][\\p{L}\\p{N}]|\\.\\p{N})';
const NUMBER_RUN = new RegExp(
  `(?<![\\p{L}\\p{N}*]|[\\p{L}\\p{N}][-_]|\\p{N}\\.)(?:(?<date>${DATE})${UNGLUED}|(?:\\+|%2[Bb])${DIGITS}|${DIGITS}${UNGLUED})`,
  'gu',
);
const DECIMAL = /^\d+\.\d+$/;
const MIN_NUMBER_DIGITS = 7;
const MIN_CARD_DIGITS = 13;
// Whole values that are an ISO timestamp or a ULID (with a letter: 26 digits may be an account).
const TIMESTAMP_OR_ULID = /^(?:\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)|(?=[0-9]*[A-Z])[0-9A-HJKMNP-TV-Z]{26})$/;

const CARD: RunRule = { group: new RegExp(`${SEP}?\\d+`, 'g'), maxGroups: 19, keepHead: 0, minSize: 13, maxSize: 19, accept: (compact) => isCardNumber(compact) };
const IBAN: RunRule = { group: /[ \u00A0\u202F]?[A-Za-z0-9]+/g, maxGroups: 9, keepHead: 4, minSize: 15, maxSize: 34, accept: (_compact, spelled) => isIban(spelled()) };
const LEADING_SEP = new RegExp(`^${SEP}`);

/**
 * Masks cards, IBANs, SSNs (keeping their layout), then e-mails, then every remaining number of
 * 7 or more digits. Text with fewer than 7 digits and no `@`, an ISO timestamp or a ULID is
 * returned as it is, without a regex pass (this runs on every string of every masked event).
 */
export function maskSensitiveText(text: string): string {
  if (!maybeSensitive(text) || TIMESTAMP_OR_ULID.test(text)) return text;
  let out = text
    .replace(IBAN_RUN, (run) => (run.length < 15 ? run : maskRun(run, IBAN)))
    .replace(CARD_RUN, (run) => (countDigits(run) < MIN_CARD_DIGITS ? run : maskRun(run, CARD)))
    .replace(SSN, (ssn) => maskExceptEnds(ssn, 0, 4));
  if (out.includes('@')) out = out.replace(EMAIL, (email) => maskEmail(email));
  return out.replace(NUMBER_RUN, maskNumber);
}

/** Every item needs 7 digits (a number, card, IBAN or SSN) or an `@` (an e-mail): one pass over the text decides. */
function maybeSensitive(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 64) return true; // @
    if (code >= 48 && code <= 57 && ++digits >= MIN_NUMBER_DIGITS) return true;
  }
  return false;
}

function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits += 1;
  }
  return digits;
}

/** `replace` callback of NUMBER_RUN: dates, decimals and short numbers stay. */
function maskNumber(match: string, ...rest: unknown[]): string {
  const groups = rest[rest.length - 1] as { date?: string };
  if (groups.date !== undefined || DECIMAL.test(match)) return match;
  const number = match.replace(/^%2B/i, '+');
  return countDigits(number) < MIN_NUMBER_DIGITS ? match : maskPhone(number);
}

/**
 * Masks every item the rule accepts inside a run, trying sub-runs on group boundaries leftmost and
 * longest first, so that `4111 1111 1111 1111 12` still finds the card before the trailing `12`.
 */
function maskRun(run: string, rule: RunRule): string {
  const groups = run.match(rule.group) ?? [];
  // Each group is one separator at most, then letters or digits; `offsets` index their concatenation.
  const cores = groups.map((g) => (LEADING_SEP.test(g) ? g.slice(1) : g));
  const compact = cores.join('');
  const offsets = [0];
  for (const core of cores) offsets.push(offsets[offsets.length - 1]! + core.length);
  const fits = (start: number, end: number): boolean => {
    const size = offsets[end]! - offsets[start]!;
    return size >= rule.minSize && size <= rule.maxSize
      && rule.accept(compact.slice(offsets[start], offsets[end]), () => groups.slice(start, end).join('').replace(LEADING_SEP, ''));
  };
  let out = '';
  for (let start = 0; start < groups.length; ) {
    let end = Math.min(groups.length, start + rule.maxGroups);
    while (end > start && !fits(start, end)) end -= 1;
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

/** Luhn over 13–19 digits (a run's groups without their separators). */
function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    const doubled = i % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
}

function isIban(candidate: string): boolean {
  const spaced = candidate.replace(SPACES, ' ');
  if (!IBAN_FORMAT.test(spaced)) return false;
  const iban = spaced.replace(/ /g, '').toUpperCase();
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
