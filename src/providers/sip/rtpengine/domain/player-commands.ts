/**
 * The NG commands that play sounds to one participant of a call in rtpengine (10.5: `play media`
 * with `file`, `blob` or `db-id`, and `repeat-times`; `stop media`). `from-tag` selects the
 * participant the sound is played TO: rtpengine sends it on that participant's own stream, in
 * the first codec of its description it can encode.
 */
export interface PlayMedia {
  command: 'play media';
  'call-id': string;
  'from-tag': string;
  blob: Buffer;
  'repeat-times': number;
}

/** How often hold music is repeated: rtpengine stops a sound after its repeats, so enough for any wait. */
export const HOLD_REPEATS = 10_000;

export function playMedia(callId: string, to: string, sound: Buffer, repeatTimes = 1): PlayMedia {
  if (!Number.isInteger(repeatTimes) || repeatTimes < 1) throw new RangeError(`repeat-times must be a positive integer (got ${repeatTimes})`);
  return { command: 'play media', 'call-id': callId, 'from-tag': to, blob: sound, 'repeat-times': repeatTimes };
}

export function stopMedia(callId: string, to: string): { command: 'stop media'; 'call-id': string; 'from-tag': string } {
  return { command: 'stop media', 'call-id': callId, 'from-tag': to };
}

/**
 * The answer the gateway gives rtpengine's offer for the agent's side while no agent is on the
 * call (early media, voicemail): rtpengine needs an answer before it describes its own ports to
 * the caller. It takes the offer's codecs and is sendrecv, so the caller is told to send and
 * receive (an `inactive` or zero-address answer would reach the caller as a hold); its media goes
 * to port 9 (discard) of rtpengine's own address, so what the caller sends goes nowhere but the
 * gateway's recording subscription. The connected agent's real answer replaces it.
 */
export function holdingAnswer(rtpengineOffer: string, sessionId: string): string {
  const lines = rtpengineOffer.split(/\r?\n/).filter((line) => line !== '');
  const connection = lines.find((line) => line.startsWith('c=')) ?? 'c=IN IP4 127.0.0.1';
  const family = / IP6 /.test(connection) ? 'IP6' : 'IP4';
  const address = connection.split(' ')[2] ?? '127.0.0.1';
  const out = ['v=0', `o=contact-gateway ${sessionId} 1 IN ${family} ${address}`, 's=-', connection, 't=0 0'];
  let media = false;
  for (const line of lines) {
    const m = /^m=(\S+) \d+(?:\/\d+)? (\S+) ?(.*)$/.exec(line);
    if (m) {
      if (media) out.push('a=sendrecv');
      out.push(`m=${m[1]} 9 ${m[2]} ${m[3]}`.trimEnd());
      media = true;
    } else if (media && /^a=(rtpmap|fmtp|ptime):/.test(line)) {
      out.push(line);
    }
  }
  if (!media) throw new Error('rtpengine offered no media stream');
  out.push('a=sendrecv');
  return out.join('\r\n') + '\r\n';
}
