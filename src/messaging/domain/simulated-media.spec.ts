import { passiveImageType } from './media-type';
import { decodeSimulatedMedia, type SimulatedMediaInput } from './simulated-media';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const b64 = PNG.toString('base64');

describe('decodeSimulatedMedia', () => {
  it.each<[string, SimulatedMediaInput, string]>([
    ['base64 with its type', { contentType: 'image/png', data: b64 }, 'image/png'],
    ['a type in capitals with parameters', { contentType: 'IMAGE/PNG; name=x.png', data: b64 }, 'image/png'],
    ['a data: URL', { data: `data:image/png;base64,${b64}` }, 'image/png'],
    ['a data: URL with a parameter and the same contentType', { contentType: 'image/png', data: `data:image/png;name=a.png;base64,${b64}` }, 'image/png'],
    ['a data: URL without a type, typed by contentType', { contentType: 'image/jpeg', data: `data:;base64,${b64}` }, 'image/jpeg'],
    ['webp', { contentType: 'image/webp', data: b64 }, 'image/webp'],
  ])('takes %s', (_name, input, contentType) => {
    expect(decodeSimulatedMedia(input, 1024)).toEqual({ contentType, bytes: PNG });
  });

  it.each<[string, SimulatedMediaInput, 'contentType' | 'data', RegExp]>([
    ['no type at all', { data: b64 }, 'contentType', /is required/],
    ['HTML', { contentType: 'text/html', data: b64 }, 'contentType', /picture type/],
    ['SVG (it can script)', { contentType: 'image/svg+xml', data: b64 }, 'contentType', /picture type/],
    ['a video (not a picture)', { contentType: 'video/mp4', data: b64 }, 'contentType', /picture type/],
    ['a header injection', { contentType: 'image/png\r\nx: 1', data: b64 }, 'contentType', /picture type/],
    ['an SVG data: URL', { data: `data:image/svg+xml;base64,${b64}` }, 'contentType', /picture type/],
    ['a data: URL not in base64', { data: 'data:image/png,%89PNG' }, 'data', /base64 data: URL/],
    ['a broken data: URL', { data: 'data:image/png;base64' }, 'data', /well-formed/],
    ['a type that contradicts the data: URL', { contentType: 'image/gif', data: `data:image/png;base64,${b64}` }, 'contentType', /does not match/],
    ['empty data', { contentType: 'image/png', data: '' }, 'data', /is empty/],
    ['not base64', { contentType: 'image/png', data: 'not base64!' }, 'data', /must be base64/],
    ['base64 with a bad length', { contentType: 'image/png', data: b64.slice(0, -1) }, 'data', /must be base64/],
    ['base64 with white space', { contentType: 'image/png', data: `${b64.slice(0, 8)}\n${b64.slice(8)}` }, 'data', /must be base64/],
    ['over the size cap', { contentType: 'image/png', data: Buffer.alloc(1025).toString('base64') }, 'data', /1025 bytes.*at most 1024/],
  ])('refuses %s, naming %s', (_name, input, field, message) => {
    expect(decodeSimulatedMedia(input, 1024)).toEqual({ field, message: expect.stringMatching(message) });
  });

  it('takes a picture of exactly the cap', () => {
    expect(decodeSimulatedMedia({ contentType: 'image/png', data: Buffer.alloc(1024).toString('base64') }, 1024)).toMatchObject({ bytes: Buffer.alloc(1024) });
  });
});

describe('passiveImageType', () => {
  it.each<[string, string | undefined]>([
    ['image/jpeg', 'image/jpeg'], ['Image/GIF', 'image/gif'], ['image/heic', 'image/heic'],
    ['image/svg+xml', undefined], ['audio/mpeg', undefined], ['text/html', undefined], ['', undefined], ['image/png\r\nx: 1', undefined], [' image/png ', 'image/png'],
  ])('%j → %j', (type, expected) => {
    expect(passiveImageType(type)).toBe(expected);
  });
});
