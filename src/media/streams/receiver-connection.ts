import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import WebSocket from 'ws';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { addressAllowed, type StreamTargets } from './stream-target';

/** The subprotocol a pushed stream offers: the receiver may accept it or none. */
export const PUSHED_STREAM_PROTOCOL = 'audio.contact-gateway.v1';

export interface ReceiverOptions {
  token: string;
  targets: StreamTargets;
  timeoutMs: number;
}

/**
 * Opens the WebSocket to a stream's receiver. The name is resolved once, every address checked
 * (`public`: none inside a private network), and the connection pinned to the checked address:
 * a name that resolves to a public address for the check and a private one for the connection
 * (DNS rebinding) gets nowhere. No redirects are followed. A refusal is 502 naming what the
 * receiver answered, and so is no answer in time.
 */
export async function connectToReceiver(url: string, options: ReceiverOptions): Promise<WebSocket> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    throw DomainError.invalidField('url', 'names a host that does not resolve', ErrorCode.Unprocessable);
  }
  if (addresses.length === 0 || !addresses.every((a) => addressAllowed(a.address, options.targets))) {
    throw DomainError.invalidField('url', 'resolves to a private, loopback, link-local or multicast address', ErrorCode.Unprocessable);
  }
  const pinned = addresses[0];
  const pinnedLookup = ((_name: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (opts?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
  const socket = new WebSocket(url, [PUSHED_STREAM_PROTOCOL], {
    headers: { authorization: `Bearer ${options.token}` },
    handshakeTimeout: options.timeoutMs,
    followRedirects: false,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
    lookup: pinnedLookup,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    const fail = (why: string) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(new DomainError(ErrorCode.BadGateway, `the stream's receiver ${why}`));
    };
    socket.once('open', () => { socket.removeAllListeners(); resolve(socket); });
    socket.once('unexpected-response', (_request, response) => fail(`refused the connection: HTTP ${response.statusCode}`));
    socket.once('error', (error: Error) => fail(/timed out/i.test(error.message) ? `did not answer within ${options.timeoutMs} ms` : `could not be reached (${error.message})`));
  });
}
