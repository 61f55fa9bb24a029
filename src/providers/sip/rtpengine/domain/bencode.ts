/**
 * Bencode, the encoding of rtpengine's NG control protocol: byte strings `<len>:<bytes>`,
 * integers `i<n>e`, lists `l…e` and dictionaries `d…e` (keys sorted, as the format requires).
 * Strings decode as UTF-8 text: every NG value we read (SDP, tags, results) is text.
 */
export type BValue = string | number | Buffer | BValue[] | { [key: string]: BValue | undefined };
export type BDecoded = string | number | BDecoded[] | { [key: string]: BDecoded };

export function bencode(value: BValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: BValue, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode has integers only (got ${value})`);
    out.push(Buffer.from(`i${value}e`));
  } else if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    out.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l'));
    for (const item of value) write(item, out);
    out.push(Buffer.from('e'));
  } else {
    out.push(Buffer.from('d'));
    // Sorted by raw bytes, as bencode requires; undefined entries are left out.
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const key of keys) {
      write(key, out);
      write(value[key]!, out);
    }
    out.push(Buffer.from('e'));
  }
}

/** Decodes one value that must span all of `bytes`; throws on anything malformed. */
export function bdecode(bytes: Buffer): BDecoded {
  const [value, end] = read(bytes, 0, 0);
  if (end !== bytes.length) throw new SyntaxError(`bencode: ${bytes.length - end} trailing bytes`);
  return value;
}

const MAX_DEPTH = 32;

function read(bytes: Buffer, at: number, depth: number): [BDecoded, number] {
  if (depth > MAX_DEPTH) throw new SyntaxError('bencode: nested too deeply');
  const c = bytes[at];
  if (c === undefined) throw new SyntaxError('bencode: truncated');
  if (c === 0x69 /* i */) {
    const end = bytes.indexOf(0x65 /* e */, at);
    const text = end < 0 ? '' : bytes.toString('ascii', at + 1, end);
    if (!/^(0|-?[1-9]\d*)$/.test(text)) throw new SyntaxError(`bencode: bad integer at ${at}`);
    return [Number(text), end + 1];
  }
  if (c === 0x6c /* l */ || c === 0x64 /* d */) {
    const items: BDecoded[] = [];
    let pos = at + 1;
    while (bytes[pos] !== 0x65) {
      if (pos >= bytes.length) throw new SyntaxError('bencode: unterminated list or dictionary');
      const [item, next] = read(bytes, pos, depth + 1);
      items.push(item);
      pos = next;
    }
    if (c === 0x6c) return [items, pos + 1];
    if (items.length % 2) throw new SyntaxError('bencode: dictionary key without a value');
    const dict: { [key: string]: BDecoded } = {};
    for (let i = 0; i < items.length; i += 2) {
      if (typeof items[i] !== 'string') throw new SyntaxError('bencode: dictionary key is not a string');
      dict[items[i] as string] = items[i + 1]!;
    }
    return [dict, pos + 1];
  }
  const colon = bytes.indexOf(0x3a /* : */, at);
  const length = colon < 0 ? '' : bytes.toString('ascii', at, colon);
  if (!/^(0|[1-9]\d*)$/.test(length)) throw new SyntaxError(`bencode: bad value at ${at}`);
  const end = colon + 1 + Number(length);
  if (end > bytes.length) throw new SyntaxError('bencode: string runs past the end');
  return [bytes.toString('utf8', colon + 1, end), end];
}

/** An NG message on the wire: `<cookie> <bencoded dictionary>`. */
export function ngMessage(cookie: string, body: BValue): Buffer {
  return Buffer.concat([Buffer.from(`${cookie} `), bencode(body)]);
}

/** Splits an NG reply into its cookie and dictionary; throws when it is not one. */
export function ngReply(datagram: Buffer): { cookie: string; body: { [key: string]: BDecoded } } {
  const space = datagram.indexOf(0x20);
  if (space <= 0) throw new SyntaxError('NG reply without a cookie');
  const body = bdecode(datagram.subarray(space + 1));
  if (typeof body !== 'object' || Array.isArray(body)) throw new SyntaxError('NG reply is not a dictionary');
  return { cookie: datagram.toString('ascii', 0, space), body };
}
