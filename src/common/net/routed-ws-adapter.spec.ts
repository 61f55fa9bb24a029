import { pathMatches } from './routed-ws-adapter';

describe('WebSocket gateway paths', () => {
  it.each([
    ['/v1/events', '/v1/events', true],
    ['/v1/events', '/v1/events/x', false],
    ['/v1/calls/:id/audio', '/v1/calls/abc/audio', true],
    ['/v1/calls/:id/audio', '/v1/calls//audio', false],
    ['/v1/calls/:id/audio', '/v1/calls/abc/def/audio', false],
    ['/v1/calls/:id/audio', '/v1/calls/abc/video', false],
  ])('%s matches %s: %s', (template, path, expected) => {
    expect(pathMatches(template, path)).toBe(expected);
  });
});
