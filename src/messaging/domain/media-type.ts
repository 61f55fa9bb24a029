/**
 * How an attachment is served. Its stored content type is whatever the sender's phone (or a
 * signed webhook) claimed, so it is never echoed: only a short list of passive media types is
 * shown inline under its own type; anything else (HTML, SVG, scripts, PDF, vCards, a malformed
 * or multi-line value) is a download of `application/octet-stream`.
 */
export interface ServedMedia {
  contentType: string;
  disposition: 'inline' | 'attachment';
}

/** Types a browser renders without running anything (no SVG, no PDF: both can script). */
const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/heic', 'image/heif', 'image/avif',
  'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/ogg', 'audio/wav', 'audio/amr', 'audio/3gpp', 'audio/webm',
  'video/mp4', 'video/3gpp', 'video/quicktime', 'video/webm', 'video/mpeg', 'video/ogg',
]);

/** The pictures the simulator takes: the inline image types, nothing that can script. */
const PASSIVE_IMAGE_TYPES: ReadonlySet<string> = new Set([...INLINE_TYPES].filter((t) => t.startsWith('image/')));

/** The essence of `type` when it is a passive image type (`IMAGE/PNG; x=y` → `image/png`), else undefined. */
export function passiveImageType(type: string): string | undefined {
  const { contentType, disposition } = servedMedia(type);
  return disposition === 'inline' && PASSIVE_IMAGE_TYPES.has(contentType) ? contentType : undefined;
}

const ESSENCE = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,126})\/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/;

export function servedMedia(stored: string): ServedMedia {
  // Only the essence ("image/jpeg") counts; parameters are dropped, never passed on.
  const essence = stored.split(';', 1)[0]!.trim().toLowerCase();
  if (ESSENCE.test(essence) && INLINE_TYPES.has(essence)) return { contentType: essence, disposition: 'inline' };
  return { contentType: 'application/octet-stream', disposition: 'attachment' };
}

/** Response headers for a served attachment (`id` is ours, so safe in a file name). */
export function attachmentHeaders(id: string, stored: string): Record<string, string> {
  const { contentType, disposition } = servedMedia(stored);
  const name = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : 'attachment';
  return {
    'content-type': contentType,
    'content-disposition': `${disposition}; filename="${name}"`,
    'x-content-type-options': 'nosniff',
    // Opened directly, the file runs nothing and reaches nothing, whatever it turns out to be.
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=300',
  };
}
