import type { Track } from './pcm';

/**
 * The binary frame of `GET /v1/calls/:id/audio` (README, "Live audio"): an 8-byte header, then
 * 16-bit little-endian PCM.
 *
 *   byte 0     channel: 0 customer, 1 agent, 2 stereo (customer left, agent right, interleaved)
 *   bytes 1-3  zero (reserved)
 *   bytes 4-7  uint32 LE: milliseconds since the stream's `start` frame of the frame's first sample
 */
export const AUDIO_FRAME_HEADER_BYTES = 8;
export type FrameChannel = Track | 'stereo';
const CHANNEL_CODES: Record<FrameChannel, number> = { customer: 0, agent: 1, stereo: 2 };
const CHANNELS_BY_CODE: readonly FrameChannel[] = ['customer', 'agent', 'stereo'];

export function encodeAudioFrame(channel: FrameChannel, timestampMs: number, pcm: Buffer): Buffer {
  const header = Buffer.alloc(AUDIO_FRAME_HEADER_BYTES);
  header.writeUInt8(CHANNEL_CODES[channel], 0);
  header.writeUInt32LE(Math.max(0, Math.floor(timestampMs)) >>> 0, 4);
  return Buffer.concat([header, pcm]);
}

export function decodeAudioFrame(frame: Buffer): { channel: FrameChannel; timestampMs: number; pcm: Buffer } {
  const channel = CHANNELS_BY_CODE[frame.readUInt8(0)];
  if (!channel || frame.length < AUDIO_FRAME_HEADER_BYTES) throw new Error('not an audio frame');
  return { channel, timestampMs: frame.readUInt32LE(4), pcm: frame.subarray(AUDIO_FRAME_HEADER_BYTES) };
}
