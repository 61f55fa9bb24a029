/** RIFF/WAVE with 16-bit PCM: the header the gateway writes, and a reader for checking files. */

export const WAV_HEADER_BYTES = 44;

export interface WavFormat {
  channels: number;
  sampleRate: number;
}

/** The 44-byte header of a PCM WAV file whose data is `dataBytes` long. */
export function wavHeader(dataBytes: number, { channels, sampleRate }: WavFormat): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export interface ParsedWav extends WavFormat {
  bitsPerSample: number;
  /** The PCM samples, interleaved. */
  data: Buffer;
  /** Where the samples start in the file. */
  dataOffset: number;
  durationSeconds: number;
}

/**
 * Reads a PCM WAV file, walking its chunks (providers add LIST and other chunks before `data`).
 * Throws on anything that is not 16-bit PCM.
 */
export function parseWav(file: Buffer): ParsedWav {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let format: { channels: number; sampleRate: number; bitsPerSample: number; audioFormat: number } | undefined;
  for (let at = 12; at + 8 <= file.length;) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      format = { audioFormat: file.readUInt16LE(body), channels: file.readUInt16LE(body + 2), sampleRate: file.readUInt32LE(body + 4), bitsPerSample: file.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format) throw new Error('data chunk before fmt chunk');
      if (format.audioFormat !== 1 || format.bitsPerSample !== 16) throw new Error('not 16-bit PCM');
      const data = file.subarray(body, Math.min(file.length, body + size));
      return { channels: format.channels, sampleRate: format.sampleRate, bitsPerSample: 16, data, dataOffset: body, durationSeconds: data.length / (format.channels * 2 * format.sampleRate) };
    }
    at = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** One channel of interleaved 16-bit samples. */
export function channelOf(wav: ParsedWav, channel: number): Int16Array {
  const frames = wav.data.length / (2 * wav.channels);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) out[i] = wav.data.readInt16LE((i * wav.channels + channel) * 2);
  return out;
}
