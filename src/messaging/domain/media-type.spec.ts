import { attachmentHeaders, servedMedia } from './media-type';

describe('servedMedia', () => {
  it.each<[string, string, 'inline' | 'attachment']>([
    ['image/jpeg', 'image/jpeg', 'inline'],
    ['IMAGE/PNG', 'image/png', 'inline'],
    ['image/gif; name="x.gif"', 'image/gif', 'inline'],
    ['audio/amr', 'audio/amr', 'inline'],
    ['video/3gpp', 'video/3gpp', 'inline'],
    ['text/html', 'application/octet-stream', 'attachment'],
    ['text/html; charset=utf-8', 'application/octet-stream', 'attachment'],
    ['image/svg+xml', 'application/octet-stream', 'attachment'],
    ['application/pdf', 'application/octet-stream', 'attachment'],
    ['text/vcard', 'application/octet-stream', 'attachment'],
    ['application/javascript', 'application/octet-stream', 'attachment'],
    ['image/png\r\nX-Injected: 1', 'application/octet-stream', 'attachment'],
    ['image/png\nset-cookie: a=b', 'application/octet-stream', 'attachment'],
    ['image/jpeg\u0000', 'application/octet-stream', 'attachment'],
    ['image/jpeg, text/html', 'application/octet-stream', 'attachment'],
    ['', 'application/octet-stream', 'attachment'],
    ['jpeg', 'application/octet-stream', 'attachment'],
    ['application/octet-stream', 'application/octet-stream', 'attachment'],
  ])('%j is served as %s, %s', (stored, contentType, disposition) => {
    expect(servedMedia(stored)).toEqual({ contentType, disposition });
  });
});

describe('attachmentHeaders', () => {
  it('always says nosniff, a locked-down CSP and a disposition', () => {
    expect(attachmentHeaders('01HZX3K5V7', 'text/html')).toEqual({
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="01HZX3K5V7"',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=300',
    });
    expect(attachmentHeaders('01HZX3K5V7', 'image/jpeg')['content-disposition']).toBe('inline; filename="01HZX3K5V7"');
  });

  it('every header value is a single line', () => {
    for (const value of Object.values(attachmentHeaders('a"b\r\n', 'image/png\r\nX: 1'))) expect(value).not.toMatch(/[\r\n]/);
  });
});
