import { EventEmitter } from 'node:events';
import { pathMatches, RoutedWsAdapter } from './routed-ws-adapter';

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

describe('message handlers', () => {
  const adapter = new RoutedWsAdapter({} as never);
  const socket = () => Object.assign(new EventEmitter(), { readyState: 1, send: jest.fn() });

  it('leaves the frames of a gateway without @SubscribeMessage handlers to the gateway: no listener of Nest\'s', () => {
    const client = socket();
    adapter.bindMessageHandlers(client as never, [], ((x: unknown) => x) as never);
    expect(client.listenerCount('message')).toBe(0);
  });

  it('binds them as Nest does for a gateway that declares some', () => {
    const client = socket();
    adapter.bindMessageHandlers(client as never, [{ message: 'ping', callback: () => 'pong', isAckHandledManually: false } as never], ((x: unknown) => x) as never);
    expect(client.listenerCount('message')).toBe(1);
  });
});
