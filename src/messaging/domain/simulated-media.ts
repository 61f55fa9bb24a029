import { passiveImageType } from './media-type';

/** At most this many pictures in one simulated MMS (Twilio takes 10; a few are enough to try it). */
export const MAX_SIMULATED_MEDIA = 5;

/** A picture as the simulator's caller sends it: base64 with its type, or a `data:` URL. */
export interface SimulatedMediaInput {
  contentType?: string;
  data: string;
}

export interface DecodedMedia {
  /** The essence (`image/png`), always a passive image type. */
  contentType: string;
  bytes: Buffer;
}

/** What is wrong with one picture, naming the field of the item. */
export interface MediaProblem {
  field: 'contentType' | 'data';
  message: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:([^,;]*)((?:;[^,;]*)*),/i;

/**
 * Decodes one simulated picture, or says what is wrong with it. Only passive image types are taken
 * (the same list `GET /v1/attachments/:id` serves inline), and at most `maxBytes` once decoded.
 */
export function decodeSimulatedMedia(input: SimulatedMediaInput, maxBytes: number): DecodedMedia | MediaProblem {
  let claimed = input.contentType;
  let base64 = input.data;
  const dataUrl = DATA_URL.exec(input.data);
  if (dataUrl) {
    const params = dataUrl[2]!.split(';').map((p) => p.trim().toLowerCase());
    if (!params.includes('base64')) return { field: 'data', message: 'must be a base64 data: URL (data:image/png;base64,…)' };
    const urlType = dataUrl[1]!.trim();
    if (claimed !== undefined && urlType && passiveImageType(claimed) !== passiveImageType(urlType)) {
      return { field: 'contentType', message: `${claimed} does not match the data: URL's type ${urlType}` };
    }
    claimed ??= urlType;
    base64 = input.data.slice(dataUrl[0].length);
  } else if (input.data.startsWith('data:')) {
    return { field: 'data', message: 'is not a well-formed data: URL (data:image/png;base64,…)' };
  }
  if (!claimed) return { field: 'contentType', message: 'is required unless data is a data: URL naming its type' };
  const contentType = passiveImageType(claimed);
  if (!contentType) return { field: 'contentType', message: `must be a picture type such as image/jpeg, image/png or image/gif (not ${claimed.slice(0, 80)})` };
  if (base64.length === 0) return { field: 'data', message: 'is empty' };
  // The size is known before decoding, so an oversized picture is never decoded.
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const size = (base64.length / 4) * 3 - padding;
  if (base64.length % 4 !== 0 || !BASE64.test(base64)) return { field: 'data', message: 'must be base64 (A–Z, a–z, 0–9, +, /, padded with =) or a base64 data: URL' };
  if (size > maxBytes) return { field: 'data', message: `is ${size} bytes; a simulated picture may have at most ${maxBytes} (simulator.mediaMaxBytes)` };
  return { contentType, bytes: Buffer.from(base64, 'base64') };
}

export function isMediaProblem(value: DecodedMedia | MediaProblem): value is MediaProblem {
  return 'message' in value;
}
