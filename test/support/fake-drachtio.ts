import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A drachtio-server stand-in that speaks drachtio-srf's wire protocol over TCP (framing from
 * drachtio-srf lib/wire-protocol.js, messages from lib/drachtio-agent.js) and plays the SIP
 * network behind it: the user agents that answer the application's INVITEs as scripted.
 *
 * Frames are `<byte length>#<msgId>|<type>|…`. The application sends `authenticate|secret|tags`,
 * `route|verb`, `ping`, and `sip|<txnId>|<dialogId>\r\n<SIP message>`; the server answers each
 * with `response|<msgId>|OK|…` (for `sip`: the message as it went out, with its transaction id)
 * and delivers the network's messages as `sip|network|<len>|udp|<addr>|<port>|<time>|<txnId>|<dialogId>`.
 */

export interface SipRecord {
  /** Request method, or the CSeq method of a response. */
  method: string;
  status?: number;
  uri?: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  callId: string;
}

/** One response of a scripted user agent to an INVITE, `afterMs` after the previous one. */
export interface UaStep {
  status: number;
  sdp?: string;
  afterMs?: number;
  /** Extra response headers, lower-case names (e.g. a 401's `www-authenticate`). */
  headers?: Record<string, string>;
}
export type UaScript = (invite: SipRecord) => UaStep[];

export function sdp(address: string, port: number, name: string): string {
  return ['v=0', `o=${name} 1000 1 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
}
export const AGENT_SDP = sdp('10.0.0.10', 40000, 'agent');
export const CUSTOMER_SDP = sdp('10.0.0.20', 50000, 'customer');

/** Ready-made user agents. */
export const ua = {
  /** Answers at once with its offer (an agent device answering an offer-less INVITE). */
  answers: (body = AGENT_SDP): UaStep[] => [{ status: 200, sdp: body, afterMs: 5 }],
  /** Rings, then answers. */
  ringsThenAnswers: (body = CUSTOMER_SDP, ringMs = 20): UaStep[] => [{ status: 180, afterMs: 5 }, { status: 200, sdp: body, afterMs: ringMs }],
  /** Rings, then gives a final failure (480 = no answer). */
  ringsThenFails: (status: number, ringMs = 20): UaStep[] => [{ status: 180, afterMs: 5 }, { status, afterMs: ringMs }],
  refuses: (status: number): UaStep[] => [{ status, afterMs: 5 }],
  /** Rings and never answers (until CANCEL). */
  ringsForever: (): UaStep[] => [{ status: 180, afterMs: 5 }],
};

interface Dialog {
  id: string;
  callId: string;
  /** The application's side (From of its INVITE) and the user agent's side (To + tag). */
  local: string;
  remote: string;
  target: string;
  cseq: number;
  uaSdp: string;
  open: boolean;
  socket: Socket;
}

interface InviteTxn {
  record: SipRecord;
  from: string;
  to: string;
  final: boolean;
  timers: NodeJS.Timeout[];
  socket: Socket;
}

const CRLF = '\r\n';
const UA_ADDRESS = '10.0.0.99';

export class FakeDrachtio extends EventEmitter {
  /** Every SIP message drachtio-server put on the wire for the application, in order. */
  readonly sent: SipRecord[] = [];
  /** When false, new connections are closed at once (a server that is down). */
  accepting = true;
  script: UaScript = () => ua.answers();
  private readonly sockets = new Set<Socket>();
  private readonly dialogs = new Map<string, Dialog>();
  private readonly invites = new Map<string, InviteTxn>();
  private readonly awaiting = new Map<string, (response: SipRecord) => void>();
  /**
   * How a user agent answers the application's re-INVITE (by Call-ID): by default at once, 200 with
   * its own description, direction mirrored from the offer; a step may change status, SDP or delay.
   */
  reinvite: (callId: string, offer: string) => Partial<UaStep> = () => ({});

  private constructor(private readonly server: Server, readonly secret: string) {
    super();
  }

  static async start(options: { secret: string; script?: UaScript }): Promise<FakeDrachtio> {
    const server = createServer();
    const fake = new FakeDrachtio(server, options.secret);
    if (options.script) fake.script = options.script;
    server.on('connection', (socket) => fake.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Messages sent with this method (and Call-ID). */
  requests(method: string, callId?: string): SipRecord[] {
    return this.sent.filter((m) => m.status === undefined && m.method === method && (!callId || m.callId === callId));
  }

  /** Resolves with the first sent message (past or future) that matches. */
  waitFor(match: (m: SipRecord) => boolean, timeoutMs = 3000): Promise<SipRecord> {
    const found = this.sent.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('sent', listener);
        reject(new Error('fake drachtio: no such SIP message was sent'));
      }, timeoutMs);
      const listener = (m: SipRecord): void => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.off('sent', listener);
        resolve(m);
      };
      this.on('sent', listener);
    });
  }

  /** The user agent on a dialog hangs up: a BYE from the network. Resolves with the application's answer. */
  byeFrom(callId: string): Promise<number> {
    const dialog = [...this.dialogs.values()].find((d) => d.callId === callId && d.open);
    if (!dialog) throw new Error(`fake drachtio: no open dialog with Call-ID ${callId}`);
    dialog.open = false;
    const txnId = randomUUID();
    const answered = new Promise<number>((resolve) => this.awaiting.set(txnId, (res) => resolve(res.status ?? 0)));
    const bye = [`BYE ${contactUri(dialog.local)} SIP/2.0`, `Via: SIP/2.0/UDP ${UA_ADDRESS}:5060;branch=z9hG4bK${txnId.slice(0, 8)}`,
      `From: ${dialog.remote}`, `To: ${dialog.local}`, `Call-ID: ${dialog.callId}`, 'CSeq: 100 BYE', 'Content-Length: 0', '', ''].join(CRLF);
    toApp(dialog.socket, network(txnId, dialog.id, bye));
    return answered;
  }

  /**
   * The user agent on a dialog re-INVITEs with `body` (hold, a media move): resolves with the
   * application's final response, which is ACKed as the user agent would.
   */
  async reinviteFrom(callId: string, body: string): Promise<SipRecord> {
    const dialog = [...this.dialogs.values()].find((d) => d.callId === callId && d.open);
    if (!dialog) throw new Error(`fake drachtio: no open dialog with Call-ID ${callId}`);
    const txnId = randomUUID();
    const cseq = 200 + dialog.cseq++;
    const answered = new Promise<SipRecord>((resolve) => this.awaiting.set(txnId, resolve));
    const head = (method: string): string[] => [`${method} ${contactUri(dialog.local)} SIP/2.0`, `Via: SIP/2.0/UDP ${UA_ADDRESS}:5060;branch=z9hG4bK${txnId.slice(0, 8)}`,
      `From: ${dialog.remote}`, `To: ${dialog.local}`, `Call-ID: ${dialog.callId}`, `CSeq: ${cseq} ${method}`];
    const invite = [...head('INVITE'), `Contact: <${dialog.target}>`, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join(CRLF);
    toApp(dialog.socket, network(txnId, dialog.id, invite));
    const res = await answered;
    if (res.status === 200) dialog.uaSdp = body;
    toApp(dialog.socket, network(randomUUID(), dialog.id, [...head('ACK'), 'Content-Length: 0', '', ''].join(CRLF)));
    return res;
  }

  /** Application connections open now. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Dialogs neither side has ended yet. */
  openDialogs(): number {
    return [...this.dialogs.values()].filter((d) => d.open).length;
  }

  /** Drops every application connection, as a crashing or restarting server would. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const txn of this.invites.values()) txn.timers.forEach(clearTimeout);
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── Wire protocol ───────────────────────────────────────────────────────────────────────────

  private accept(socket: Socket): void {
    if (!this.accepting) return void socket.destroy();
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let hash = buffer.indexOf('#'); hash > 0; hash = buffer.indexOf('#')) {
        const length = Number(buffer.toString('utf8', 0, hash));
        if (buffer.length < hash + 1 + length) return;
        const frame = buffer.toString('utf8', hash + 1, hash + 1 + length);
        buffer = buffer.subarray(hash + 1 + length);
        this.onFrame(socket, frame);
      }
    });
  }

  private onFrame(socket: Socket, frame: string): void {
    const eol = frame.indexOf(CRLF);
    const leader = eol === -1 ? frame : frame.slice(0, eol);
    const [msgId, type, ...args] = leader.split('|');
    const reply = (rest: string): void => toApp(socket, `response|${msgId}|${rest}`);
    switch (type) {
      case 'authenticate':
        if (args[0] === this.secret) return reply(`OK|tcp/127.0.0.1:5060,udp/127.0.0.1:5060|v0.9.3-fake|`);
        reply('NOK|incorrect secret');
        return void socket.end();
      case 'route':
      case 'remove_route':
      case 'ping':
        return reply('OK');
      case 'sip':
        return this.onSip(socket, reply, args[0] ?? '', args[1] ?? '', parse(frame.slice(eol + 2)));
      default:
        return reply(`NOK|unknown message type ${type}`);
    }
  }

  private onSip(socket: Socket, reply: (rest: string) => void, txnId: string, dialogId: string, msg: Parsed): void {
    if (msg.status !== undefined) {
      // The application answering a request from the network (e.g. 200 to our BYE).
      const record = this.record(msg.method, msg);
      reply(echo(txnId, dialogId, serialize(`SIP/2.0 ${msg.status} ${REASONS[msg.status] ?? 'Response'}`, msg.headers, msg.body)));
      this.awaiting.get(txnId)?.(record);
      this.awaiting.delete(txnId);
      return;
    }
    if (msg.method === 'CANCEL') return this.onCancel(reply, txnId, msg);
    if (dialogId) return this.onInDialog(socket, reply, dialogId, msg);
    if (msg.method === 'ACK') return reply('NOK|ACK for a non-2xx final response is sent by the stack');
    if (msg.method !== 'INVITE') return reply(`NOK|the fake only sends INVITE outside a dialog (got ${msg.method})`);
    this.onInvite(socket, reply, msg);
  }

  private onInvite(socket: Socket, reply: (rest: string) => void, msg: Parsed): void {
    const txnId = randomUUID();
    const callId = msg.headers['call-id'] ?? `${randomUUID()}@127.0.0.1`;
    const from = `${local(msg.headers.from ?? '<sip:drachtio@localhost>')};tag=${randomUUID().slice(0, 8)}`;
    const to = msg.headers.to ?? `<${msg.uri}>`;
    const headers: Record<string, string> = {
      ...msg.headers, via: `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${txnId.slice(0, 8)}`, 'max-forwards': '70',
      from, to, 'call-id': callId, cseq: '1 INVITE', contact: local(msg.headers.contact ?? '<sip:127.0.0.1:5060>'),
    };
    if (msg.body && !headers['content-type']) headers['content-type'] = 'application/sdp';
    const record = this.record('INVITE', { ...msg, headers });
    reply(echo(txnId, '', serialize(`INVITE ${msg.uri} SIP/2.0`, headers, msg.body)));
    const txn: InviteTxn = { record, from, to: `${to};tag=${randomUUID().slice(0, 8)}`, final: false, timers: [], socket };
    this.invites.set(txnId, txn);
    let at = 0;
    for (const step of this.script(record)) {
      at += step.afterMs ?? 0;
      txn.timers.push(setTimeout(() => this.respond(txnId, txn, step.status, step.sdp, step.headers), at));
    }
  }

  /** The user agent's response to the application's INVITE. */
  private respond(txnId: string, txn: InviteTxn, status: number, body = '', extra: Record<string, string> = {}): void {
    if (txn.final) return;
    const callId = txn.record.callId;
    const headers: Record<string, string> = {
      via: txn.record.headers.via, from: txn.from, to: txn.to, 'call-id': callId, cseq: '1 INVITE', ...extra,
    };
    if (status < 300) headers.contact = `<sip:ua@${UA_ADDRESS}:5060>`;
    if (body) headers['content-type'] = 'application/sdp';
    let dialogId = '';
    if (status >= 200) {
      txn.final = true;
      txn.timers.forEach(clearTimeout);
    }
    if (status >= 200 && status < 300) {
      dialogId = `${callId};from-tag=${tagOf(txn.from)}`;
      this.dialogs.set(dialogId, { id: dialogId, callId, local: txn.from, remote: txn.to, target: `sip:ua@${UA_ADDRESS}:5060`, cseq: 1, uaSdp: body, open: true, socket: txn.socket });
    }
    const text = serialize(`SIP/2.0 ${status} ${REASONS[status] ?? 'Response'}`, headers, body);
    toApp(txn.socket, network(txnId, dialogId, text));
  }

  private onCancel(reply: (rest: string) => void, inviteTxnId: string, msg: Parsed): void {
    const txn = this.invites.get(inviteTxnId);
    if (!txn) return reply('NOK|unknown transaction');
    const headers = { via: txn.record.headers.via, from: txn.from, to: txn.record.headers.to, 'call-id': txn.record.callId, cseq: '1 CANCEL' };
    this.record('CANCEL', { ...msg, uri: txn.record.uri, headers });
    reply(echo(randomUUID(), '', serialize(`CANCEL ${txn.record.uri} SIP/2.0`, headers, '')));
    // The user agent answers 200 to the CANCEL (sofia does not pass it up) and 487 to the INVITE.
    setTimeout(() => this.respond(inviteTxnId, txn, 487), 2);
  }

  private onInDialog(socket: Socket, reply: (rest: string) => void, dialogId: string, msg: Parsed): void {
    const dialog = this.dialogs.get(dialogId);
    if (!dialog || (!dialog.open && msg.method !== 'ACK')) return reply(`NOK|unable to find dialog for dialog id ${dialogId}`);
    const cseq = msg.method === 'ACK' ? dialog.cseq : ++dialog.cseq;
    const txnId = randomUUID();
    const headers: Record<string, string> = {
      ...msg.headers, via: `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${txnId.slice(0, 8)}`, 'max-forwards': '70',
      from: dialog.local, to: dialog.remote, 'call-id': dialog.callId, cseq: `${cseq} ${msg.method}`,
    };
    if (msg.body && !headers['content-type']) headers['content-type'] = 'application/sdp';
    this.record(msg.method, { ...msg, uri: dialog.target, headers });
    reply(echo(txnId, dialogId, serialize(`${msg.method} ${dialog.target} SIP/2.0`, headers, msg.body)));
    if (msg.method === 'ACK') return;
    if (msg.method === 'BYE') dialog.open = false;
    const step = msg.method === 'INVITE' ? this.reinvite(dialog.callId, msg.body) : {};
    const status = msg.method === 'REFER' ? 202 : step.status ?? 200;
    const body = msg.method === 'INVITE' && status === 200 ? step.sdp ?? answerTo(msg.body, dialog.uaSdp) : '';
    const res = serialize(`SIP/2.0 ${status} ${REASONS[status]}`, {
      via: headers.via, from: dialog.local, to: dialog.remote, 'call-id': dialog.callId, cseq: `${cseq} ${msg.method}`,
      ...(body ? { contact: `<${dialog.target}>`, 'content-type': 'application/sdp' } : {}),
    }, body);
    setTimeout(() => toApp(socket, network(txnId, dialogId, res)), step.afterMs ?? 2);
  }

  private record(method: string, msg: Parsed): SipRecord {
    const record: SipRecord = { method, uri: msg.uri, status: msg.status, headers: msg.headers, body: msg.body, callId: msg.headers['call-id'] ?? '' };
    if (msg.status !== undefined) record.method = (msg.headers.cseq ?? '').split(' ')[1] ?? '';
    this.sent.push(record);
    this.emit('sent', record);
    return record;
  }
}

// ── SIP text ──────────────────────────────────────────────────────────────────────────────────

interface Parsed { method: string; uri?: string; status?: number; headers: Record<string, string>; body: string }

const REASONS: Record<number, string> = {
  180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted', 408: 'Request Timeout', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here',
  491: 'Request Pending', 503: 'Service Unavailable', 600: 'Busy Everywhere', 603: 'Decline',
};

function parse(text: string): Parsed {
  const split = text.indexOf(CRLF + CRLF);
  const [start, ...lines] = (split === -1 ? text : text.slice(0, split)).split(CRLF);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length') headers[name] = headers[name] ? `${headers[name]},${line.slice(colon + 1).trim()}` : line.slice(colon + 1).trim();
  }
  const body = split === -1 ? '' : text.slice(split + 4);
  const response = /^SIP\/2\.0 (\d{3})/.exec(start);
  if (response) return { method: '', status: Number(response[1]), headers, body };
  const [method, uri] = start.split(' ');
  return { method, uri, headers, body };
}

function serialize(start: string, headers: Record<string, string>, body: string): string {
  const lines = Object.entries(headers).filter(([name]) => name !== 'content-length').map(([name, value]) => `${name === 'call-id' ? 'Call-ID' : name}: ${value}`);
  return [start, ...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join(CRLF);
}

/** One frame to the application: `<byte length>#<msgId>|<message>`. */
function toApp(socket: Socket, message: string): void {
  const framed = `${randomUUID()}|${message}`;
  if (!socket.destroyed) socket.write(`${Buffer.byteLength(framed)}#${framed}`);
}

/** The answer to an application's `sip` request: the message as it went out, and its transaction. */
function echo(txnId: string, dialogId: string, text: string): string {
  return `OK|application|${Buffer.byteLength(text)}|udp|${UA_ADDRESS}|5060|${now()}|${txnId}|${dialogId}${CRLF}${text}`;
}

/** A message from the network: `sip|network|<len>|<transport>|<address>|<port>|<time>|<txnId>|<dialogId>`. */
function network(txnId: string, dialogId: string, text: string): string {
  return `sip|network|${Buffer.byteLength(text)}|udp|${UA_ADDRESS}|5060|${now()}|${txnId}|${dialogId}${CRLF}${text}`;
}

/** drachtio-server puts its own address where an application wrote `localhost`. */
function local(header: string): string {
  return header.replace(/@localhost\b/, '@127.0.0.1:5060');
}

function tagOf(header: string): string {
  return /;tag=([^;>\s]+)/.exec(header)?.[1] ?? '';
}

function contactUri(header: string): string {
  return /<([^>]+)>/.exec(header)?.[1] ?? header.split(';')[0];
}

/** The user agent's answer to a re-INVITE: its own description, direction mirrored from the offer. */
function answerTo(offer: string, own: string): string {
  const direction = /^a=(sendrecv|sendonly|recvonly|inactive)$/m.exec(offer)?.[1] ?? 'sendrecv';
  const mirrored = { sendonly: 'recvonly', recvonly: 'sendonly', sendrecv: 'sendrecv', inactive: 'inactive' }[direction];
  return own.replace(/^a=(sendrecv|sendonly|recvonly|inactive)$/m, `a=${mirrored}`);
}

function now(): string {
  return new Date().toISOString().slice(11, 23);
}
