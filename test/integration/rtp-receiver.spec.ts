import { createSocket, type Socket } from 'node:dgram';
import { RtpReceiver } from '../../src/providers/sip/rtpengine/rtp-receiver';
import { rtpPacket } from '../../src/providers/sip/rtpengine/domain/rtp';
import { alawDecode } from '../../src/providers/sip/rtpengine/domain/g711';
import { concat, type Track } from '../../src/media/domain/pcm';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ALAW_8 = 0xd5; // A-law for +8
const ULAW_MINUS_1000 = 0x4e; // μ-law byte that decodes near -1000

/**
 * The gateway's RTP end of rtpengine's subscriptions, fed over real UDP on 127.0.0.1: 20 ms
 * frames per track on a steady clock, G.711 decoded, silence where nothing came, duplicates and
 * late packets dropped, one DTMF digit per RFC 4733 event.
 */
describe('RTP receiver', () => {
  let receiver: RtpReceiver;
  let phone: Socket;
  const frames: Record<Track, Int16Array[]> = { customer: [], agent: [] };
  const digits: Array<[string, Track]> = [];

  beforeEach(async () => {
    frames.customer = [];
    frames.agent = [];
    digits.length = 0;
    receiver = await RtpReceiver.open('127.0.0.1', {
      frame: (track, samples) => void frames[track].push(samples),
      dtmf: (digit, track) => void digits.push([digit, track]),
      end: () => undefined,
    });
    phone = createSocket('udp4');
  });
  afterEach(() => {
    receiver.stop();
    phone.close();
  });

  const send = (track: Track, packet: Buffer): Promise<void> =>
    new Promise((resolve) => phone.send(packet, receiver.port(track), '127.0.0.1', () => resolve()));

  it('gives 20 ms per track per tick, audio where it came (after the playout delay) and silence elsewhere', async () => {
    receiver.start();
    const t0 = performance.now();
    // 30 ms packets of A-law on the customer's track (as the test pcap sends), nothing on the agent's.
    for (let i = 0; i < 10; i++) {
      await send('customer', rtpPacket({ payloadType: 8, sequence: 100 + i, timestamp: i * 240, ssrc: 1, payload: Buffer.alloc(240, ALAW_8) }));
      await sleep(30);
    }
    await sleep(200);
    receiver.stop();
    const ticks = Math.floor((performance.now() - t0) / 20);
    for (const track of ['customer', 'agent'] as const) {
      expect(frames[track].every((f) => f.length === 160)).toBe(true);
      expect(Math.abs(frames[track].length - ticks)).toBeLessThanOrEqual(2);
    }
    const customer = concat(frames.customer);
    expect(customer.filter((v) => v === 8).length).toBe(2400); // every sample sent, none twice
    expect(concat(frames.agent).every((v) => v === 0)).toBe(true);
    expect(receiver.packets('customer')).toBe(10);
  });

  it('keeps at most 200 ms per track: a burst after a stall loses its oldest audio, not the clock', async () => {
    for (let i = 0; i < 20; i++) await send('customer', rtpPacket({ payloadType: 8, sequence: i, timestamp: i * 160, ssrc: 1, payload: Buffer.alloc(160, i) }));
    await sleep(50);
    receiver.start();
    await sleep(300);
    receiver.stop();
    const customer = concat(frames.customer);
    expect(customer.filter((v) => v !== 0).length).toBe(1600);
    expect(concat(frames.customer.slice(0, 1))[0]).toBe(alawDecode(Uint8Array.of(10))[0]); // packets 0–9 were dropped
  });

  it('drops repeated and late packets, decodes μ-law, ignores other payload types and RTCP', async () => {
    const payload = Buffer.alloc(160, ULAW_MINUS_1000);
    await send('agent', rtpPacket({ payloadType: 0, sequence: 5, timestamp: 0, ssrc: 2, payload }));
    await send('agent', rtpPacket({ payloadType: 0, sequence: 5, timestamp: 0, ssrc: 2, payload })); // repeated
    await send('agent', rtpPacket({ payloadType: 0, sequence: 4, timestamp: 0, ssrc: 2, payload })); // late
    await send('agent', rtpPacket({ payloadType: 0, sequence: 6, timestamp: 160, ssrc: 2, payload }));
    await send('agent', rtpPacket({ payloadType: 9, sequence: 7, timestamp: 320, ssrc: 2, payload })); // G.722: not decoded
    await send('agent', Buffer.concat([Buffer.from([0x80, 200]), Buffer.alloc(26)])); // RTCP
    await sleep(50);
    receiver.start();
    await sleep(200);
    receiver.stop();
    const agent = concat(frames.agent);
    const heard = agent.filter((v) => v !== 0);
    expect(heard.length).toBe(320);
    expect(Math.abs(heard[0]! + 1000)).toBeLessThan(64);
  });

  it('tells each RFC 4733 key once, on its track, whatever the number of packets of the event', async () => {
    receiver.start();
    const event = (digit: number, end: boolean) => Buffer.from([digit, end ? 0x8a : 0x0a, 0, 160]);
    let seq = 1;
    for (const end of [false, false, true, true, true]) await send('agent', rtpPacket({ payloadType: 101, sequence: seq++, timestamp: 8000, ssrc: 3, payload: event(5, end) }));
    for (const end of [false, true]) await send('customer', rtpPacket({ payloadType: 101, sequence: seq++, timestamp: 16000, ssrc: 4, payload: event(11, end) }));
    await sleep(50);
    expect([receiver.packets('agent'), receiver.packets('customer')]).toEqual([5, 2]);
    expect(digits).toHaveLength(2); // the two sockets are read in no particular order
    expect(digits).toEqual(expect.arrayContaining([['5', 'agent'], ['#', 'customer']]));
  });

  it('takes events on the payload type the offer named, and then not on 101', async () => {
    receiver.eventTypes('agent', [96]);
    await send('agent', rtpPacket({ payloadType: 96, sequence: 1, timestamp: 800, ssrc: 5, payload: Buffer.from([1, 0x0a, 0, 160]) }));
    await send('agent', rtpPacket({ payloadType: 101, sequence: 2, timestamp: 1600, ssrc: 5, payload: Buffer.from([2, 0x0a, 0, 160]) }));
    await sleep(50);
    expect(digits).toEqual([['1', 'agent']]);
  });
});
