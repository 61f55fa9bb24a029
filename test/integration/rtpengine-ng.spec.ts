import { createSocket } from 'node:dgram';
import { NgClient, NgError, parseNgUrl } from '../../src/providers/sip/rtpengine/ng-client';
import { bdecode, ngMessage } from '../../src/providers/sip/rtpengine/domain/bencode';
import { describeIfEnv } from '../support/describe-if';

/** The NG client against a real rtpengine (RTPENGINE_URL, started by .ci/run), and against a lossy stand-in. */
describeIfEnv('RTPENGINE_URL')('rtpengine NG client', () => {
  let ng: NgClient;
  beforeAll(() => { ng = new NgClient(parseNgUrl(process.env.RTPENGINE_URL!)); });
  afterAll(() => ng.close());

  it('pings rtpengine and reads its refusals as errors', async () => {
    expect(await ng.command({ command: 'ping' })).toEqual({ result: 'pong' });
    await expect(ng.command({ command: 'query', 'call-id': 'no-such-call' })).rejects.toThrow(new NgError('rtpengine: Unknown call-id'));
    await expect(ng.command({ command: 'offer', 'call-id': 'x', 'from-tag': 'a', sdp: 'not sdp' })).rejects.toThrow(NgError);
  });

  it('answers with the local address rtpengine is reached from', async () => {
    expect(await ng.localAddress()).toMatch(/^\d+\.\d+\.\d+\.\d+$|:/);
  });

  it('sends a lost command again with the same cookie, and gives up after its timeout', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const cookies: string[] = [];
    server.on('message', (datagram, from) => {
      const cookie = datagram.toString('ascii', 0, datagram.indexOf(0x20));
      cookies.push(cookie);
      expect(bdecode(datagram.subarray(cookie.length + 1))).toEqual({ command: 'ping' });
      if (cookies.length === 2) server.send(ngMessage(cookie, { result: 'pong' }), from.port, from.address); // the first is "lost"
    });
    const lossy = new NgClient({ host: '127.0.0.1', port: server.address().port }, { resendMs: 100, timeoutMs: 400 });
    expect(await lossy.command({ command: 'ping' })).toEqual({ result: 'pong' });
    expect(new Set(cookies).size).toBe(1);
    server.removeAllListeners('message');
    const started = Date.now();
    await expect(lossy.command({ command: 'ping' })).rejects.toThrow(/did not answer "ping" in 400 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    lossy.close();
    await expect(lossy.command({ command: 'ping' })).rejects.toThrow(/closed/);
    server.close();
  });
});
