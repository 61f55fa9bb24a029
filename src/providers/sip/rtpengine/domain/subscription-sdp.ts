/**
 * Our answer to rtpengine's `subscribe request` offer (a sendonly copy of one leg's media): the
 * first audio stream is received at `address:port` (the gateway's RTP socket), recvonly, with the
 * offer's payload types, G.711 first (the gateway decodes PCMA and PCMU; rtpengine forwards what
 * the phone sends). Any other stream is refused with port 0 (RFC 3264 §6).
 */
export function subscriptionAnswer(offer: string, address: string, port: number, sessionId: string): string {
  const family = address.includes(':') ? 'IP6' : 'IP4';
  const out = ['v=0', `o=contact-gateway ${sessionId} 1 IN ${family} ${address}`, 's=-', `c=IN ${family} ${address}`, 't=0 0'];
  let taken = false;
  let keep = false;
  for (const line of offer.split(/\r?\n/)) {
    const media = /^m=(\S+) \d+(?:\/\d+)? (\S+) ?(.*)$/.exec(line);
    if (media) {
      const formats = media[3]!.split(' ').filter(Boolean);
      keep = !taken && media[1] === 'audio';
      if (keep) {
        taken = true;
        const ordered = [...formats.filter((f) => f === '8' || f === '0'), ...formats.filter((f) => f !== '8' && f !== '0')];
        out.push(`m=audio ${port} RTP/AVP ${ordered.join(' ')}`, 'a=recvonly');
      } else {
        out.push(`m=${media[1]} 0 ${media[2]} ${formats.join(' ')}`.trimEnd());
      }
    } else if (keep && /^a=(rtpmap|fmtp|ptime):/.test(line)) {
      out.push(line);
    }
  }
  if (!taken) throw new Error('rtpengine offered no audio stream to subscribe to');
  return out.join('\r\n') + '\r\n';
}

/** The payload types a description gives RFC 4733 events (`a=rtpmap:<pt> telephone-event/8000`). */
export function telephoneEventTypes(sdp: string): number[] {
  return [...sdp.matchAll(/^a=rtpmap:(\d+) telephone-event\/8000\b/gim)].map((m) => Number(m[1]));
}
