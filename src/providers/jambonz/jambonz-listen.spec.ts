import { CallbackUrls } from '../callbacks/callback-urls';
import { dialListen, dtmfOf, L16Splitter, metadataNames, voicemailHookUrl, voicemailVerbs } from './jambonz-listen';
import { JambonzListenSwitch } from './jambonz.media';

const callbacks = new CallbackUrls('https://gw.example.com/', 'secret');
const le = (...samples: number[]) => {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
};

describe('jambonz listen', () => {
  it('binds the dial’s stereo listen to the call and the customer’s leg, as a wss URL the gateway signed', () => {
    const listen = dialListen(callbacks, 'c1', 'sid-1');
    const url = new URL(String(listen.url));
    expect(url.protocol).toBe('wss:');
    expect(callbacks.verify(url.pathname, Object.fromEntries(url.searchParams))).toBe('valid');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ cid: 'c1', sid: 'sid-1' });
    expect(listen).toMatchObject({ mixType: 'stereo', sampleRate: 8000, passDtmf: true, bidirectionalAudio: { enabled: false } });
  });

  it('answers a voicemail hook with the prompt, a mono listen bound to the recording, and a hangup', () => {
    const verbs = voicemailVerbs(callbacks, { callId: 'c1', sid: 's1', recordingId: 'r1', prompt: 'Leave a message', maxSeconds: 120 }) as Array<Record<string, unknown>>;
    expect(verbs.map((v) => v.verb)).toEqual(['say', 'listen', 'hangup']);
    expect(verbs[1]).toMatchObject({ mixType: 'mono', maxLength: 120, playBeep: true });
    expect(Object.fromEntries(new URL(String(verbs[1]!.url)).searchParams)).toMatchObject({ cid: 'c1', sid: 's1', rid: 'r1' });
    const hook = new URL(voicemailHookUrl(callbacks, 'c1', { recordingId: 'r1', prompt: 'Leave a message', maxSeconds: 120 }));
    expect(Object.fromEntries(hook.searchParams)).toMatchObject({ cid: 'c1', rid: 'r1', prompt: 'Leave a message', max: '120' });
  });

  it.each([
    ['a listen of its own (callSid)', { callSid: 's1', sampleRate: 8000 }, true],
    ['a dial’s listen (the dialled leg, parent s1)', { callSid: 'child', parentCallSid: 's1' }, true],
    ['another call', { callSid: 's2', parentCallSid: 's3' }, false],
    ['no metadata', undefined, false],
    ['not an object', 's1', false],
  ])('metadata of %s', (_label, metadata, names) => expect(metadataNames(metadata, 's1')).toBe(names));

  it.each([
    [{ event: 'dtmf', dtmf: '5', duration: 800 }, '5'], [{ event: 'dtmf', dtmf: '#' }, '#'],
    [{ event: 'dtmf', dtmf: '55' }, undefined], [{ event: 'other', dtmf: '5' }, undefined], [null, undefined],
  ])('reads the DTMF frame %j as %s', (frame, digit) => expect(dtmfOf(frame)).toBe(digit));

  it('splits interleaved stereo L16 into the two channels, carrying a partial pair into the next frame', () => {
    const split = new L16Splitter(2);
    const bytes = le(1, -1, 2, -2, 3, -3);
    const [l1, r1] = split.push(bytes.subarray(0, 9));
    expect([...l1!, ...r1!]).toEqual([1, 2, -1, -2]);
    const [l2, r2] = split.push(bytes.subarray(9));
    expect([...l2!]).toEqual([3]);
    expect([...r2!]).toEqual([-3]);
    expect(new L16Splitter(1).push(le(7, -32768, 32767))[0]).toEqual(new Int16Array([7, -32768, 32767]));
  });
});

describe('JambonzListenSwitch', () => {
  const call = { callId: 'c1', providerRef: 'sid', refs: {} };

  it('resumes on start and pauses on stop (once, however often stop runs)', async () => {
    const sent: unknown[] = [];
    const sw = new JambonzListenSwitch(async (_c, change) => { sent.push(change.listen_status); });
    const stop = await sw.startAudio(call, {} as never);
    await stop();
    await stop();
    expect(sent).toEqual(['resume', 'pause']);
  });

  it('ends in the state asked last when a stop and a start race', async () => {
    const sent: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const sw = new JambonzListenSwitch(async (_c, change) => {
      await gate;
      sent.push(change.listen_status);
    });
    const first = sw.startAudio(call, {} as never);
    release();
    const stop = await first;
    const stopping = stop();
    const again = sw.startAudio(call, {} as never);
    await Promise.all([stopping, again]);
    expect(sent.at(-1)).toBe('resume');
  });

  it('rejects a start jambonz refused, and stays usable', async () => {
    let fail = true;
    const sw = new JambonzListenSwitch(async () => { if (fail) throw new Error('404'); });
    await expect(sw.startAudio(call, {} as never)).rejects.toThrow('404');
    fail = false;
    await expect(sw.startAudio(call, {} as never)).resolves.toBeInstanceOf(Function);
  });
});
