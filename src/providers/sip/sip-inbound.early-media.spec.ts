import pino from 'pino';
import type { CallReport } from '../voice-provider.port';
import { SipInbound, type InboundInvite } from './sip-inbound';
import type { EarlyMedia } from './sip.early-media';

/** A waiting caller's early media (sip.early-media.ts) as SipInbound drives it; the real exchange: test/e2e/inbound-media-sip.e2e.spec.ts. */
describe('SipInbound with early media', () => {
  const HEADERS: Record<string, string> = { 'Call-ID': 'abc@trunk', From: '<sip:+14155553901@10.0.0.9>', To: '<sip:+14155550100@gw>' };
  const accepted = async () => ({ kind: 'accepted' as const, callId: 'c1', conversationId: 'v1', duplicate: false, greeting: 'hi', holdMusicUrl: null });

  function setup(start: (done: EarlyMedia) => Promise<EarlyMedia> = async (early) => early) {
    const steps: string[] = [];
    const reports: CallReport[] = [];
    const sent: number[] = [];
    const early = {
      anchor: {}, callerSdp: 'v=0 rtpengine',
      pause: async () => void steps.push('pause'), resume: async () => void steps.push('resume'), release: async () => void steps.push('release'),
    } as unknown as EarlyMedia;
    let onCancel: () => void = () => undefined;
    const req: InboundInvite = { source_address: '10.0.0.9', body: 'v=0', get: (name) => HEADERS[name], on: (_e, listener) => { onCancel = listener; } };
    const inbound = new SipInbound(['10.0.0.9'], (r) => void reports.push(r), pino({ level: 'silent' }), () => start(early));
    inbound.accept(accepted);
    return { inbound, req, res: { send: (status: number) => void sent.push(status) }, sent, reports, steps, early, cancel: () => onCancel() };
  }

  it('no ringback: the sounds pause while a device is INVITEd and play again when it refuses, and the call keeps its rtpengine media', async () => {
    const { inbound, req, res, sent, steps, early } = setup();
    await inbound.onInvite(req, res);
    expect(sent).toEqual([]); // the 183 is EarlyMedia's
    expect(await inbound.earlyMedia('abc@trunk')).toBe(early);
    await expect(inbound.connect('abc@trunk', 'sip:a@pbx', async () => { throw Object.assign(new Error('busy'), { status: 486 }); })).rejects.toThrow('486');
    expect(steps).toEqual(['pause', 'resume']);
    const legs = { uas: {} as never, uac: {} as never };
    await expect(inbound.connect('abc@trunk', 'sip:b@pbx', async () => legs)).resolves.toBe(legs);
    expect(steps).toEqual(['pause', 'resume', 'pause']);
  });

  it('rings back when rtpengine cannot set it up', async () => {
    const { inbound, req, res, sent } = setup(async () => { throw new Error('rtpengine did not answer'); });
    await inbound.onInvite(req, res);
    expect(sent).toEqual([180]);
    expect(await inbound.earlyMedia('abc@trunk')).toBeUndefined();
  });

  it('a CANCEL while rtpengine is asked gets 487 at once, no ringback after it, and the media is released once set up', async () => {
    let finish!: () => void;
    const { inbound, req, res, sent, steps, reports, cancel } = setup((early) => new Promise((resolve) => { finish = () => resolve(early); }));
    const inviting = inbound.onInvite(req, res);
    await new Promise((r) => setImmediate(r));
    cancel();
    expect(sent).toEqual([487]);
    finish();
    await inviting;
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([487]);
    expect(steps).toEqual(['release']);
    expect(reports.map((r) => r.fact)).toEqual([{ kind: 'ended', reason: 'canceled' }]);
  });

  it('hands the caller to voicemail: no agent can be connected afterwards', async () => {
    const { inbound, req, res, early } = setup();
    await inbound.onInvite(req, res);
    expect([inbound.canAnswerItself('abc@trunk'), inbound.canAnswerItself('other@trunk')]).toEqual([true, false]);
    await expect(inbound.takeForVoicemail('abc@trunk')).resolves.toMatchObject({ callId: 'c1', req, early });
    expect(inbound.canAnswerItself('abc@trunk')).toBe(false);
    await expect(inbound.connect('abc@trunk', 'sip:a@pbx', async () => ({ uas: {} as never, uac: {} as never }))).rejects.toThrow('no longer waiting');
    await expect(inbound.takeForVoicemail('abc@trunk')).rejects.toThrow('no longer waiting');
  });

  it('refuses voicemail for a caller hearing ringback (no rtpengine media), who stays waiting for an agent', async () => {
    const { inbound, req, res } = setup(async () => { throw new Error('rtpengine did not answer'); });
    await inbound.onInvite(req, res);
    expect(inbound.canAnswerItself('abc@trunk')).toBe(false); // the queue timeout leaves it unclaimed
    await expect(inbound.takeForVoicemail('abc@trunk')).rejects.toThrow(/needs the call's media in rtpengine/);
    const legs = { uas: {} as never, uac: {} as never };
    await expect(inbound.connect('abc@trunk', 'sip:a@pbx', async () => legs)).resolves.toBe(legs);
  });

  it('shutdown releases the waiting caller (480) and its media', async () => {
    const { inbound, req, res, sent, steps } = setup();
    await inbound.onInvite(req, res);
    inbound.releaseAll();
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([480]);
    expect(steps).toEqual(['release']);
  });
});
