import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * What a JSON answer may load or be framed by: nothing. An API answer opened in a browser (or an
 * error page) then cannot run a script or be put in someone else's frame.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers every answer carries unless its route set its own (the console, /docs, attachments). */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // For browsers older than CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // Other sites may not embed the gateway's answers (<img>, <script>); CORS requests are unaffected.
  'cross-origin-resource-policy': 'same-origin',
};
const HEADER_ENTRIES = Object.entries(DEFAULT_HEADERS);

/** Adds the default security headers to every answer Fastify sends, never replacing a route's own. */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  // A callback hook over entries listed once: an async one costs a promise per answer.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of HEADER_ENTRIES) {
      if (!reply.hasHeader(name)) void reply.header(name, value);
    }
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
}

/** A CSP source for one inline <script> or <style> element: its text's SHA-256. */
export function inlineSourceHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The policy of an HTML page of the gateway's own (the console, /docs): scripts and styles from the
 * gateway itself plus the inline ones named by hash, fetches and WebSockets to the gateway only,
 * and no framing. `blobMedia` lets `<audio>` play `blob:` URLs the page made itself (the console
 * fetches a recording with the token, which an `<audio src>` cannot send).
 */
export function pageContentSecurityPolicy(inline: { scripts?: string[]; styles?: string[]; blobMedia?: boolean } = {}): string {
  const scripts = ["'self'", ...(inline.scripts ?? []).map(inlineSourceHash)].join(' ');
  const styles = ["'self'", ...(inline.styles ?? []).map(inlineSourceHash)].join(' ');
  return [
    "default-src 'none'", `script-src ${scripts}`, `style-src ${styles}`, "img-src 'self' data:", "connect-src 'self'",
    ...(inline.blobMedia ? ["media-src 'self' blob:"] : []),
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}
