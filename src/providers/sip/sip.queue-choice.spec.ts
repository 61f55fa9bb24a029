import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { CallAudioSink } from '../call-media.port';
import type { CallReport } from '../voice-provider.port';
import { HELD_MS, SipAnswering } from './sip.answered-caller';
import { askSipQueueChoice, CHOICE_WAIT_MS, confirmSipCallback, type SipQueueChoiceDeps } from './sip.queue-choice';
import { takeSipVoicemail } from './sip.voicemail';

// The media subscription is rtpengine's (tested against the real one in test/e2e/inbound-media-sip):
// here it hands the test the sink, so that a test can press keys in the media.
let media: CallAudioSink | undefined;
jest.mock('./rtpengine/rtpengine.audio', () => ({
  listenThroughRtpengine: async (_anchor: unknown, _address: string, sink: CallAudioSink) => {
    media = sink;
    return async () => { media = undefined; };
  },
}));

const handle = { callId: 'c1', providerRef: 'ref-1', refs: {} };

/** A waiting caller with early media, answered through a fake srf: what the steps did to it is logged in `log`. */
function world() {
  const log: string[] = [];
  const reports: CallReport[] = [];
  const dialog = Object.assign(new EventEmitter(), {
    sip: { callId: 'ref-1' }, local: { sdp: '' }, remote: { sdp: '' },
    destroy: async () => { log.push('BYE'); },
    modify: async () => '', request: async () => ({ status: 200, body: '', get: () => undefined }),
  });
  let playing: (() => void) | undefined;
  const early = {
    anchor: {}, callerSdp: 'v=0 rtpengine',
    pause: async () => { log.push('pause'); playing?.(); },
    release: async () => { log.push('rtpengine forgets'); },
    playThrough: (name: string) => {
      log.push(`play ${name}`);
      return new Promise<void>((resolve) => { playing = resolve; setTimeout(resolve, 3000); });
    },
    promptForMessage: async () => { log.push('prompt and beep'); },
  };
  let taken = 0;
  const inbound = {
    takeForVoicemail: async () => {
      taken++;
      return { callId: 'c1', req: {}, res: {}, early };
    },
  };
  const srf = { createUAS: async () => { log.push('200 OK'); return dialog; } };
  const report = (r: CallReport): void => void reports.push(r);
  const logger = pino({ level: 'silent' });
  const answering = new SipAnswering({ srf: () => srf as never, inbound: inbound as never, logger, report });
  const deps: SipQueueChoiceDeps = { answering, ng: { localAddress: async () => '127.0.0.1' } as never, logger, report, active: new Set() };
  const info = (body: string): void => void dialog.emit('info', { get: () => 'application/dtmf-relay', body }, { send: (status: number) => log.push(`INFO ${status}`) });
  return { log, reports, dialog, deps, answering, info, taken: () => taken };
}

describe('the queue timeout\'s question over SIP (rtpengine)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a key in the media during the question: answered once, the question cut short, `pressed` with the key; the caller kept for the next step', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    await jest.advanceTimersByTimeAsync(1000);
    media!.dtmf('2', 'agent'); // the agent's leg is not the caller
    media!.dtmf('2', 'customer');
    media!.dtmf('1', 'customer'); // only the first key counts
    await expect(asked).resolves.toEqual({ kind: 'pressed', digits: '2' });
    expect(w.log).toEqual(['pause', '200 OK', 'play queue-choice', 'pause']);
    // The confirmation goes on with the same caller: no second answer, then BYE and rtpengine forgets the call.
    const confirmed = confirmSipCallback(w.deps, handle);
    await jest.advanceTimersByTimeAsync(3000);
    await expect(confirmed).resolves.toEqual({ kind: 'ended' });
    expect(w.log.slice(4)).toEqual(['play callback-confirm', 'BYE', 'rtpengine forgets']);
    expect(w.taken()).toBe(1);
    expect(w.reports).toEqual([]); // `ended`: the gateway reports the end, once
  });

  it('a key sent as SIP INFO is acknowledged and counts; voicemail then goes on in the same dialog', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    await jest.advanceTimersByTimeAsync(10);
    w.info('Signal=1\r\nDuration=160');
    await expect(asked).resolves.toEqual({ kind: 'pressed', digits: '1' });
    const voicemail = takeSipVoicemail(w.deps, handle, { recordingId: 'r1', prompt: '', maxSeconds: 120, callbacks: {} as never });
    await jest.advanceTimersByTimeAsync(10);
    w.info('Signal=#'); // # ends the message, as a SIP INFO too
    await expect(voicemail).resolves.toMatchObject({ kind: 'audio' });
    expect(w.log).toEqual(['pause', '200 OK', 'play queue-choice', 'INFO 200', 'pause', 'prompt and beep', 'INFO 200', 'BYE', 'rtpengine forgets']);
    expect(w.taken()).toBe(1);
  });

  it('no key: `pressed` with nothing once CHOICE_WAIT_MS have passed after the question', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    let outcome: unknown;
    void asked.then((o) => { outcome = o; });
    await jest.advanceTimersByTimeAsync(3000 + CHOICE_WAIT_MS - 100);
    expect(outcome).toBeUndefined();
    await jest.advanceTimersByTimeAsync(200);
    expect(outcome).toEqual({ kind: 'pressed', digits: '' });
  });

  it('the caller hangs up while asked: the call is reported ended once, no BYE, rtpengine forgets it, and the question fails', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    const failed = expect(asked).rejects.toThrow('the caller hung up before choosing');
    await jest.advanceTimersByTimeAsync(500);
    w.dialog.emit('destroy');
    await failed;
    expect(w.reports).toEqual([{ provider: 'sip', callId: 'c1', providerRef: 'ref-1', fact: { kind: 'ended', reason: 'completed' } }]);
    expect(w.log).not.toContain('BYE');
    expect(w.log).toContain('rtpengine forgets');
  });

  it('the provider closing while the caller is asked: BYE, the call reported ended once, the question fails', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    const failed = expect(asked).rejects.toThrow('interrupted');
    await jest.advanceTimersByTimeAsync(500);
    for (const end of [...w.deps.active]) end('the gateway is shutting down');
    await failed;
    expect(w.log.slice(-2)).toEqual(['BYE', 'rtpengine forgets']);
    expect(w.reports).toHaveLength(1);
  });

  it('a caller kept after the key whom no next step takes is let go after HELD_MS, and the call reported ended', async () => {
    const w = world();
    const asked = askSipQueueChoice(w.deps, handle);
    await jest.advanceTimersByTimeAsync(10);
    w.info('Signal=1');
    await asked;
    await jest.advanceTimersByTimeAsync(HELD_MS - 10);
    expect(w.log).not.toContain('BYE');
    await jest.advanceTimersByTimeAsync(20);
    expect(w.log.slice(-2)).toEqual(['BYE', 'rtpengine forgets']);
    expect(w.reports).toEqual([{ provider: 'sip', callId: 'c1', providerRef: 'ref-1', fact: { kind: 'ended', reason: 'completed' } }]);
  });

  it('policy callback (no question first): the caller is answered for the confirmation, then BYE', async () => {
    const w = world();
    const confirmed = confirmSipCallback(w.deps, handle);
    await jest.advanceTimersByTimeAsync(3000);
    await expect(confirmed).resolves.toEqual({ kind: 'ended' });
    expect(w.log).toEqual(['pause', '200 OK', 'play callback-confirm', 'BYE', 'rtpengine forgets']);
  });
});
