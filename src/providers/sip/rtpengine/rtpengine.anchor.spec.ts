import type { NgClient } from './ng-client';
import { NgError } from './ng-client';
import { direct, RtpengineAnchor } from './rtpengine.anchor';

/** What the anchor asks rtpengine, command by command (the real exchange: test/integration/sipp-media.spec.ts). */
describe('RtpengineAnchor', () => {
  const FLAGS = { ICE: 'remove', replace: ['origin', 'session-connection'], 'transport-protocol': 'RTP/AVP' };
  const fake = (reply: (body: Record<string, unknown>) => Record<string, unknown> = () => ({ result: 'ok', sdp: 'v=0 rtpengine' })) => {
    const sent: Array<Record<string, unknown>> = [];
    const ng = { command: async (body: Record<string, unknown>) => { sent.push(body); return reply(body); } } as unknown as NgClient;
    return { ng, sent };
  };

  it('keys the call by our call id and a tag per leg; the first offer names no answerer yet', async () => {
    const { ng, sent } = fake();
    const anchor = new RtpengineAnchor(ng, 'call-1');
    expect(await anchor.offer('agent', 'customer', 'v=0 agent')).toBe('v=0 rtpengine');
    await anchor.answer('agent', 'customer', 'v=0 customer');
    await anchor.offer('customer', 'agent', 'v=0 customer');
    await anchor.release();
    expect(sent).toEqual([
      { command: 'offer', 'call-id': 'call-1', 'from-tag': 'agent', 'to-tag': undefined, sdp: 'v=0 agent', ...FLAGS },
      { command: 'answer', 'call-id': 'call-1', 'from-tag': 'agent', 'to-tag': 'customer', sdp: 'v=0 customer', ...FLAGS },
      { command: 'offer', 'call-id': 'call-1', 'from-tag': 'customer', 'to-tag': 'agent', sdp: 'v=0 customer', ...FLAGS },
      { command: 'delete', 'call-id': 'call-1', 'delete delay': 0 },
    ]);
  });

  it('deletes nothing for a call never offered, and a failing delete does not throw', async () => {
    const { ng, sent } = fake(() => { throw new NgError('rtpengine: Unknown call-id'); });
    const anchor = new RtpengineAnchor(ng, 'call-2');
    await anchor.release();
    expect(sent).toEqual([]);
    await expect(anchor.offer('agent', 'customer', 'v=0')).rejects.toThrow(NgError);
    await expect(anchor.release()).resolves.toBeUndefined();
  });

  it('refuses a reply without SDP', async () => {
    const anchor = new RtpengineAnchor(fake(() => ({ result: 'ok' })).ng, 'call-3');
    await expect(anchor.offer('agent', 'customer', 'v=0')).rejects.toThrow(/no SDP/);
  });

  it('subscribes to one leg under its own tag, answers where the gateway listens, and unsubscribes', async () => {
    const { ng, sent } = fake((body) => ({ result: 'ok', sdp: body.command === 'subscribe request' ? 'v=0 sendonly copy' : undefined }));
    const anchor = new RtpengineAnchor(ng, 'call-4');
    await anchor.subscribe('customer', 'listen-customer-1', (offer) => `answer to ${offer}`);
    await anchor.unsubscribe('listen-customer-1');
    expect(sent).toEqual([
      { command: 'subscribe request', 'call-id': 'call-4', 'from-tag': 'customer', 'to-tag': 'listen-customer-1', ...FLAGS },
      { command: 'subscribe answer', 'call-id': 'call-4', 'to-tag': 'listen-customer-1', sdp: 'answer to v=0 sendonly copy', flags: ['allow transcoding'] },
      { command: 'unsubscribe', 'call-id': 'call-4', 'to-tag': 'listen-customer-1' },
    ]);
  });

  it('without rtpengine, descriptions pass unchanged', async () => {
    expect(direct.anchored).toBe(false);
    expect(await direct.offer('agent', 'customer', 'v=0 a')).toBe('v=0 a');
    expect(await direct.answer('agent', 'customer', 'v=0 c')).toBe('v=0 c');
  });
});

describe('RtpengineAnchor released while its first offer is on its way', () => {
  it('deletes the call rtpengine creates after the release', async () => {
    const sent: string[] = [];
    let answerOffer!: () => void;
    const ng = {
      command: (body: { command: string }) => {
        sent.push(body.command);
        if (body.command !== 'offer') return Promise.resolve({ result: 'ok' });
        return new Promise((resolve) => { answerOffer = () => resolve({ result: 'ok', sdp: 'v=0' }); });
      },
    } as unknown as NgClient;
    const anchor = new RtpengineAnchor(ng, 'call-5');
    const offering = anchor.offer('agent', 'customer', 'v=0');
    await anchor.release();
    expect(sent).toEqual(['offer']);
    answerOffer();
    await offering;
    expect(sent).toEqual(['offer', 'delete']);
  });
});
