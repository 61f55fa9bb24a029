import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from our clock, either way (jambonz's own tolerance). */
export const JAMBONZ_TOLERANCE_SECONDS = 300;

/** `Jambonz-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` */
export function signJambonz(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

export type JambonzVerdict = 'valid' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/** Checks a signature over the raw body, the timestamp within the tolerance. */
export function verifyJambonz(header: string | undefined, rawBody: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): JambonzVerdict {
  if (!header) return 'missing';
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return 'malformed';
  if (Math.abs(nowSeconds - timestamp) > JAMBONZ_TOLERANCE_SECONDS) return 'stale';
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex'));
  return signatures.some((s) => timingSafeEqual(Buffer.from(s), expected)) ? 'valid' : 'mismatch';
}
