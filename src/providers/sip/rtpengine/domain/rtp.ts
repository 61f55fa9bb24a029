/**
 * One RTP packet (RFC 3550 §5.1) as far as the gateway reads it: version 2, the payload type, the
 * sequence number and timestamp (to drop duplicates and fill gaps), the payload after the CSRC
 * list and any header extension, without padding. Undefined for anything else (RTCP, junk).
 */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function parseRtp(datagram: Buffer): RtpPacket | undefined {
  if (datagram.length < 12 || datagram[0]! >> 6 !== 2) return undefined;
  const payloadType = datagram[1]! & 0x7f;
  // 72–79 (with the marker bit: 200–207) are RTCP on a shared port (RFC 5761).
  if (payloadType >= 72 && payloadType <= 79) return undefined;
  let offset = 12 + (datagram[0]! & 0x0f) * 4;
  if (datagram[0]! & 0x10) {
    if (datagram.length < offset + 4) return undefined;
    offset += 4 + datagram.readUInt16BE(offset + 2) * 4;
  }
  let end = datagram.length;
  if (datagram[0]! & 0x20) end -= datagram[datagram.length - 1]!;
  if (offset > end) return undefined;
  return {
    payloadType, marker: (datagram[1]! & 0x80) !== 0, sequence: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4), ssrc: datagram.readUInt32BE(8), payload: datagram.subarray(offset, end),
  };
}

/** Builds a packet (the tests' phones, and nothing else, send with it). */
export function rtpPacket(p: Omit<RtpPacket, 'marker'> & { marker?: boolean }): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  header.writeUInt16BE(p.sequence & 0xffff, 2);
  header.writeUInt32BE(p.timestamp >>> 0, 4);
  header.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([header, p.payload]);
}
